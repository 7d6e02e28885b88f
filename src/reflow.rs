//! Reflow (rectified flow, Liu et al. 2023): straighten a flow by training on its own pairs.
//!
//! A trained flow's ODE maps each noise point `x₀` to a data point `x₁ = ODE_v(x₀)`. That
//! deterministic coupling has the same marginals as the data but pairs that no longer cross
//! in the way independent pairs do, so a flow trained on `(x₀, ODE_v(x₀))` with the linear path
//! has straighter trajectories (lower [`crate::straightness`]) and needs fewer solver steps. The
//! procedure repeats: training on the pairs of a k-rectified flow gives the (k + 1)-rectified.

use burn::tensor::Device;

use crate::flow::{to_host, to_tensor, Flow};
use crate::guidance::GuidedFlow;
use crate::rng::Rng;
use crate::solver::{integrate, SolveOptions, Solver};

/// A fixed set of training pairs, all buffers row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct PairSet {
    /// Source points `[N, 2]`.
    pub x0: Vec<f32>,
    /// Their images under the generating flow `[N, 2]`.
    pub x1: Vec<f32>,
    /// The class each pair was generated for `[N]` (conditional flows).
    pub labels: Option<Vec<u32>>,
    /// Rectifications of a flow trained on these pairs (the generator's plus one).
    pub reflows: usize,
}

impl PairSet {
    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.x0.len() / 2
    }

    /// True when there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.x0.is_empty()
    }

    /// `n` pairs drawn uniformly with replacement: `(x₀ [n, 2], x₁ [n, 2], labels [n] or empty)`.
    pub fn draw(&self, n: usize, rng: &mut Rng) -> (Vec<f32>, Vec<f32>, Vec<u32>) {
        let m = self.len();
        let mut x0 = Vec::with_capacity(2 * n);
        let mut x1 = Vec::with_capacity(2 * n);
        let mut labels = Vec::new();
        for _ in 0..n {
            let i = rng.below(m);
            x0.extend_from_slice(&self.x0[2 * i..2 * i + 2]);
            x1.extend_from_slice(&self.x1[2 * i..2 * i + 2]);
            if let Some(l) = &self.labels {
                labels.push(l[i]);
            }
        }
        (x0, x1, labels)
    }
}

/// The pairs `(x₀, ODE_v(x₀))` of `flow` for the source points `x0: [n, 2]`, carried to `t = 1`
/// by `solver` in `steps` steps. A conditional flow generates each pair for its class in
/// `classes` (`[n]`, unguided: scale 1) and the pairs keep it.
pub fn generate_pairs(
    flow: &Flow,
    x0: Vec<f32>,
    classes: Option<&[u32]>,
    solver: Solver,
    steps: usize,
    device: &Device,
) -> Result<PairSet, String> {
    let n = x0.len() / 2;
    if n == 0 {
        return Err("reflow needs at least one pair".into());
    }
    let labels = match (flow.config.model.conditioning, classes) {
        (Some(_), Some(c)) if c.len() == n => Some(c.to_vec()),
        (Some(_), _) => return Err("a conditional flow needs one class per pair".into()),
        (None, _) => None,
    };
    let field = GuidedFlow::new(flow, labels.as_deref().unwrap_or(&[]), 1.0, device)?;
    let solution = integrate(
        &field,
        solver,
        to_tensor(&x0, device),
        &SolveOptions::forward(steps),
    );
    if !solution.completed {
        return Err(format!(
            "the {solver} solve stopped before t = 1 after {} evaluations",
            solution.nfe
        ));
    }
    let x1 = to_host(solution.x);
    if x1.iter().any(|v| !v.is_finite()) {
        return Err("the flow carried some points to non-finite values".into());
    }
    Ok(PairSet {
        x0,
        x1,
        labels,
        reflows: flow.config.reflows + 1,
    })
}
