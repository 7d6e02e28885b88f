//! The averaging picture: the conditional paths through a point, their posterior weights and
//! their average, against the closed-form exact field and the path's own interpolation.

use burn::tensor::Device;
use flow_playground::average::{conditional_average, standard_normal_log_density};
use flow_playground::data::Dataset;
use flow_playground::exact::ExactField;
use flow_playground::flow::{to_host, to_tensor};
use flow_playground::path::Path;
use flow_playground::rng::Rng;
use flow_playground::solver::VelocityField;

const CURVE_POINTS: usize = 33;

#[test]
fn the_weighted_average_of_conditional_velocities_is_the_exact_marginal_field() {
    let device = Device::flex();
    let data = Dataset::Moons.sample(400, &mut Rng::new(3));
    for path in [
        Path::Linear,
        Path::Cosine,
        Path::Polynomial { exponent: 2.0 },
    ] {
        let field = ExactField::new(path, &data, &device);
        for t in [0.1, 0.5, 0.9] {
            for point in [[0.5f32, 0.5], [-1.5, 1.0], [2.0, -1.5]] {
                let picture = conditional_average(
                    &path,
                    &data,
                    point,
                    t,
                    10,
                    CURVE_POINTS,
                    standard_normal_log_density,
                );
                let exact = to_host(field.velocity(to_tensor(&point, &device), t));
                let scale = exact[0].hypot(exact[1]).max(1.0);
                for k in 0..2 {
                    // f64 on the host vs an f32 softmax on the device.
                    assert!(
                        (picture.average[k] - exact[k]).abs() < 2e-3 * scale,
                        "{path} t={t} {point:?}: {:?} vs {exact:?}",
                        picture.average
                    );
                }
            }
        }
    }
}

#[test]
fn each_shown_path_runs_from_its_noise_through_the_point_to_its_data_point() {
    let data = Dataset::EightGaussians.sample(300, &mut Rng::new(4));
    let point = [1.0f32, -0.5];
    for path in [Path::Linear, Path::Cosine] {
        let t = 0.5; // on the curve grid: sample 16 of 33
        let picture = conditional_average(
            &path,
            &data,
            point,
            t,
            25,
            CURVE_POINTS,
            standard_normal_log_density,
        );
        assert_eq!(picture.weights.len(), 25);
        for i in 0..25 {
            let x0 = [picture.x0[2 * i], picture.x0[2 * i + 1]];
            let x1 = [picture.x1[2 * i], picture.x1[2 * i + 1]];
            let curve = &picture.curves[2 * CURVE_POINTS * i..2 * CURVE_POINTS * (i + 1)];
            let close = |a: &[f32], b: &[f32]| (a[0] - b[0]).hypot(a[1] - b[1]) < 1e-4;
            assert!(close(&curve[..2], &x0), "{path}: starts at x0");
            assert!(
                close(&curve[2 * (CURVE_POINTS - 1)..], &x1),
                "{path}: ends at x1"
            );
            assert!(
                close(&curve[32..34], &point),
                "{path}: passes the point at t"
            );
            // The shown velocity is the path's derivative there.
            let (xt, ut) = path.interpolate(x0, x1, t);
            assert!(close(&xt, &point), "{path}: {xt:?}");
            assert!(
                close(&ut, &picture.velocities[2 * i..2 * i + 2]),
                "{path}: {ut:?}"
            );
        }
    }
}

#[test]
fn weights_are_a_posterior_sorted_heaviest_first() {
    let data = Dataset::Moons.sample(200, &mut Rng::new(5));
    let all = conditional_average(
        &Path::Linear,
        &data,
        [0.3, 0.2],
        0.6,
        200,
        CURVE_POINTS,
        standard_normal_log_density,
    );
    assert!(
        (all.mass - 1.0).abs() < 1e-5,
        "all pairs carry all the weight"
    );
    assert!(all.weights.windows(2).all(|w| w[0] >= w[1]));
    // Bayes' rule by hand for the heaviest: w ∝ exp(−‖x − t·d‖²/(2(1 − t)²)).
    let logit = |d: &[f32]| {
        let dx = 0.3 - 0.6 * d[0] as f64;
        let dy = 0.2 - 0.6 * d[1] as f64;
        -(dx * dx + dy * dy) / (2.0 * 0.4 * 0.4)
    };
    let total: f64 = data.chunks_exact(2).map(|d| logit(d).exp()).sum::<f64>();
    let heaviest = logit(&all.x1[..2]).exp() / total;
    assert!((all.weights[0] as f64 - heaviest).abs() < 1e-5);

    let few = conditional_average(
        &Path::Linear,
        &data,
        [0.3, 0.2],
        0.6,
        20,
        CURVE_POINTS,
        standard_normal_log_density,
    );
    assert_eq!(few.weights, all.weights[..20]);
    assert!(few.mass < 1.0 && few.mass > 0.5, "mass {}", few.mass);
}

#[test]
fn at_t_zero_every_pair_passes_through_every_point_with_equal_weight() {
    // x_0 = x₀: the point is its own noise, so the average is α̇·mean(d) + σ̇·x.
    let data = Dataset::Circles.sample(100, &mut Rng::new(6));
    let point = [0.7f32, -1.1];
    let picture = conditional_average(
        &Path::Linear,
        &data,
        point,
        0.0,
        100,
        CURVE_POINTS,
        standard_normal_log_density,
    );
    assert!(picture.weights.iter().all(|w| (w - 0.01).abs() < 1e-6));
    let mean = |k: usize| data.iter().skip(k).step_by(2).sum::<f32>() / 100.0;
    for (k, x) in point.iter().enumerate() {
        assert!((picture.average[k] - (mean(k) - x)).abs() < 1e-5);
    }
}

#[test]
fn any_source_with_a_density_weighs_the_pairs_by_it() {
    // An 8-Gaussian source: the same average as the closed-form field of that mixture.
    use flow_playground::mixture::GaussianMixture;
    let device = Device::flex();
    let data = Dataset::Moons.sample(300, &mut Rng::new(7));
    let source = GaussianMixture::of_dataset(Dataset::EightGaussians, 0.4).unwrap();
    let field = ExactField::with_source(Path::Linear, &data, source.clone(), &device);
    for t in [0.2, 0.6] {
        for point in [[1.0f32, 1.0], [-2.0, 0.5]] {
            let picture =
                conditional_average(&Path::Linear, &data, point, t, 5, CURVE_POINTS, |x0| {
                    source.log_density_at(x0)
                });
            let exact = to_host(field.velocity(to_tensor(&point, &device), t));
            let scale = exact[0].hypot(exact[1]).max(1.0);
            for k in 0..2 {
                assert!(
                    (picture.average[k] - exact[k]).abs() < 2e-3 * scale,
                    "t={t} {point:?}: {:?} vs {exact:?}",
                    picture.average
                );
            }
        }
    }
}
