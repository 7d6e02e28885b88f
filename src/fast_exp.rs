//! `exp` and the logistic sigmoid `σ` in f32, written so that a loop over a slice vectorises, and
//! the SiLU kernels built on them (`silu(z) = z·σ(z)`), threaded over large slices natively.
//!
//! `exp` reduces the argument by powers of two and evaluates a polynomial on the remainder:
//!
//! ```text
//! n = round(x / ln 2),   r = x − n·ln 2 ∈ [−ln 2 / 2, ln 2 / 2]   (ln 2 split in two parts)
//! eʳ ≈ 1 + r + r²·P(r)   (P of degree 5, Cephes' `expf` coefficients)
//! eˣ = eʳ · 2^⌊n/2⌋ · 2^(n − ⌊n/2⌋)
//! ```
//!
//! The scale is applied in two halves so that each factor is a normal float: results in the
//! subnormal range round once, from the product, and `x > 88.72…` overflows to `+∞` as `expf`
//! does. There is no branch and no table, only arithmetic, comparisons and bit casts, so LLVM turns
//! the loops below into SIMD code (SSE2, AVX2 when the processor has it, chosen at run time, or
//! wasm's 128-bit SIMD). NaN goes through: the clamps compare rather than take `min`/`max`.
//!
//! `σ(z) = 1 / (1 + e^{−z})` is evaluated from `e = exp(−|z|) ∈ (0, 1]` as `1/(1 + e)` for `z ≥ 0`
//! and `e/(1 + e)` for `z < 0`, so neither side overflows and `σ` of a very negative `z` keeps its
//! tiny (even subnormal) value.
//!
//! The SiLU kernels work in place on f32 slices:
//!
//! ```text
//! silu_in_place:            z ← z·σ(z)
//! silu_sigmoid_in_place:    z ← z·σ(z), returns s = σ(z)                  (forward pass, σ kept)
//! silu_derivative_in_place: z ← z·σ(z), returns d = σ(z)·(1 + z·(1 − σ(z))) (forward-mode pass)
//! silu_backward_in_place:   g ← g·(s + y·(1 − s)),  y = z·s                 (backward pass)
//! ```
//!
//! The backward uses `silu'(z) = σ + z·σ·(1 − σ) = s + y·(1 − s)`, so it needs the saved output
//! `y` and sigmoid `s` and no exponential. Returned vectors are written once, never zeroed first.

use std::mem::MaybeUninit;

/// `log₂ e`.
const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// `ln 2` in two parts: the high part has 9 significant bits, so `n·LN2_HI` is exact.
const LN2_HI: f32 = 0.693_359_4;
/// `ln 2 − LN2_HI`.
const LN2_LO: f32 = -2.121_944_4e-4;
/// `1.5·2²³`: adding it rounds a float of magnitude < 2²² to an integer, which then sits in the
/// low mantissa bits.
const ROUNDER: f32 = 12_582_912.0;
/// Below this `eˣ` rounds to 0 in f32 (`e^−103.97…` is half the smallest subnormal).
const EXP_MIN: f32 = -104.0;
/// Above this `eˣ` is `+∞` in f32 (the overflow threshold is 88.72…).
const EXP_MAX: f32 = 89.0;
/// Elements per thread below which threading costs more than it saves.
#[cfg(not(target_arch = "wasm32"))]
const PARALLEL_CHUNK: usize = 16 * 1024;

/// `eˣ` in f32: within 2 ulp of the correctly rounded value, subnormal results included
/// (tests/fast_exp.rs measures 1); `+∞` above 88.72…, 0 below −103.97…, NaN for NaN.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    // Comparisons, not `min`/`max`, so that a NaN stays NaN.
    let x = if x < EXP_MIN { EXP_MIN } else { x };
    let x = if x > EXP_MAX { EXP_MAX } else { x };
    let t = x * LOG2_E + ROUNDER;
    let n = t - ROUNDER;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.987_569_1e-4_f32;
    let p = p * r + 1.398_199_9e-3;
    let p = p * r + 8.333_452e-3;
    let p = p * r + 4.166_579_6e-2;
    let p = p * r + 1.666_666_5e-1;
    let p = p * r + 0.5;
    let p = p * (r * r) + r + 1.0;
    // n ∈ [−150, 129] as an integer, from the mantissa bits of t.
    let n = (t.to_bits() as i32).wrapping_sub(ROUNDER.to_bits() as i32);
    let half = n >> 1;
    let scale = |k: i32| f32::from_bits((k.wrapping_add(127) << 23) as u32);
    p * scale(half) * scale(n.wrapping_sub(half))
}

