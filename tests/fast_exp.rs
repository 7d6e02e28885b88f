//! The vectorised `exp` and sigmoid against f64 references (correctly rounded to f32), over a
//! dense grid of the whole f32 range that matters and at the extremes; the SiLU slice kernels
//! against the same formulas, threaded and not.

use flow_playground::fast_exp::{
    exp, exp_in_place, sigmoid, sigmoid_in_place, silu_backward_in_place, silu_derivative_in_place,
    silu_in_place, silu_sigmoid_in_place,
};
use flow_playground::rng::Rng;

/// The distance between two non-negative floats in units in the last place (consecutive f32
/// values, subnormals included, are consecutive bit patterns).
fn ulps(a: f32, b: f32) -> u32 {
    assert!(a >= 0.0 && b >= 0.0, "{a} {b}");
    a.to_bits().abs_diff(b.to_bits())
}

/// Inputs spanning `[lo, hi]`: an evenly spaced grid of `n` points, every power of two and its
/// neighbours down to the smallest subnormal, with both signs where in range, and `extra`.
fn grid(lo: f32, hi: f32, n: usize, extra: &[f32]) -> Vec<f32> {
    let mut xs: Vec<f32> = (0..=n)
        .map(|i| lo + (hi - lo) * (i as f64 / n as f64) as f32)
        .collect();
    let mut m = f32::from_bits(1);
    while m < hi.max(-lo) {
        for v in [m, f32::from_bits(m.to_bits() + 1), m * 1.5] {
            for x in [v, -v] {
                if (lo..=hi).contains(&x) {
                    xs.push(x);
                }
            }
        }
        m *= 2.0;
    }
    xs.extend_from_slice(extra);
    xs
}

fn exp_reference(x: f32) -> f32 {
    (x as f64).exp() as f32
}

fn sigmoid_reference(x: f32) -> f32 {
    (1.0 / (1.0 + (-(x as f64)).exp())) as f32
}

#[test]
fn exp_is_within_two_ulp_of_the_correctly_rounded_value_over_its_whole_range() {
    // Below −103.98 eˣ rounds to 0 and above 88.73 to +∞: the grid covers both sides, and the
    // subnormal results in between (−103.97 < x < −87.34) are held to the same 2 ulp.
    let xs = grid(-110.0, 95.0, 4_000_000, &[88.722_83, 88.722_84, -87.336_55]);
    let mut worst = (0, 0.0f32);
    for &x in &xs {
        let (got, want) = (exp(x), exp_reference(x));
        let d = ulps(got, want);
        if d > worst.0 {
            worst = (d, x);
        }
    }
    eprintln!("exp: at most {} ulp (at {})", worst.0, worst.1);
    assert!(worst.0 <= 2, "exp({}) is {} ulp off", worst.1, worst.0);
}

#[test]
fn exp_saturates_and_passes_nan() {
    assert_eq!(exp(0.0), 1.0);
    assert_eq!(exp(-0.0), 1.0);
    assert_eq!(exp(f32::from_bits(1)), 1.0, "smallest subnormal");
    assert_eq!(exp(-f32::from_bits(1)), 1.0);
    assert_eq!(exp(1e4), f32::INFINITY);
    assert_eq!(exp(89.0), f32::INFINITY);
    assert_eq!(exp(f32::INFINITY), f32::INFINITY);
    assert_eq!(exp(f32::MAX), f32::INFINITY);
    assert_eq!(exp(-1e4), 0.0);
    assert_eq!(exp(-104.0), 0.0);
    assert_eq!(exp(f32::NEG_INFINITY), 0.0);
    assert_eq!(exp(f32::MIN), 0.0);
    assert!(exp(f32::NAN).is_nan());
    assert!(exp(-f32::NAN).is_nan());
    // The largest finite result and the smallest subnormal one.
    assert!(exp(88.72).is_finite() && exp(88.72) > 3.3e38);
    assert!(exp(-103.9) > 0.0 && exp(-103.9) <= 2.0 * f32::from_bits(1));
}

#[test]
fn sigmoid_is_within_three_ulp_of_the_correctly_rounded_value_over_its_whole_range() {
    // σ is 1 in f32 above 17.33 and subnormal below −87.34; 0 below −103.97.
    let xs = grid(
        -110.0,
        110.0,
        4_000_000,
        &[17.328_68, 17.328_69, -87.336_55],
    );
    let mut worst = (0, 0.0f32);
    for &x in &xs {
        let d = ulps(sigmoid(x), sigmoid_reference(x));
        if d > worst.0 {
            worst = (d, x);
        }
    }
    eprintln!("sigmoid: at most {} ulp (at {})", worst.0, worst.1);
    assert!(worst.0 <= 3, "sigmoid({}) is {} ulp off", worst.1, worst.0);
}

