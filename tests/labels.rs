//! Class labels of the toy datasets: each label names the part of the geometry its point was
//! drawn from, checked here against an independent geometric oracle (nearest centre, nearest
//! radius, nearest arc or arm, the square's index).

use std::f64::consts::{FRAC_PI_4, PI, TAU};

use flow_playground::data::{Dataset, Distribution, PointCloud};
use flow_playground::rng::Rng;

const N: usize = 20_000;

fn labelled(d: Dataset, seed: u64) -> Vec<([f64; 2], u32)> {
    let (xy, labels) = d.sample_labelled(N, d.default_spread(), &mut Rng::new(seed));
    assert_eq!(labels.len(), N);
    xy.chunks_exact(2)
        .map(|p| [p[0] as f64, p[1] as f64])
        .zip(labels)
        .collect()
}

/// The fraction of points whose label equals `oracle(point)`.
fn agreement(points: &[([f64; 2], u32)], oracle: impl Fn([f64; 2]) -> u32) -> f64 {
    points.iter().filter(|(p, l)| oracle(*p) == *l).count() as f64 / points.len() as f64
}

/// Distance from `p` to the polyline through `curve`.
fn distance_to_curve(p: [f64; 2], curve: &[[f64; 2]]) -> f64 {
    curve
        .windows(2)
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let len2 = dx * dx + dy * dy;
            let s = if len2 > 0.0 {
                (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (p[0] - a[0] - s * dx).hypot(p[1] - a[1] - s * dy)
        })
        .fold(f64::INFINITY, f64::min)
}