/// The logistic sigmoid `σ(z) = 1/(1 + e^{−z})` in f32: within 3 ulp of the correctly rounded
/// value, subnormal results included; exactly 1 for `z > 17.4`, 0 for `z < −103.97`, NaN for
/// NaN.
#[inline(always)]
pub fn sigmoid(z: f32) -> f32 {
    let e = exp(-z.abs());
    let q = 1.0 / (1.0 + e);
    // `z ≥ 0` is false for NaN, whose `e·q` is NaN.
    if z >= 0.0 {
        q
    } else {
        e * q
    }
}

/// Defines `$name`, a loop over slices that runs with AVX2 enabled on x86-64 processors that have
/// it (detected once, at run time) and as baseline code everywhere else.
macro_rules! vectorised {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) $body:block) => {
        $(#[$doc])*
        pub fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn generic($($arg: $ty),*) $body

            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                fn avx2($($arg: $ty),*) {
                    generic($($arg),*)
                }
                if std::is_x86_feature_detected!("avx2") {
                    // SAFETY: the processor has AVX2, just checked.
                    return unsafe { avx2($($arg),*) };
                }
            }
            generic($($arg),*)
        }
    };
}

/// The serial kernels, one thread each; the public ones split large slices between threads.
mod serial {
    use std::mem::MaybeUninit;

    use super::sigmoid;

    vectorised! {
        /// `v ← exp(v)`.
        fn exp_in_place(v: &mut [f32]) {
            for x in v.iter_mut() {
                *x = super::exp(*x);
            }
        }
    }

    vectorised! {
        /// `v ← σ(v)`.
        fn sigmoid_in_place(v: &mut [f32]) {
            for x in v.iter_mut() {
                *x = sigmoid(*x);
            }
        }
    }

    vectorised! {
        /// `v ← v·σ(v)`.
        fn silu_in_place(v: &mut [f32]) {
            for x in v.iter_mut() {
                *x *= sigmoid(*x);
            }
        }
    }

    vectorised! {
        /// `s ← σ(v)`, `v ← v·s`.
        fn silu_sigmoid_in_place(v: &mut [f32], s: &mut [MaybeUninit<f32>]) {
            for (x, s) in v.iter_mut().zip(s.iter_mut()) {
                let sig = sigmoid(*x);
                s.write(sig);
                *x *= sig;
            }
        }
    }

    vectorised! {
        /// `d ← σ(v)·(1 + v·(1 − σ(v)))`, `v ← v·σ(v)`.
        fn silu_derivative_in_place(v: &mut [f32], d: &mut [MaybeUninit<f32>]) {
            for (x, d) in v.iter_mut().zip(d.iter_mut()) {
                let sig = sigmoid(*x);
                let y = *x * sig;
                d.write(sig + y * (1.0 - sig));
                *x = y;
            }
        }
    }

    vectorised! {
        /// `g ← g·(s + y·(1 − s))`.
        fn silu_backward_in_place(g: &mut [f32], y: &[f32], s: &[f32]) {
            for ((g, &y), &s) in g.iter_mut().zip(y).zip(s) {
                *g *= s + y * (1.0 - s);
            }
        }
    }
}

