//! The score from the velocity against the gradient of the closed-form log-density of the exact
//! field's marginal (by Burn's autodiff), on the linear and cosine paths.

use burn::tensor::Device;
use flow_playground::data::Dataset;
use flow_playground::exact::ExactField;
use flow_playground::flow::{to_host, to_tensor, Flow, FlowConfig};
use flow_playground::mixture::GaussianMixture;
use flow_playground::model::VelocityMlpConfig;
use flow_playground::param::Parameterization;
use flow_playground::path::Path;
use flow_playground::rng::Rng;
use flow_playground::score::{score_from_velocity, LearnedScore, ScoreField};
use flow_playground::solver::VelocityField;

fn close(a: &[f32], b: &[f32], relative: f32, what: &str) -> f32 {
    let mut worst = 0.0f32;
    for (x, y) in a.iter().zip(b) {
        let err = (x - y).abs() / (1.0 + y.abs());
        worst = worst.max(err);
        assert!(err <= relative, "{what}: {x} vs {y}");
    }
    worst
}

#[test]
fn score_from_the_velocity_is_the_gradient_of_the_closed_form_log_density() {
    let plain = Device::flex();
    let ad = Device::flex().autodiff();
    let data = Dataset::Moons.sample(30, &mut Rng::new(12));
    let mut worst = 0.0f32;
    for path in [Path::Linear, Path::Cosine] {
        let field = ExactField::new(path, &data, &plain);
        let traced = ExactField::new(path, &data, &ad);
        for t in [0.0, 0.2, 0.5, 0.9] {
            let c = path.coefficients(t);
            let noise = Dataset::Gaussian.sample(50, &mut Rng::new(4));
            let xy: Vec<f32> = noise
                .iter()
                .enumerate()
                .map(|(j, z)| c.alpha as f32 * data[j % data.len()] + c.sigma as f32 * z)
                .collect();
            // ∇ log p_t by reverse mode through the log-sum-exp of the mixture.
            let x = to_tensor(&xy, &ad).require_grad();
            let grads = traced.log_density(x.clone(), t).sum().backward();
            let autodiff = to_host(x.grad(&grads).unwrap());
            let v = field.velocity(to_tensor(&xy, &plain), t);
            let formula = to_host(score_from_velocity(
                &path,
                to_tensor(&xy, &plain),
                v,
                t,
                [0.0, 0.0],
                1.0,
            ));
            let closed = to_host(field.score(to_tensor(&xy, &plain), t));
            // f32: the score is (x − α·x̂₁)/σ², a difference of O(1) numbers over σ² ≥ 0.024.
            worst = worst.max(close(
                &formula,
                &autodiff,
                2e-3,
                &format!("{path} t={t} formula"),
            ));
            close(
                &closed,
                &autodiff,
                2e-3,
                &format!("{path} t={t} closed form"),
            );
        }
    }
    println!("worst relative score error {worst:e}");
}

#[test]
fn learned_score_agrees_across_parameterisations_and_matches_the_velocity_formula() {
    // One network read three ways: the score computed from its prediction directly must match
    // the formula applied to the velocity it implies.
    let device = Device::flex();
    let model = VelocityMlpConfig::new().with_width(16).with_depth(2);
    let xy = Dataset::Gaussian.sample(20, &mut Rng::new(1));
    for param in Parameterization::ALL {
        for path in [
            Path::Linear,
            Path::Cosine,
            Path::OtSigmaMin { sigma_min: 0.05 },
        ] {
            let flow = Flow {
                model: model.init(3, &device),
                config: FlowConfig {
                    model: model.clone(),
                    path,
                    parameterization: param,
                    source: "gaussian".into(),
                    target: "moons".into(),
                    steps: 0,
                    label_dropout: None,
                    reflows: 0,
                },
            };
            let learned = LearnedScore::new(&flow, &GaussianMixture::standard_normal()).unwrap();
            for t in [0.3, 0.7] {
                let got = to_host(learned.score(to_tensor(&xy, &device), t));
                let v = flow.velocity(to_tensor(&xy, &device), t);
                let want = to_host(score_from_velocity(
                    &path,
                    to_tensor(&xy, &device),
                    v,
                    t,
                    [0.0, 0.0],
                    1.0,
                ));
                close(&got, &want, 1e-4, &format!("{param} {path} t={t}"));
            }
        }
    }
}

#[test]
fn the_score_needs_a_gaussian_source() {
    let device = Device::flex();
    let model = VelocityMlpConfig::new().with_width(8).with_depth(1);
    let flow = Flow {
        model: model.init(0, &device),
        config: FlowConfig {
            model,
            path: Path::Linear,
            parameterization: Parameterization::Velocity,
            source: "8gaussians".into(),
            target: "moons".into(),
            steps: 0,
            label_dropout: None,
            reflows: 0,
        },
    };
    let eight = GaussianMixture::of_dataset(Dataset::EightGaussians, 0.5).unwrap();
    let error = LearnedScore::new(&flow, &eight).unwrap_err();
    assert!(error.contains("Gaussian source"), "{error}");
}