#[test]
fn sigmoid_saturates_and_passes_nan() {
    assert_eq!(sigmoid(0.0), 0.5);
    assert_eq!(sigmoid(-0.0), 0.5);
    assert_eq!(sigmoid(f32::from_bits(1)), 0.5);
    assert_eq!(sigmoid(-f32::from_bits(1)), 0.5);
    for big in [20.0, 88.0, 1e4, f32::MAX, f32::INFINITY] {
        assert_eq!(sigmoid(big), 1.0, "sigmoid({big})");
    }
    for small in [-104.0, -1e4, f32::MIN, f32::NEG_INFINITY] {
        assert_eq!(sigmoid(small), 0.0, "sigmoid({small})");
    }
    // Tiny but not flushed to 0: σ(−80) = 1.8e−35, σ(−88) = 6.1e−39 and σ(−100) = 3.7e−44
    // (both subnormal).
    for tiny in [-80.0, -88.0, -100.0] {
        assert!(sigmoid(tiny) > 0.0);
        assert!(
            ulps(sigmoid(tiny), sigmoid_reference(tiny)) <= 1,
            "sigmoid({tiny})"
        );
    }
    assert!(sigmoid(f32::NAN).is_nan());
    assert!(sigmoid(-f32::NAN).is_nan());
}

/// `n` normal draws scaled by `scale`, with a few extremes mixed in.
fn inputs(n: usize, scale: f64, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let mut v: Vec<f32> = (0..n).map(|_| (rng.normal() * scale) as f32).collect();
    for (i, x) in [0.0, -0.0, 40.0, -40.0, 95.0, -95.0, 1e4, -1e4]
        .into_iter()
        .enumerate()
    {
        v[i * 7919 % n] = x;
    }
    v
}

/// Relative error of `got` against `want`, with an absolute floor `floor` for values near 0.
fn close(got: f32, want: f64, rel: f64, floor: f64) -> bool {
    (got as f64 - want).abs() <= rel * want.abs() + floor
}

#[test]
fn slice_kernels_apply_the_scalar_functions_element_by_element() {
    // 300k elements: split between threads natively; 1000: one thread. Either way every element
    // is exactly the scalar function's value.
    for n in [1_000, 300_001] {
        let x = inputs(n, 6.0, 1);
        let mut e = x.clone();
        exp_in_place(&mut e);
        let mut s = x.clone();
        sigmoid_in_place(&mut s);
        let mut y = x.clone();
        silu_in_place(&mut y);
        for i in 0..n {
            assert_eq!(e[i].to_bits(), exp(x[i]).to_bits(), "exp at {i}");
            assert_eq!(s[i].to_bits(), sigmoid(x[i]).to_bits(), "sigmoid at {i}");
            assert_eq!(
                y[i].to_bits(),
                (x[i] * sigmoid(x[i])).to_bits(),
                "silu at {i}"
            );
        }
    }
}

#[test]
fn silu_kernels_match_the_f64_formulas() {
    // silu(z) = z·σ(z), silu'(z) = σ(z)·(1 + z·(1 − σ(z))): relative 1e-6 (a few f32 ulp), with
    // an absolute floor of 1e-30 for the values that underflow.
    for n in [1_000, 300_001] {
        let z = inputs(n, 6.0, 2);
        let mut y = z.clone();
        let s = silu_sigmoid_in_place(&mut y);
        let mut y2 = z.clone();
        let d = silu_derivative_in_place(&mut y2);
        assert_eq!((s.len(), d.len()), (n, n));
        let mut rng = Rng::new(3);
        let upstream: Vec<f32> = (0..n).map(|_| rng.normal() as f32).collect();
        let mut g = upstream.clone();
        silu_backward_in_place(&mut g, &y, &s);
        for i in 0..n {
            let zf = z[i] as f64;
            let sig = 1.0 / (1.0 + (-zf).exp());
            let silu = zf * sig;
            let dsilu = sig * (1.0 + zf * (1.0 - sig));
            assert_eq!(s[i].to_bits(), sigmoid(z[i]).to_bits(), "sigmoid at {i}");
            assert!(close(y[i], silu, 1e-6, 1e-30), "silu({}) = {}", z[i], y[i]);
            assert_eq!(y2[i].to_bits(), y[i].to_bits(), "silu at {i}");
            // silu' = s + y·(1 − s) in f32 cancels near its zero (z ≈ −1.28, where the terms are
            // ~0.2 and the sum crosses 0): an absolute floor of 1e-7 there.
            assert!(
                close(d[i], dsilu, 1e-6, 1e-7),
                "silu'({}) = {}, want {dsilu}",
                z[i],
                d[i]
            );
            // The backward's factor is the same s + y·(1 − s), from the saved values.
            let want = upstream[i] as f64 * dsilu;
            assert!(
                close(g[i], want, 1e-6, 1e-7 * (upstream[i] as f64).abs()),
                "backward at z = {}: {} vs {want}",
                z[i],
                g[i]
            );
        }
    }
}

#[test]
fn silu_kernels_pass_nan_and_saturate() {
    let z = [f32::NAN, f32::INFINITY, 1e4, -1e4, -200.0];
    let mut y = z;
    let s = silu_sigmoid_in_place(&mut y);
    assert!(y[0].is_nan() && s[0].is_nan());
    assert_eq!((y[1], s[1]), (f32::INFINITY, 1.0));
    assert_eq!((y[2], s[2]), (1e4, 1.0));
    assert_eq!((y[3], s[3]), (-0.0, 0.0));
    assert_eq!((y[4], s[4]), (-0.0, 0.0));
    let mut y = z;
    let d = silu_derivative_in_place(&mut y);
    assert!(d[0].is_nan());
    assert_eq!(&d[2..], &[1.0, 0.0, 0.0]);
}