/// Runs `kernel` on matching chunks of `a` and `b` (cut by `split`), in parallel natively when
/// they are large; in wasm on the one thread.
#[cfg_attr(target_arch = "wasm32", allow(unused_variables))]
fn split2<B: Send>(
    a: &mut [f32],
    b: B,
    split: impl Fn(B, usize) -> (B, B) + Sync,
    kernel: impl Fn(&mut [f32], B) + Sync,
) {
    #[cfg(not(target_arch = "wasm32"))]
    if a.len() >= 2 * PARALLEL_CHUNK && rayon::current_num_threads() > 1 {
        let threads = rayon::current_num_threads();
        // At most one chunk per thread, each a whole number of 64-element blocks.
        let chunk = a
            .len()
            .div_ceil(threads)
            .max(PARALLEL_CHUNK)
            .next_multiple_of(64);
        fn recurse<B: Send>(
            a: &mut [f32],
            b: B,
            chunk: usize,
            split: &(impl Fn(B, usize) -> (B, B) + Sync),
            kernel: &(impl Fn(&mut [f32], B) + Sync),
        ) {
            if a.len() <= chunk {
                kernel(a, b);
                return;
            }
            let (a1, a2) = a.split_at_mut(chunk);
            let (b1, b2) = split(b, chunk);
            rayon::join(|| kernel(a1, b1), || recurse(a2, b2, chunk, split, kernel));
        }
        recurse(a, b, chunk, &split, &kernel);
        return;
    }
    kernel(a, b);
}

fn split_nothing(_: (), _: usize) -> ((), ()) {
    ((), ())
}

fn split_mut<T>(b: &mut [T], at: usize) -> (&mut [T], &mut [T]) {
    b.split_at_mut(at)
}

/// A vector of `v.len()` elements written by `kernel` from `v`, never zeroed first.
fn fill(v: &mut [f32], kernel: impl Fn(&mut [f32], &mut [MaybeUninit<f32>]) + Sync) -> Vec<f32> {
    let n = v.len();
    let mut out = Vec::with_capacity(n);
    split2(v, &mut out.spare_capacity_mut()[..n], split_mut, kernel);
    // SAFETY: the kernels write every element of their output chunk, and the chunks cover 0..n.
    unsafe { out.set_len(n) };
    out
}

/// Two slices read side by side.
type Pair<'a> = (&'a [f32], &'a [f32]);

fn split_pair((y, s): Pair<'_>, at: usize) -> (Pair<'_>, Pair<'_>) {
    let (y1, y2) = y.split_at(at);
    let (s1, s2) = s.split_at(at);
    ((y1, s1), (y2, s2))
}

/// `v ← exp(v)`, element-wise.
pub fn exp_in_place(v: &mut [f32]) {
    split2(v, (), split_nothing, |v, ()| serial::exp_in_place(v));
}

/// `v ← σ(v)`, element-wise.
pub fn sigmoid_in_place(v: &mut [f32]) {
    split2(v, (), split_nothing, |v, ()| serial::sigmoid_in_place(v));
}

/// `v ← silu(v) = v·σ(v)`, element-wise.
pub fn silu_in_place(v: &mut [f32]) {
    split2(v, (), split_nothing, |v, ()| serial::silu_in_place(v));
}

/// `v ← silu(v) = v·σ(v)`, element-wise; returns `σ(v)` (of the input).
pub fn silu_sigmoid_in_place(v: &mut [f32]) -> Vec<f32> {
    fill(v, serial::silu_sigmoid_in_place)
}

/// `v ← silu(v)`, element-wise; returns `silu'(v) = σ(v)·(1 + v·(1 − σ(v)))` (of the input).
pub fn silu_derivative_in_place(v: &mut [f32]) -> Vec<f32> {
    fill(v, serial::silu_derivative_in_place)
}

/// `g ← g·silu'(z) = g·(s + y·(1 − s))`, element-wise, from the forward pass's output
/// `y = silu(z)` and sigmoid `s = σ(z)` (all three the same length).
pub fn silu_backward_in_place(g: &mut [f32], y: &[f32], s: &[f32]) {
    assert!(
        g.len() == y.len() && g.len() == s.len(),
        "one output and sigmoid per gradient"
    );
    split2(g, (y, s), split_pair, |g, (y, s)| {
        serial::silu_backward_in_place(g, y, s)
    });
}
