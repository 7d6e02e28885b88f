//! The exact divergence ∇·v: the hand-written forward-mode pass through the MLP against Burn's
//! reverse-mode autodiff (one backward pass per output coordinate), and the exact field's
//! closed-form divergence against autodiff of its velocity.

use burn::tensor::{Device, Tensor};
use flow_playground::data::Dataset;
use flow_playground::divergence::DivergenceField;
use flow_playground::exact::ExactField;
use flow_playground::flow::{to_host, to_tensor, Flow, FlowConfig};
use flow_playground::mixture::GaussianMixture;
use flow_playground::model::{Activation, VelocityMlpConfig};
use flow_playground::param::Parameterization;
use flow_playground::path::Path;
use flow_playground::rng::Rng;
use flow_playground::solver::VelocityField;

fn flow(model: VelocityMlpConfig, path: Path, param: Parameterization, device: &Device) -> Flow {
    Flow {
        model: model.init(17, device),
        config: FlowConfig {
            model,
            path,
            parameterization: param,
            source: "gaussian".into(),
            target: "moons".into(),
            steps: 0,
            label_dropout: None,
            reflows: 0,
        },
    }
}

/// `∂v₁/∂x₁ + ∂v₂/∂x₂` by reverse mode: the points do not interact, so the gradient of
/// `Σ_i v_k(x_i)` with respect to `x_i` is row i of `∂v_k/∂x`.
fn autodiff_divergence(
    field: &impl VelocityField,
    xy: &[f32],
    t: f64,
    device: &Device,
) -> Vec<f32> {
    let n = xy.len() / 2;
    let mut div = vec![0.0f32; n];
    for k in 0..2 {
        let x = to_tensor(xy, device).require_grad();
        let v = field.velocity(x.clone(), t);
        let grads = v.slice([0..n, k..k + 1]).sum().backward();
        let g = to_host(x.grad(&grads).expect("x requires grad"));
        for i in 0..n {
            div[i] += g[2 * i + k];
        }
    }
    div
}

fn points(n: usize, seed: u64, scale: f32) -> Vec<f32> {
    Dataset::Gaussian
        .sample(n, &mut Rng::new(seed))
        .into_iter()
        .map(|v| v * scale)
        .collect()
}

#[test]
fn forward_mode_divergence_matches_autodiff_for_every_activation_and_parameterisation() {
    let plain = Device::flex();
    let ad = Device::flex().autodiff();
    let xy = points(64, 3, 2.0);
    let mut worst = 0.0f32;
    for activation in Activation::ALL {
        for (width, depth, embedding) in [(32, 3, 16), (16, 1, 0)] {
            let model = VelocityMlpConfig::new()
                .with_width(width)
                .with_depth(depth)
                .with_activation(activation)
                .with_time_embedding(embedding);
            for param in Parameterization::ALL {
                for (path, t) in [(Path::Linear, 0.3), (Path::Cosine, 0.8)] {
                    let fast = flow(model.clone(), path, param, &plain);
                    let (v, div) = fast.velocity_divergence(to_tensor(&xy, &plain), t);
                    let div = to_host(div.reshape([xy.len() / 2, 1]));
                    // The returned velocity is the field's own.
                    let v_ref = to_host(fast.velocity(to_tensor(&xy, &plain), t));
                    for (a, b) in to_host(v).iter().zip(&v_ref) {
                        assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "{a} vs {b}");
                    }
                    let slow = flow(model.clone(), path, param, &ad);
                    let reference = autodiff_divergence(&slow, &xy, t, &ad);
                    for (a, b) in div.iter().zip(&reference) {
                        let err = (a - b).abs() / (1.0 + b.abs());
                        worst = worst.max(err);
                        assert!(
                            err <= 1e-4,
                            "{activation} {width}x{depth} E={embedding} {param} {path} t={t}: \
                             forward {a} vs autodiff {b}"
                        );
                    }
                }
            }
        }
    }
    println!("worst relative divergence error {worst:e}");
}

