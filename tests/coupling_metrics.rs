//! Minibatch OT coupling and the distances between point clouds.

use flow_playground::coupling::Coupling;
use flow_playground::data::Dataset;
use flow_playground::metrics::{mmd2_rbf, sliced_wasserstein2, wasserstein2};
use flow_playground::rng::Rng;

fn cost(x0: &[f32], x1: &[f32]) -> f64 {
    x0.chunks_exact(2)
        .zip(x1.chunks_exact(2))
        .map(|(a, b)| ((a[0] - b[0]) as f64).powi(2) + ((a[1] - b[1]) as f64).powi(2))
        .sum()
}

fn sorted_points(xy: &[f32]) -> Vec<(u32, u32)> {
    let mut v: Vec<(u32, u32)> = xy
        .chunks_exact(2)
        .map(|p| (p[0].to_bits(), p[1].to_bits()))
        .collect();
    v.sort();
    v
}

#[test]
fn ot_coupling_is_a_permutation_that_never_raises_the_cost() {
    let mut rng = Rng::new(5);
    for &n in &[1usize, 2, 17, 128, 512] {
        let x1 = Dataset::Moons.sample(n, &mut rng);
        let original = Dataset::Gaussian.sample(n, &mut rng);
        let mut x0 = original.clone();
        Coupling::ExactOt.pair(&mut x0, &x1, &mut rng);
        assert_eq!(
            sorted_points(&x0),
            sorted_points(&original),
            "n={n}: not a permutation"
        );
        let (before, after) = (cost(&original, &x1), cost(&x0, &x1));
        assert!(after <= before + 1e-6, "n={n}: {after} > {before}");
        // Any swap of two pairs can only make an optimal assignment worse.
        if n >= 2 {
            let mut swapped = x0.clone();
            swapped.swap(0, 2);
            swapped.swap(1, 3);
            assert!(cost(&swapped, &x1) >= after - 1e-6);
        }
        if n >= 128 {
            assert!(
                after < 0.5 * before,
                "n={n}: OT should cut the cost, {after} vs {before}"
            );
        }
    }
    let mut x0 = Dataset::Gaussian.sample(8, &mut rng);
    let copy = x0.clone();
    Coupling::Independent.pair(&mut x0, &copy, &mut rng);
    assert_eq!(x0, copy);
    assert!(Coupling::ExactOt.validate_batch(4096).is_err());
}

#[test]
fn w2_of_a_translated_cloud_is_the_translation_length() {
    let a = Dataset::Moons.sample(300, &mut Rng::new(1));
    let b: Vec<f32> = a
        .chunks_exact(2)
        .flat_map(|p| [p[0] + 0.3, p[1] - 0.4])
        .collect();
    let w = wasserstein2(&a, &b).unwrap();
    assert!((w - 0.5).abs() < 1e-5, "{w}");
    assert!(wasserstein2(&a, &a).unwrap() < 1e-9);
    // Two-point analytic case: {(0,0),(1,0)} vs {(0,1),(1,1)} → every point moves by 1.
    assert!((wasserstein2(&[0., 0., 1., 0.], &[1., 1., 0., 1.]).unwrap() - 1.0).abs() < 1e-9);
    assert!(wasserstein2(&a, &a[..10]).is_err());
}

#[test]
fn sliced_w2_of_a_translation_is_its_length_over_root_two() {
    // E_θ[(v·θ)²] = ‖v‖²/2 for θ uniform on the circle.
    let a = Dataset::Gaussian.sample(500, &mut Rng::new(2));
    let b: Vec<f32> = a.chunks_exact(2).flat_map(|p| [p[0] + 1.0, p[1]]).collect();
    let s = sliced_wasserstein2(&a, &b, 2000, &mut Rng::new(3));
    assert!((s - 0.5f64.sqrt()).abs() < 0.02, "{s}");
}

#[test]
fn mmd_separates_different_distributions_and_not_equal_ones() {
    let mut rng = Rng::new(4);
    let a = Dataset::Moons.sample(800, &mut rng);
    let b = Dataset::Moons.sample(800, &mut rng);
    let c = Dataset::Circles.sample(800, &mut rng);
    let same = mmd2_rbf(&a, &b, 0.5);
    let different = mmd2_rbf(&a, &c, 0.5);
    println!("MMD² same {same}, different {different}");
    assert!(same.abs() < 0.002, "{same}");
    assert!(different > 0.01, "{different}");
}