fn nearest_curve(p: [f64; 2], curves: &[Vec<[f64; 2]>]) -> u32 {
    curves
        .iter()
        .enumerate()
        .map(|(k, c)| (k, distance_to_curve(p, c)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap()
        .0 as u32
}

#[test]
fn class_counts_and_unlabelled_datasets() {
    let expected = [
        (Dataset::Gaussian, None),
        (Dataset::EightGaussians, Some(8)),
        (Dataset::TwentyFiveGaussians, Some(25)),
        (Dataset::Moons, Some(2)),
        (Dataset::Circles, Some(2)),
        (Dataset::Checkerboard, Some(8)),
        (Dataset::Spirals, Some(2)),
        (Dataset::SwissRoll, None),
        (Dataset::Pinwheel, Some(5)),
        (Dataset::Rings, Some(4)),
    ];
    for (d, classes) in expected {
        assert_eq!(d.classes(), classes, "{d}");
        // Labelling draws the same points as the unlabelled sampler.
        let (xy, labels) = d.sample_labelled(500, d.default_spread(), &mut Rng::new(3));
        assert_eq!(xy, d.sample(500, &mut Rng::new(3)), "{d}");
        match classes {
            // Every class occurs, equally often (500/k each, within 5 standard deviations).
            Some(k) => {
                let mut counts = vec![0usize; k];
                for &l in &labels {
                    counts[l as usize] += 1;
                }
                let share = 500.0 / k as f64;
                let sd = (500.0 * (1.0 / k as f64) * (1.0 - 1.0 / k as f64)).sqrt();
                for c in &counts {
                    assert!((*c as f64 - share).abs() < 5.0 * sd, "{d}: {counts:?}");
                }
            }
            None => assert!(labels.iter().all(|&l| l == 0), "{d}"),
        }
    }
}

#[test]
fn gaussian_mixture_labels_are_the_nearest_centre() {
    // 8gaussians: centres 5·(cos kπ/4, sin kπ/4), label k. Neighbouring centres are
    // 10·sin(π/8) ≈ 3.8 apart; at the default spread 0.4 a point crosses the midline with
    // probability P(z > 1.91/0.4) ≈ 1e-6 per side (3e-4 at the literature's 0.56).
    let eight = labelled(Dataset::EightGaussians, 1);
    let rate = agreement(&eight, |p| {
        ((p[1].atan2(p[0]) / FRAC_PI_4).round() as i64).rem_euclid(8) as u32
    });
    assert!(rate > 0.998, "8gaussians: {rate}");
    // 25gaussians: centre 2·(i, j), label 5·(i + 2) + (j + 2); 10 standard deviations apart.
    let grid = labelled(Dataset::TwentyFiveGaussians, 2);
    let rate = agreement(&grid, |p| {
        let i = (p[0] / 2.0).round() as i64 + 2;
        let j = (p[1] / 2.0).round() as i64 + 2;
        (5 * i + j) as u32
    });
    assert_eq!(rate, 1.0, "25gaussians");
}

#[test]
fn moon_labels_are_the_nearer_arc_and_have_each_arcs_mean() {
    // Unit arcs: upper (cos θ, sin θ), lower (1 − cos θ, ½ − sin θ), θ ∈ [0, π], then ×3 − 1.
    let arc = |upper: bool| -> Vec<[f64; 2]> {
        (0..=400)
            .map(|i| {
                let th = PI * i as f64 / 400.0;
                let (x, y) = if upper {
                    (th.cos(), th.sin())
                } else {
                    (1.0 - th.cos(), 0.5 - th.sin())
                };
                [3.0 * x - 1.0, 3.0 * y - 1.0]
            })
            .collect()
    };
    let arcs = [arc(true), arc(false)];
    let points = labelled(Dataset::Moons, 4);
    // The arcs come within 1.5 of each other: at the default spread 0.15 the midway is 5
    // standard deviations out, so every label is the nearer arc.
    let rate = agreement(&points, |p| nearest_curve(p, &arcs));
    println!("moons: {rate:.4} of labels are the nearer arc");
    assert!(rate > 0.9995, "moons: {rate}");
    // Each label's mean is its arc's mean (the noise is centred): upper (0, 2/π), lower
    // (1, ½ − 2/π) in unit coordinates, i.e. (−1, 6/π − 1) and (2, ½ − 6/π) after ×3 − 1.
    let expected = [[-1.0, 6.0 / PI - 1.0], [2.0, 0.5 - 6.0 / PI]];
    for (label, want) in expected.iter().enumerate() {
        let class: Vec<[f64; 2]> = points
            .iter()
            .filter(|(_, l)| *l == label as u32)
            .map(|(p, _)| *p)
            .collect();
        let m = class.len() as f64;
        let mean = [
            class.iter().map(|p| p[0]).sum::<f64>() / m,
            class.iter().map(|p| p[1]).sum::<f64>() / m,
        ];
        // Coordinate spread ≤ 2.2 over ≈ 10⁴ points: standard error ≤ 0.022.
        for k in 0..2 {
            assert!(
                (mean[k] - want[k]).abs() < 0.09,
                "moon {label}: mean {mean:?}, expected {want:?}"
            );
        }
    }
}

#[test]
fn ring_labels_are_the_nearest_radius() {
    for (d, radii) in [
        (Dataset::Circles, vec![3.0, 1.5]),
        (Dataset::Rings, vec![3.0, 2.25, 1.5, 0.75]),
    ] {
        let points = labelled(d, 5);
        // Radii are ≥ 0.75 apart and the noise ≤ 0.1: 3.75 standard deviations to the midway.
        let rate = agreement(&points, |p| {
            let r = p[0].hypot(p[1]);
            radii
                .iter()
                .enumerate()
                .min_by(|a, b| (a.1 - r).abs().total_cmp(&(b.1 - r).abs()))
                .unwrap()
                .0 as u32
        });
        assert!(rate > 0.998, "{d}: {rate}");
    }
}

#[test]
fn checkerboard_labels_index_the_filled_squares() {
    // Column c = ⌊(x + 4)/2⌋, row r = ⌊(y + 4)/2⌋ with r ≡ c (mod 2); label 2c + (r − c mod 2)/2.
    let points = labelled(Dataset::Checkerboard, 6);
    let rate = agreement(&points, |p| {
        let c = ((p[0] + 4.0) / 2.0).floor() as u32;
        let r = ((p[1] + 4.0) / 2.0).floor() as u32;
        2 * c + (r - c % 2) / 2
    });
    assert_eq!(rate, 1.0);
}

#[test]
fn spiral_and_pinwheel_labels_are_the_nearest_arm() {
    // Spirals: arm 0 follows (−n cos n, n sin n)/3, arm 1 its reflection through the origin,
    // n ∈ [0, 3π]; the uniform jitter (≤ 0.5/3) and noise (0.1) are small against the spacing.
    let spiral = |sign: f64| -> Vec<[f64; 2]> {
        (0..=3000)
            .map(|i| {
                let n = 3.0 * PI * i as f64 / 3000.0;
                [
                    sign * (-n.cos() * n + 0.25) / 3.0,
                    sign * (n.sin() * n + 0.25) / 3.0,
                ]
            })
            .collect()
    };
    let spirals = [spiral(1.0), spiral(-1.0)];
    let rate = agreement(&labelled(Dataset::Spirals, 7), |p| {
        nearest_curve(p, &spirals)
    });
    println!("spirals: {rate:.4}");
    assert!(rate > 0.98, "spirals: {rate}");

    // Pinwheel arm k: 2·r·(cos φ, sin φ), φ = 2πk/5 + 0.25·eʳ, for radial r = 1 + 0.3z.
    let arm = |k: usize| -> Vec<[f64; 2]> {
        (0..=1000)
            .map(|i| {
                let r = 2.5 * i as f64 / 1000.0;
                let phi = TAU * k as f64 / 5.0 + 0.25 * r.exp();
                [2.0 * r * phi.cos(), 2.0 * r * phi.sin()]
            })
            .collect()
    };
    let arms: Vec<_> = (0..5).map(arm).collect();
    let rate = agreement(&labelled(Dataset::Pinwheel, 8), |p| nearest_curve(p, &arms));
    println!("pinwheel: {rate:.4}");
    assert!(rate > 0.98, "pinwheel: {rate}");
}

#[test]
fn point_clouds_carry_an_optional_label_column() {
    let cloud = PointCloud::from_csv("x,y,label\n1,2,0\n# c\n3,4,2\n").unwrap();
    assert_eq!(cloud.len(), 2);
    assert_eq!(cloud.labels(), Some(&[0u32, 2][..]));
    assert_eq!(cloud.classes(), Some(3));
    let (xy, labels) = cloud.sample_labelled(200, &mut Rng::new(1));
    for (p, l) in xy.chunks_exact(2).zip(&labels) {
        let expected = if p == [1.0, 2.0] { 0 } else { 2 };
        assert_eq!(*l, expected, "{p:?}");
    }
    let dist = Distribution::Points(cloud);
    assert_eq!(dist.classes(), Some(3));
    assert_eq!(
        PointCloud::from_csv("1,2\n3,4\n").unwrap().classes(),
        None,
        "no label column, no classes"
    );
    for (bad, needle) in [
        ("1,2,0\n3,4\n", "line 2"),
        ("1,2\n3,4,1\n", "line 2"),
        ("1,2,-1\n", "whole number"),
        ("1,2,x\n", "whole number"),
        ("1,2,999\n", "below 256"),
    ] {
        let err = PointCloud::from_csv(bad).unwrap_err();
        assert!(err.contains(needle), "{bad:?}: {err}");
    }
}
