//! Probability paths and output parameterisations, checked against their definitions.

use burn::tensor::Device;
use flow_playground::flow::{to_host, to_tensor};
use flow_playground::param::Parameterization;
use flow_playground::path::{bridge_point, Path};
use flow_playground::rng::Rng;

fn all_paths() -> Vec<Path> {
    vec![
        Path::Linear,
        Path::Cosine,
        Path::OtSigmaMin { sigma_min: 0.01 },
        Path::Polynomial { exponent: 2.0 },
        Path::Polynomial { exponent: 0.7 },
    ]
}

#[test]
fn every_path_starts_at_the_noise_and_ends_at_the_data() {
    let x0 = [0.3f32, -1.7];
    let x1 = [2.5f32, 0.4];
    for path in all_paths() {
        let (start, _) = path.interpolate(x0, x1, 0.0);
        let (end, _) = path.interpolate(x0, x1, 1.0);
        // σ_min leaves σ_min·x₀ of noise on the data at t = 1; every other path hits x₁.
        let blur = match path {
            Path::OtSigmaMin { sigma_min } => sigma_min as f32,
            _ => 0.0,
        };
        for k in 0..2 {
            assert!((start[k] - x0[k]).abs() < 1e-6, "{path}: x_0 = {start:?}");
            assert!(
                (end[k] - x1[k] - blur * x0[k]).abs() < 1e-6,
                "{path}: x_1 = {end:?}"
            );
        }
    }
}

#[test]
fn target_velocity_is_the_time_derivative_of_the_path() {
    let x0 = [-0.8f32, 1.1];
    let x1 = [1.9f32, -2.2];
    let h = 1e-5;
    for path in all_paths() {
        for &t in &[0.05, 0.2, 0.5, 0.77, 0.95] {
            let (_, u) = path.interpolate(x0, x1, t);
            // Central differences on the f64 schedule: error O(h²) + rounding O(ε/h).
            let c_plus = path.coefficients(t + h);
            let c_minus = path.coefficients(t - h);
            for k in 0..2 {
                let xp = c_plus.alpha * x1[k] as f64 + c_plus.sigma * x0[k] as f64;
                let xm = c_minus.alpha * x1[k] as f64 + c_minus.sigma * x0[k] as f64;
                let fd = (xp - xm) / (2.0 * h);
                assert!(
                    (u[k] as f64 - fd).abs() < 1e-4,
                    "{path} at t={t}: u={} fd={fd}",
                    u[k]
                );
            }
        }
    }
}

#[test]
fn variance_preserving_cosine_path_keeps_alpha_squared_plus_sigma_squared_at_one() {
    for i in 0..=20 {
        let c = Path::Cosine.coefficients(i as f64 / 20.0);
        assert!((c.alpha * c.alpha + c.sigma * c.sigma - 1.0).abs() < 1e-12);
    }
}

#[test]
fn parameterisation_conversions_are_exact_inverses() {
    // For a pair (x₀, x₁) and a time t: x and u are known; each parameterisation's target must
    // convert to u, and u must convert back to each target.
    let x0 = [0.7f32, -1.3];
    let x1 = [-2.1f32, 0.9];
    for path in all_paths() {
        for &t in &[0.1, 0.35, 0.6, 0.9] {
            let (x, u) = path.interpolate(x0, x1, t);
            for param in Parameterization::ALL {
                let target = param.target(x0, x1, u);
                let (a, b) = param.to_velocity_coefficients(&path, t);
                let (c, d) = param.from_velocity_coefficients(&path, t);
                for k in 0..2 {
                    let (xk, uk, yk) = (x[k] as f64, u[k] as f64, target[k] as f64);
                    let u_back = a * xk + b * yk;
                    let y_back = c * xk + d * uk;
                    let scale = 1.0 + uk.abs().max(yk.abs());
                    assert!(
                        (u_back - uk).abs() < 2e-5 * scale,
                        "{path} {param} t={t}: u {uk} vs {u_back}"
                    );
                    assert!(
                        (y_back - yk).abs() < 2e-5 * scale,
                        "{path} {param} t={t}: target {yk} vs {y_back}"
                    );
                }
            }
        }
    }
}

#[test]
fn tensor_conversion_matches_the_scalar_coefficients() {
    let device = Device::flex();
    let path = Path::Cosine;
    let x = [0.5f32, -1.0, 2.0, 0.25];
    let prediction = [1.5f32, 0.5, -0.75, 3.0];
    for param in Parameterization::ALL {
        let t = 0.4;
        let v = to_host(param.to_velocity(
            &path,
            to_tensor(&x, &device),
            to_tensor(&prediction, &device),
            t,
        ));
        let (a, b) = param.to_velocity_coefficients(&path, t);
        for i in 0..4 {
            let expected = a * x[i] as f64 + b * prediction[i] as f64;
            assert!((v[i] as f64 - expected).abs() < 1e-5, "{param}: {v:?}");
        }
    }
}

