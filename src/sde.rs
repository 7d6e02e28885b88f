//! Stochastic sampling: an SDE with the same marginals as the flow.
//!
//! For any diffusion coefficient `g(t)`,
//!
//! ```text
//! dX = [v(X, t) + ½·g(t)²·∇log p_t(X)] dt + g(t) dW
//! ```
//!
//! has the marginals `p_t` of the ODE `dx/dt = v`: its Fokker–Planck equation adds
//! `−½g²·∇·(p∇log p) + ½g²·Δp = 0` to the continuity equation. Here `g(t) = γ·σ_t`, with the
//! noise scale `γ ≥ 0` (γ = 0 is the ODE, stepped by Euler). Then
//!
//! ```text
//! ½·g²·∇log p_t = ½·γ²·σ_t·(σ_t·∇log p_t) = −½·γ²·σ_t·(x̂₀ − μ)/s₀²
//! ```
//!
//! stays finite as t → 1 on every path, where σ_t → 0 and the score itself blows up
//! ([`crate::score`] hands out `σ·∇log p`, finite everywhere): on `linear`, `cosine` and `poly`
//! σ₁ = 0, so the last steps are nearly deterministic and land on the ODE's endpoint
//! distribution; on `sigma-min`, σ₁ = σ_min and the score is finite throughout. `g ≤ γ` since
//! `σ_t ≤ 1` on every path. It needs the score, so a Gaussian source (or the exact field).
//!
//! Stepping is Euler–Maruyama: `x ← x + h·drift + g(t)·√h·z`, `z ~ N(0, I)`, one field
//! evaluation per step. The noise is drawn on the host from a seed ([`crate::rng`]), so a seed
//! gives the same path on every backend, in the browser too, and nothing is read back.

use burn::tensor::Tensor;

use crate::flow::to_tensor;
use crate::rng::Rng;
use crate::score::ScoreField;
use crate::solver::{Solution, SolveOptions};

/// The largest noise scale γ accepted.
pub const MAX_NOISE: f64 = 10.0;

/// Checks a noise scale: finite, `0 ≤ γ ≤ MAX_NOISE`.
pub fn validate_noise(noise: f64) -> Result<(), String> {
    if noise.is_finite() && (0.0..=MAX_NOISE).contains(&noise) {
        Ok(())
    } else {
        Err(format!(
            "the SDE noise scale must be a number in [0, {MAX_NOISE}], got {noise}"
        ))
    }
}

/// Integrates the SDE forward from `options.t0` to `options.t1 > t0` in `options.steps`
/// Euler–Maruyama steps, starting at `x0: [n, 2]`, with noise scale `noise` (γ) drawn from
/// `seed`. Records every step when `options.record`.
pub fn sample_sde(
    field: &impl ScoreField,
    x0: Tensor<2>,
    options: &SolveOptions,
    noise: f64,
    seed: u64,
) -> Result<Solution, String> {
    let [n, _] = x0.dims();
    sample_sde_rows(field, x0, options, noise, seed, n, 0)
}

/// [`sample_sde`] for rows `from..from + n` of a batch of `total` particles: `x0: [n, 2]` are
/// those rows, and each step's noise is the batch's, drawn from `seed` for all `total` rows and
/// cut to these. So a batch sampled a slice at a time is the batch sampled at once.
pub fn sample_sde_rows(
    field: &impl ScoreField,
    x0: Tensor<2>,
    options: &SolveOptions,
    noise: f64,
    seed: u64,
    total: usize,
    from: usize,
) -> Result<Solution, String> {
    validate_noise(noise)?;
    if options.t1 <= options.t0 {
        return Err(format!(
            "the SDE runs forward in time only, got t0 = {} and t1 = {}",
            options.t0, options.t1
        ));
    }
    let [n, _] = x0.dims();
    if from + n > total {
        return Err(format!(
            "rows {from}..{} are not in a batch of {total}",
            from + n
        ));
    }
    let device = x0.device();
    let steps = options.steps.max(1);
    let h = (options.t1 - options.t0) / steps as f64;
    let mut rng = Rng::new(seed);
    let mut x = x0;
    let mut times = vec![options.t0];
    let mut trajectory = Vec::new();
    if options.record {
        trajectory.push(x.clone());
    }
    for i in 0..steps {
        let t = options.t0 + i as f64 * h;
        let x_next = if noise == 0.0 {
            x.clone() + field.velocity(x, t).mul_scalar(h as f32)
        } else {
            let sigma = field.path().coefficients(t).sigma;
            let g = noise * sigma;
            let (v, scaled_score) = field.velocity_scaled_score(x.clone(), t);
            let drift = v + scaled_score.mul_scalar((0.5 * noise * noise * sigma) as f32);
            let z: Vec<f32> = (0..2 * total).map(|_| rng.normal() as f32).collect();
            x + drift.mul_scalar(h as f32)
                + to_tensor(&z[2 * from..2 * (from + n)], &device).mul_scalar((g * h.sqrt()) as f32)
        };
        x = x_next;
        let t_next = if i + 1 == steps {
            options.t1
        } else {
            options.t0 + (i + 1) as f64 * h
        };
        if options.record {
            trajectory.push(x.clone());
            times.push(t_next);
        }
    }
    if !options.record {
        times.push(options.t1);
    }
    Ok(Solution {
        x,
        nfe: steps,
        times,
        trajectory,
        rejected: 0,
        completed: true,
    })
}