#[test]
fn converting_a_parameterisation_adds_2a_and_scales_by_b() {
    // v = a·x + b·f gives ∇·v = 2a + b·∇·f. With the data parameterisation on the linear path,
    // a = σ̇/σ = −1/(1 − t) and b = α̇ − σ̇α/σ = 1/(1 − t).
    let device = Device::flex();
    let model = VelocityMlpConfig::new().with_width(8).with_depth(1);
    let t = 0.5;
    let xy = points(16, 5, 1.0);
    let data = flow(model.clone(), Path::Linear, Parameterization::Data, &device);
    let velocity = flow(model, Path::Linear, Parameterization::Velocity, &device);
    // Same weights: the velocity-parameterised flow's divergence is ∇·f.
    let div_data = to_host(data.divergence(to_tensor(&xy, &device), t).reshape([16, 1]));
    let div_f = to_host(
        velocity
            .divergence(to_tensor(&xy, &device), t)
            .reshape([16, 1]),
    );
    for (d, f) in div_data.iter().zip(&div_f) {
        // α̇ − σ̇α/σ = 1 + t/(1 − t) = 2 at t = ½; 2σ̇/σ = −4.
        assert!(
            (d - (2.0 * f - 4.0)).abs() < 1e-5,
            "{d} vs {}",
            2.0 * f - 4.0
        );
    }
}

#[test]
fn exact_field_divergence_matches_autodiff_of_its_velocity() {
    let plain = Device::flex();
    let ad = Device::flex().autodiff();
    let data = Dataset::Moons.sample(40, &mut Rng::new(8));
    let eight = GaussianMixture::of_dataset(Dataset::EightGaussians, 0.6).unwrap();
    let mut worst = 0.0f32;
    for (name, source) in [
        ("N(0, I)", GaussianMixture::standard_normal()),
        ("8gaussians", eight),
    ] {
        for path in [Path::Linear, Path::Cosine] {
            for t in [0.1, 0.5, 0.8, 0.95] {
                // Points where the marginal lives: x = α·d + σ·x₀.
                let c = path.coefficients(t);
                let x0 = points(48, 21, 1.0);
                let xy: Vec<f32> = x0
                    .iter()
                    .enumerate()
                    .map(|(j, z)| {
                        (c.alpha as f32) * data[j % data.len()] + (c.sigma as f32) * 2.0 * z
                    })
                    .collect();
                let fast = ExactField::with_source(path, &data, source.clone(), &plain);
                let (v, div) = fast.velocity_divergence(to_tensor(&xy, &plain), t);
                let v_ref = to_host(fast.velocity(to_tensor(&xy, &plain), t));
                for (a, b) in to_host(v).iter().zip(&v_ref) {
                    assert!((a - b).abs() <= 1e-4 * (1.0 + b.abs()), "{a} vs {b}");
                }
                let div = to_host(div.reshape([48, 1]));
                let slow = ExactField::with_source(path, &data, source.clone(), &ad);
                let reference = autodiff_divergence(&slow, &xy, t, &ad);
                for (a, b) in div.iter().zip(&reference) {
                    let err = (a - b).abs() / (1.0 + b.abs());
                    worst = worst.max(err);
                    // f32 throughout: the softmax Jacobian sums terms of size 1/σ² ≈ 400 at
                    // t = 0.95 to a divergence of order 1/σ.
                    assert!(
                        err <= 2e-3,
                        "{name} {path} t={t}: closed form {a} vs autodiff {b}"
                    );
                }
            }
        }
    }
    println!("worst relative exact-divergence error {worst:e}");
}

#[test]
fn divergence_is_one_number_per_point() {
    let device = Device::flex();
    let f = flow(
        VelocityMlpConfig::new(),
        Path::Linear,
        Parameterization::Velocity,
        &device,
    );
    let x: Tensor<2> = to_tensor(&points(5, 1, 1.0), &device);
    assert_eq!(f.divergence(x, 0.5).dims(), [5]);
}

#[test]
fn conditional_and_shortcut_networks_take_their_divergence_at_the_null_label_and_zero_step() {
    // Their extra inputs (a class embedding, the step size) come after x in the first layer,
    // so the tangent pass differentiates the same function as `forward_at` does.
    use flow_playground::model::{ClassConditioning, Shortcut};
    let plain = Device::flex();
    let ad = Device::flex().autodiff();
    let xy = points(32, 8, 2.0);
    let model = VelocityMlpConfig::new()
        .with_width(16)
        .with_depth(2)
        .with_conditioning(Some(ClassConditioning::new(3)))
        .with_shortcut(Some(Shortcut { levels: 4 }));
    let t = 0.4;
    let fast = flow(
        model.clone(),
        Path::Linear,
        Parameterization::Velocity,
        &plain,
    );
    let (_, div) = fast.velocity_divergence(to_tensor(&xy, &plain), t);
    let div = to_host(div.reshape([xy.len() / 2, 1]));
    let slow = flow(model, Path::Linear, Parameterization::Velocity, &ad);
    let reference = autodiff_divergence(&slow, &xy, t, &ad);
    for (a, b) in div.iter().zip(&reference) {
        assert!(
            (a - b).abs() <= 1e-4 * (1.0 + b.abs()),
            "forward {a} vs autodiff {b}"
        );
    }
}
