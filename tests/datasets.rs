//! Dataset definitions: each sampler's documented centres, radii, supports and moments.

use flow_playground::data::{Dataset, PointCloud};
use flow_playground::metrics::mean_std;
use flow_playground::rng::Rng;

const N: usize = 40_000;

/// Samples at the literature's noise (torchcfm / FFJORD), whose moments these tests check.
fn points(d: Dataset, seed: u64) -> Vec<[f64; 2]> {
    let xy = d.sample_spread(N, d.literature_spread(), &mut Rng::new(seed));
    xy.chunks_exact(2)
        .map(|p| [p[0] as f64, p[1] as f64])
        .collect()
}

fn radius(p: &[f64; 2]) -> f64 {
    p[0].hypot(p[1])
}

#[test]
fn gaussian_is_standard_normal() {
    let xy = Dataset::Gaussian.sample(N, &mut Rng::new(1));
    let (mean, std) = mean_std(&xy);
    for k in 0..2 {
        assert!(mean[k].abs() < 0.02, "{mean:?}"); // 4 standard errors
        assert!((std[k] - 1.0).abs() < 0.02, "{std:?}");
    }
}

#[test]
fn eight_gaussians_sit_at_radius_five_with_covariance_root_a_tenth() {
    let pts = points(Dataset::EightGaussians, 2);
    let expected_std = 0.1f64.sqrt().sqrt();
    let mut counts = [0usize; 8];
    let mut sq = [0.0f64; 2];
    for p in &pts {
        // The nearest of the 8 compass centres.
        let k = ((p[1].atan2(p[0]) / std::f64::consts::FRAC_PI_4).round() as i64).rem_euclid(8);
        let angle = k as f64 * std::f64::consts::FRAC_PI_4;
        let (cx, cy) = (5.0 * angle.cos(), 5.0 * angle.sin());
        counts[k as usize] += 1;
        sq[0] += (p[0] - cx).powi(2);
        sq[1] += (p[1] - cy).powi(2);
    }
    for c in counts {
        assert!(
            (c as f64 - N as f64 / 8.0).abs() < 0.05 * N as f64 / 8.0,
            "{counts:?}"
        );
    }
    for s in sq {
        let std = (s / N as f64).sqrt();
        assert!(
            (std - expected_std).abs() < 0.01,
            "std {std} vs {expected_std}"
        );
    }
}

#[test]
fn twenty_five_gaussians_lie_on_a_grid_of_spacing_two() {
    for p in points(Dataset::TwentyFiveGaussians, 3) {
        for v in p {
            let centre = (v / 2.0).round() * 2.0;
            assert!(centre.abs() <= 4.0 && (v - centre).abs() < 0.6, "{v}");
        }
    }
}

#[test]
fn moons_have_torchcfm_mean_and_spread() {
    // Unit moons: outer arc mean (0, 2/π), inner arc mean (1, ½ − 2/π); average (½, ¼).
    // Scaled ×3 − 1 → (½, −¼).
    let xy = Dataset::Moons.sample_spread(N, 0.6, &mut Rng::new(4));
    let (mean, _) = mean_std(&xy);
    assert!((mean[0] - 0.5).abs() < 0.05, "{mean:?}");
    assert!((mean[1] + 0.25).abs() < 0.05, "{mean:?}");
    // Var of x: arc part E[x²] − E[x]² over both arcs, plus noise (3·0.2)².
    // Outer x = cos θ: E = 0, E[x²] = ½. Inner x = 1 − cos θ: E = 1, E[x²] = 1.5. Mixture: E[x²] = 1,
    // mean ½, so Var = ¾; ×9 + 0.36.
    let (_, std) = mean_std(&xy);
    let expected = (0.75f64 * 9.0 + 0.36).sqrt();
    assert!((std[0] - expected).abs() < 0.05, "{std:?} vs {expected}");
}

fn assert_on_rings(d: Dataset, radii: &[f64], noise: f64) {
    let pts = points(d, 5);
    let mut counts = vec![0usize; radii.len()];
    let mut sq = 0.0;
    for p in &pts {
        let r = radius(p);
        let (k, &nearest) = radii
            .iter()
            .enumerate()
            .min_by(|a, b| (a.1 - r).abs().total_cmp(&(b.1 - r).abs()))
            .unwrap();
        counts[k] += 1;
        sq += (r - nearest).powi(2);
    }
    let share = N as f64 / radii.len() as f64;
    for c in &counts {
        assert!((*c as f64 - share).abs() < 0.05 * share, "{d}: {counts:?}");
    }
    // Radial spread ≈ the noise (isotropic 2-D noise projects to its 1-D std radially).
    let spread = (sq / N as f64).sqrt();
    assert!(
        (spread - noise).abs() < 0.15 * noise,
        "{d}: spread {spread}"
    );
}

#[test]
fn circles_and_rings_have_their_documented_radii() {
    assert_on_rings(Dataset::Circles, &[3.0, 1.5], 0.1);
    assert_on_rings(Dataset::Rings, &[3.0, 2.25, 1.5, 0.75], 0.08);
}

