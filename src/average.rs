//! The averaging picture: the marginal velocity at a point is the posterior average of the
//! conditional velocities of the noise–data pairs whose paths pass through it.
//!
//! With independent pairs (x₀ ~ p₀, x₁ ~ the empirical target d_1…d_M) and an affine path
//! `x_t = α·x₁ + σ·x₀` (see [`crate::path`]), exactly one conditional path per data point passes
//! through a point `x` at time `t`: the one that starts from `x₀ⁱ = (x − α·dᵢ)/σ`. Its velocity
//! there is `uᵢ = α̇·dᵢ + σ̇·x₀ⁱ`, and Bayes' rule weighs it by how likely that start was:
//!
//! ```text
//! wᵢ(x, t) ∝ p(x_t = x | x₁ = dᵢ) = p₀(x₀ⁱ)/σ²  ∝ p₀((x − α·dᵢ)/σ)
//! u(x, t)  = Σᵢ wᵢ · uᵢ                                  (the exact marginal velocity)
//! ```
//!
//! For a standard normal source `wᵢ` is the softmax of `−‖x − α·dᵢ‖²/(2σ²)`, the same weights as
//! [`crate::exact::ExactField`]; any source with a density works the same way. Computed on the
//! host in f64 for one point (M is at most a few thousand), so nothing is read from a device.

use crate::path::Path;

/// σ is kept at least this large: at t = 1 the posterior is a nearest-neighbour pick.
const MIN_SIGMA: f64 = 1e-3;

/// The pairs through one point and their average, the `k` heaviest first.
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionalAverage {
    /// Posterior weights of the shown pairs, descending, shape `[k]`; they sum to `mass`.
    pub weights: Vec<f32>,
    /// Noise end `x₀ⁱ` of each shown path, shape `[k, 2]`.
    pub x0: Vec<f32>,
    /// Data end `dᵢ` of each shown path, shape `[k, 2]`.
    pub x1: Vec<f32>,
    /// Each shown path sampled at `samples_per_curve` evenly spaced times in `[0, 1]`,
    /// shape `[k, samples_per_curve, 2]`.
    pub curves: Vec<f32>,
    /// Points per curve.
    pub samples_per_curve: usize,
    /// Conditional velocity `uᵢ` of each shown path at the point, shape `[k, 2]`.
    pub velocities: Vec<f32>,
    /// The weighted average over all M pairs: the exact marginal velocity `u(x, t)`.
    pub average: [f32; 2],
    /// The total weight of the shown pairs (1 when k ≥ M).
    pub mass: f32,
}

/// The conditional paths of `data` (`[M, 2]`) through `point` at time `t` under `path`, for a
/// source with log-density `log_p0` (up to a constant); keeps the `k` heaviest.
///
/// # Panics
/// If `data` is empty or not `[M, 2]`, or `samples_per_curve < 2`.
pub fn conditional_average(
    path: &Path,
    data: &[f32],
    point: [f32; 2],
    t: f64,
    k: usize,
    samples_per_curve: usize,
    log_p0: impl Fn([f64; 2]) -> f64,
) -> ConditionalAverage {
    assert!(
        data.len() >= 2 && data.len().is_multiple_of(2),
        "data must be [M, 2], M ≥ 1"
    );
    assert!(samples_per_curve >= 2, "a curve needs at least two points");
    let c = path.coefficients(t);
    let sigma = c.sigma.max(MIN_SIGMA);
    let [px, py] = [point[0] as f64, point[1] as f64];
    // Start, log-weight and velocity of the path through the point, one per data point.
    let pairs: Vec<([f64; 2], f64, [f64; 2])> = data
        .chunks_exact(2)
        .map(|d| {
            let (dx, dy) = (d[0] as f64, d[1] as f64);
            let x0 = [(px - c.alpha * dx) / sigma, (py - c.alpha * dy) / sigma];
            let u = [
                c.d_alpha * dx + c.d_sigma * x0[0],
                c.d_alpha * dy + c.d_sigma * x0[1],
            ];
            (x0, log_p0(x0), u)
        })
        .collect();
    // Normalised softmax weights (shifted by the largest log-weight for stability).
    let top = pairs.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let raw: Vec<f64> = pairs.iter().map(|p| (p.1 - top).exp()).collect();
    let total: f64 = raw.iter().sum();
    let weights: Vec<f64> = raw.iter().map(|w| w / total).collect();
    let mut average = [0.0f64; 2];
    for (w, p) in weights.iter().zip(&pairs) {
        average[0] += w * p.2[0];
        average[1] += w * p.2[1];
    }
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_by(|&a, &b| weights[b].total_cmp(&weights[a]));
    order.truncate(k.min(pairs.len()));

    let schedule: Vec<(f64, f64)> = (0..samples_per_curve)
        .map(|j| {
            let s = path.coefficients(j as f64 / (samples_per_curve - 1) as f64);
            (s.alpha, s.sigma)
        })
        .collect();
    let mut out = ConditionalAverage {
        weights: Vec::with_capacity(order.len()),
        x0: Vec::with_capacity(2 * order.len()),
        x1: Vec::with_capacity(2 * order.len()),
        curves: Vec::with_capacity(2 * order.len() * samples_per_curve),
        samples_per_curve,
        velocities: Vec::with_capacity(2 * order.len()),
        average: [average[0] as f32, average[1] as f32],
        mass: 0.0,
    };
    let mut mass = 0.0;
    for &i in &order {
        let (x0, _, u) = pairs[i];
        let d = [data[2 * i] as f64, data[2 * i + 1] as f64];
        mass += weights[i];
        out.weights.push(weights[i] as f32);
        out.x0.extend([x0[0] as f32, x0[1] as f32]);
        out.x1.extend([d[0] as f32, d[1] as f32]);
        out.velocities.extend([u[0] as f32, u[1] as f32]);
        for &(a, s) in &schedule {
            out.curves
                .extend([(a * d[0] + s * x0[0]) as f32, (a * d[1] + s * x0[1]) as f32]);
        }
    }
    out.mass = mass as f32;
    out
}

/// The log-density of N(0, I) up to its constant: `−‖x‖²/2`.
pub fn standard_normal_log_density(x: [f64; 2]) -> f64 {
    -0.5 * (x[0] * x[0] + x[1] * x[1])
}
