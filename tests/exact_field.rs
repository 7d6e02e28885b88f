//! The closed-form marginal field against a Monte-Carlo estimate of E[x₁ − x₀ | x_t = x].

use burn::tensor::Device;
use flow_playground::data::Dataset;
use flow_playground::exact::ExactField;
use flow_playground::flow::{to_host, to_tensor};
use flow_playground::mixture::GaussianMixture;
use flow_playground::path::Path;
use flow_playground::rng::Rng;
use flow_playground::solver::{integrate, SolveOptions, Solver, VelocityField};

const DATA: [f32; 6] = [2.0, 1.0, -1.5, 0.5, 0.0, -2.0];

#[test]
fn exact_marginal_velocity_matches_monte_carlo_conditional_average() {
    let device = Device::flex();
    let path = Path::Linear;
    let field = ExactField::new(path, &DATA, &device);
    let t = 0.5;
    let queries = [[0.5f32, 0.5], [-0.6, 0.1], [0.2, -0.8], [0.0, 0.0]];
    let exact = to_host(field.velocity(to_tensor(queries.as_flattened(), &device), t));

    // Kernel-free MC: draw (x₀, x₁) pairs, keep those whose x_t lands within r of the query,
    // average their conditional velocity x₁ − x₀.
    let r = 0.05f64;
    let mut rng = Rng::new(11);
    let mut sums = [[0.0f64; 2]; 4];
    let mut counts = [0usize; 4];
    for _ in 0..5_000_000 {
        let i = rng.below(3);
        let x1 = [DATA[2 * i] as f64, DATA[2 * i + 1] as f64];
        let x0 = [rng.normal(), rng.normal()];
        let xt = [(1.0 - t) * x0[0] + t * x1[0], (1.0 - t) * x0[1] + t * x1[1]];
        for (q, query) in queries.iter().enumerate() {
            let dx = xt[0] - query[0] as f64;
            let dy = xt[1] - query[1] as f64;
            if dx * dx + dy * dy < r * r {
                sums[q][0] += x1[0] - x0[0];
                sums[q][1] += x1[1] - x0[1];
                counts[q] += 1;
            }
        }
    }
    for q in 0..queries.len() {
        println!(
            "at {:?}: exact ({:.3}, {:.3}), MC ({:.3}, {:.3}) from {} hits",
            queries[q],
            exact[2 * q],
            exact[2 * q + 1],
            sums[q][0] / counts[q] as f64,
            sums[q][1] / counts[q] as f64,
            counts[q]
        );
        assert!(counts[q] > 2000, "too few MC hits at {:?}", queries[q]);
        for k in 0..2 {
            let mc = sums[q][k] / counts[q] as f64;
            // The conditional velocity spreads by ≈ 2 here; with ≥ 2000 hits the MC standard
            // error is ≤ 0.05, and the ball of radius 0.05 biases the average by less than that.
            assert!(
                (mc - exact[2 * q + k] as f64).abs() < 0.1,
                "at {:?}: exact {} vs MC {mc} ({} hits)",
                queries[q],
                exact[2 * q + k],
                counts[q]
            );
        }
    }
}

#[test]
fn exact_field_is_the_conditional_field_for_a_single_data_point() {
    // With one data point d the posterior is certain: u(x, t) = (d − x)/(1 − t) on the linear path.
    let device = Device::flex();
    let d = [1.5f32, -0.5];
    let field = ExactField::new(Path::Linear, &d, &device);
    let x = [0.2f32, 0.3, -1.0, 2.0];
    for &t in &[0.0, 0.3, 0.8] {
        let u = to_host(field.velocity(to_tensor(&x, &device), t));
        for i in 0..4 {
            let expected = (d[i % 2] - x[i]) / (1.0 - t as f32);
            assert!((u[i] - expected).abs() < 1e-4, "t={t}: {u:?}");
        }
    }
}