#[test]
fn checkerboard_fills_exactly_the_even_squares_evenly() {
    let mut counts = [[0usize; 4]; 4];
    for p in points(Dataset::Checkerboard, 6) {
        assert!(
            p[0] >= -4.0 && p[0] < 4.0 && p[1] >= -4.0 && p[1] < 4.0,
            "{p:?}"
        );
        let i = ((p[0] + 4.0) / 2.0).floor() as usize;
        let j = ((p[1] + 4.0) / 2.0).floor() as usize;
        assert_eq!((i + j) % 2, 0, "point {p:?} on an empty square");
        counts[i][j] += 1;
    }
    for (i, row) in counts.iter().enumerate() {
        for (j, &c) in row.iter().enumerate() {
            if (i + j) % 2 == 0 {
                assert!(
                    (c as f64 - N as f64 / 8.0).abs() < 0.05 * N as f64 / 8.0,
                    "{counts:?}"
                );
            }
        }
    }
}

#[test]
fn spirals_swissroll_and_pinwheel_are_centred_and_bounded() {
    // Spirals are point-symmetric by construction; the swiss roll and pinwheel stay in their
    // documented boxes (radius ≤ 4.5π/5 + noise; pinwheel radius 2·(1 + 0.3z) ≈ ≤ 5).
    let (mean, _) = mean_std(&Dataset::Spirals.sample(N, &mut Rng::new(7)));
    assert!(mean[0].abs() < 0.05 && mean[1].abs() < 0.05, "{mean:?}");
    for p in points(Dataset::Spirals, 8) {
        assert!(radius(&p) < std::f64::consts::PI + 1.0, "{p:?}");
    }
    for p in points(Dataset::SwissRoll, 9) {
        let r = radius(&p);
        assert!(
            r > 0.3 * std::f64::consts::PI - 1.2 && r < 0.9 * std::f64::consts::PI + 1.2,
            "{p:?}"
        );
    }
    let (mean, _) = mean_std(&Dataset::Pinwheel.sample(N, &mut Rng::new(10)));
    assert!(mean[0].abs() < 0.1 && mean[1].abs() < 0.1, "{mean:?}");
    for p in points(Dataset::Pinwheel, 11) {
        assert!(radius(&p) < 6.0, "{p:?}");
    }
}

#[test]
fn spread_is_the_noise_standard_deviation_in_data_units() {
    // The same seed with and without noise: the difference is the noise alone, isotropic with
    // E‖Δ‖² = 2·spread² (the pinwheel's is tangential only: E‖Δ‖² = spread²).
    for d in Dataset::ALL {
        for spread in [0.05, 0.3, d.default_spread()] {
            if spread == 0.0 {
                continue;
            }
            let noisy = d.sample_spread(N, spread, &mut Rng::new(12));
            let clean = d.sample_spread(N, 0.0, &mut Rng::new(12));
            let sq: f64 = noisy
                .iter()
                .zip(&clean)
                .map(|(a, b)| ((a - b) as f64).powi(2))
                .sum::<f64>()
                / N as f64;
            let expected = if d == Dataset::Pinwheel { 1.0 } else { 2.0 } * spread * spread;
            assert!(
                (sq / expected - 1.0).abs() < 0.03,
                "{d} at spread {spread}: E|Δ|² = {sq}, expected {expected}"
            );
        }
    }
}

#[test]
fn defaults_are_no_noisier_than_the_literature_and_labels_round_trip() {
    use flow_playground::data::Distribution;
    for d in Dataset::ALL {
        assert!(d.default_spread() <= d.literature_spread(), "{d}");
        let default = Distribution::named(d);
        assert_eq!(default.label(), d.name());
        assert_eq!(Distribution::from_label(&default.label()).unwrap(), default);
        let wide = Distribution::with_spread(d, d.literature_spread() + 0.25).unwrap();
        assert_eq!(Distribution::from_label(&wide.label()).unwrap(), wide);
    }
    // Moons by default: the noise that blurred the two arcs into one cloud, divided by four.
    assert_eq!(Dataset::Moons.literature_spread(), 0.6);
    assert_eq!(Dataset::Moons.default_spread(), 0.15);
    for bad in [-0.1, 3.5, f64::NAN, f64::INFINITY] {
        assert!(Distribution::with_spread(Dataset::Moons, bad)
            .unwrap_err()
            .contains("spread"));
    }
    assert!(Distribution::from_label("moons:wide")
        .unwrap_err()
        .contains("not a number"));
}

#[test]
fn same_seed_same_samples_and_names_round_trip() {
    for d in Dataset::ALL {
        assert_eq!(
            d.sample(10, &mut Rng::new(1)),
            d.sample(10, &mut Rng::new(1))
        );
        assert_eq!(d.name().parse::<Dataset>().unwrap(), d);
    }
    assert!("moon"
        .parse::<Dataset>()
        .unwrap_err()
        .contains("8gaussians"));
}

#[test]
fn point_clouds_are_validated_and_sampled_with_replacement() {
    let cloud = PointCloud::from_csv("x,y\n1,2\n# a comment\n\n3,4\n").unwrap();
    assert_eq!(cloud.len(), 2);
    let xy = cloud.sample(1000, &mut Rng::new(1));
    let ones = xy.chunks_exact(2).filter(|p| p == &[1.0, 2.0]).count();
    assert!(xy
        .chunks_exact(2)
        .all(|p| p == [1.0, 2.0] || p == [3.0, 4.0]));
    assert!((400..600).contains(&ones), "{ones}");
    assert!(PointCloud::from_csv("")
        .unwrap_err()
        .contains("at least one"));
    assert!(PointCloud::from_csv("1,2\n3\n")
        .unwrap_err()
        .contains("line 2"));
    assert!(PointCloud::from_csv("1,2\n3,abc\n")
        .unwrap_err()
        .contains("not a number"));
    assert!(PointCloud::new(vec![1.0, f32::NAN])
        .unwrap_err()
        .contains("non-finite"));
}