#[test]
fn path_names_parse_and_bad_parameters_are_refused() {
    assert_eq!("linear".parse::<Path>().unwrap(), Path::Linear);
    assert_eq!(
        "sigma-min:0.05".parse::<Path>().unwrap(),
        Path::OtSigmaMin { sigma_min: 0.05 }
    );
    assert_eq!(
        "poly:3".parse::<Path>().unwrap(),
        Path::Polynomial { exponent: 3.0 }
    );
    for bad in ["straight", "sigma-min:1.5", "poly:-1", "poly:x", "linear:2"] {
        let err = bad.parse::<Path>().unwrap_err();
        assert!(!err.is_empty(), "{bad}");
    }
}

#[test]
fn bridge_path_pins_both_ends_for_every_noise_draw() {
    let x0 = [0.3f32, -1.7];
    let x1 = [2.5f32, 0.4];
    for sigma in [0.0, 0.5, 2.0] {
        for eps in [[0.0, 0.0], [1.3, -0.4], [-2.5, 3.0]] {
            let (start, _) = bridge_point(sigma, x0, x1, 0.0, eps);
            let (end, _) = bridge_point(sigma, x0, x1, 1.0, eps);
            for k in 0..2 {
                assert!((start[k] - x0[k]).abs() < 1e-6, "σ={sigma}: {start:?}");
                assert!((end[k] - x1[k]).abs() < 1e-6, "σ={sigma}: {end:?}");
            }
        }
    }
}

#[test]
fn bridge_target_is_the_time_derivative_for_a_fixed_draw() {
    // u = x₁ − x₀ + σ(1 − 2t)/(2√(t(1 − t)))·ε: the derivative of the point for fixed ε.
    let x0 = [-0.8f32, 1.1];
    let x1 = [1.9f32, -2.2];
    let eps = [0.7, -1.2];
    let h = 1e-5;
    let exact = |sigma: f64, t: f64, k: usize| {
        (1.0 - t) * x0[k] as f64 + t * x1[k] as f64 + sigma * (t * (1.0 - t)).sqrt() * eps[k]
    };
    for sigma in [0.3, 1.0] {
        for &t in &[0.05, 0.2, 0.5, 0.77, 0.95] {
            let (x, u) = bridge_point(sigma, x0, x1, t, eps);
            for k in 0..2 {
                assert!((x[k] as f64 - exact(sigma, t, k)).abs() < 1e-5);
                let fd = (exact(sigma, t + h, k) - exact(sigma, t - h, k)) / (2.0 * h);
                assert!(
                    (u[k] as f64 - fd).abs() < 1e-4 * (1.0 + fd.abs()),
                    "σ={sigma} t={t}: u={} fd={fd}",
                    u[k]
                );
            }
        }
    }
    // The noise-free draw is the linear path, and so is σ = 0.
    let bridge = Path::Bridge { sigma: 0.7 };
    for &t in &[0.1, 0.6] {
        assert_eq!(
            bridge.interpolate(x0, x1, t),
            Path::Linear.interpolate(x0, x1, t)
        );
        assert_eq!(
            bridge_point(0.0, x0, x1, t, eps),
            Path::Linear.interpolate(x0, x1, t)
        );
    }
}

#[test]
fn bridge_coefficients_are_its_gaussian_source_marginal_schedule() {
    // With x₀ ~ N(0, I) independent of x₁, x_t − t·x₁ = (1 − t)x₀ + σ√(t(1−t))ε has variance
    // s² = (1 − t)² + σ²t(1 − t) per coordinate; Monte Carlo with 200k draws (relative standard
    // error of a variance √(2/n) ≈ 0.3%).
    let sigma = 0.8;
    let path = Path::Bridge { sigma };
    let x1 = [1.0f32, -2.0];
    let mut rng = Rng::new(9);
    for &t in &[0.2, 0.5, 0.9] {
        let c = path.coefficients(t);
        assert!((c.alpha - t).abs() < 1e-12 && c.d_alpha == 1.0);
        let n = 200_000;
        let mut sq = 0.0;
        for _ in 0..n {
            let x0 = [rng.normal() as f32, rng.normal() as f32];
            let (x, _) = path.sample_point(x0, x1, t, &mut rng);
            sq += (x[0] as f64 - t * x1[0] as f64).powi(2);
        }
        let var = sq / n as f64;
        assert!(
            (var.sqrt() - c.sigma).abs() < 0.01 * c.sigma,
            "t={t}: MC s = {}, schedule σ_t = {}",
            var.sqrt(),
            c.sigma
        );
        // σ̇ is the derivative of σ_t.
        let h = 1e-6;
        let fd = (path.coefficients(t + h).sigma - path.coefficients(t - h).sigma) / (2.0 * h);
        assert!(
            (c.d_sigma - fd).abs() < 1e-6,
            "t={t}: {} vs {fd}",
            c.d_sigma
        );
    }
    assert_eq!(
        "bridge".parse::<Path>().unwrap(),
        Path::Bridge { sigma: 0.5 }
    );
    assert_eq!(
        "bridge:1.5".parse::<Path>().unwrap(),
        Path::Bridge { sigma: 1.5 }
    );
    assert_eq!(Path::Bridge { sigma: 1.5 }.to_string(), "bridge:1.5");
    for bad in ["bridge:-1", "bridge:x", "bridge:50"] {
        assert!(bad.parse::<Path>().is_err(), "{bad}");
    }
}