#[test]
fn integrating_the_exact_field_carries_noise_onto_the_data_points() {
    let device = Device::flex();
    for path in [Path::Linear, Path::Cosine] {
        let field = ExactField::new(path, &DATA, &device);
        let x0 = to_tensor(
            &flow_playground::data::Dataset::Gaussian.sample(300, &mut Rng::new(2)),
            &device,
        );
        let mut options = SolveOptions::forward(0);
        options.t1 = 0.999; // the field is singular at t = 1 (σ = 0)
        let x1 = to_host(integrate(&field, Solver::dopri5(), x0, &options).x);
        for p in x1.chunks_exact(2) {
            let nearest = DATA
                .chunks_exact(2)
                .map(|d| ((p[0] - d[0]).powi(2) + (p[1] - d[1]).powi(2)).sqrt())
                .fold(f32::INFINITY, f32::min);
            assert!(nearest < 0.05, "{path}: particle ended at {p:?}");
        }
    }
}

#[test]
fn from_a_mixture_source_the_single_point_field_is_still_the_conditional_field() {
    // The conditional velocity towards d, α̇·d + σ̇·(x − α·d)/σ, does not depend on which source
    // component x came from, so with one data point every source gives the same field.
    let device = Device::flex();
    let d = [1.5f32, -0.5];
    let eight = GaussianMixture::of_dataset(Dataset::EightGaussians, 0.5).unwrap();
    let field = ExactField::with_source(Path::Cosine, &d, eight, &device);
    let x = [0.2f32, 0.3, -1.0, 2.0, 4.0, -3.0];
    for &t in &[0.1, 0.5, 0.8] {
        let c = Path::Cosine.coefficients(t);
        let u = to_host(field.velocity(to_tensor(&x, &device), t));
        for i in 0..6 {
            let (di, xi) = (d[i % 2] as f64, x[i] as f64);
            let expected = c.d_alpha * di + c.d_sigma * (xi - c.alpha * di) / c.sigma;
            assert!((u[i] as f64 - expected).abs() < 1e-4, "t={t}: {u:?}");
        }
    }
}

#[test]
fn posterior_weights_sum_to_one_and_average_to_the_posterior_mean() {
    let device = Device::flex();
    let eight = GaussianMixture::of_dataset(Dataset::EightGaussians, 0.8).unwrap();
    for source in [GaussianMixture::standard_normal(), eight] {
        let field = ExactField::with_source(Path::Linear, &DATA, source, &device);
        for (x, t) in [
            ([0.5f32, 0.5], 0.3),
            ([-1.0, 0.2], 0.7),
            ([3.0, -2.0], 0.95),
        ] {
            let w = field.posterior_weights(x, t);
            assert_eq!(w.len(), 3);
            assert!((w.iter().sum::<f32>() - 1.0).abs() < 1e-6, "{w:?}");
            let mean = to_host(field.posterior_mean(to_tensor(&x, &device), t));
            for k in 0..2 {
                let from_weights: f32 = (0..3).map(|i| w[i] * DATA[2 * i + k]).sum();
                assert!(
                    (from_weights - mean[k]).abs() < 1e-4,
                    "x={x:?} t={t}: {from_weights} vs {}",
                    mean[k]
                );
            }
        }
    }
}

#[test]
fn at_time_zero_the_closed_form_density_is_the_source_density() {
    let device = Device::flex();
    let eight = GaussianMixture::of_dataset(Dataset::EightGaussians, 0.6).unwrap();
    let field = ExactField::with_source(Path::Linear, &DATA, eight.clone(), &device);
    let xy = [0.0f32, 0.0, 5.0, 0.1, -3.0, 3.5];
    let got = to_host(
        field
            .log_density(to_tensor(&xy, &device), 0.0)
            .reshape([3, 1]),
    );
    for (p, g) in xy.chunks_exact(2).zip(&got) {
        let want = eight.log_density_at([p[0] as f64, p[1] as f64]);
        assert!(
            (*g as f64 - want).abs() < 1e-4 * (1.0 + want.abs()),
            "{g} vs {want}"
        );
    }
}
