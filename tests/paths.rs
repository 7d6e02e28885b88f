//! Probability paths and output parameterisations, checked against their definitions.

use burn::tensor::Device;
use flow_playground::flow::{to_host, to_tensor};
use flow_playground::param::Parameterization;
use flow_playground::path::Path;

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
