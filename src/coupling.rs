//! Couplings: how noise samples `x₀` are paired with data samples `x₁` in a minibatch.
//!
//! Independent pairing draws `(x₀, x₁) ~ p₀ ⊗ p₁`. Minibatch optimal transport (OT-CFM, Tong et
//! al. 2023; Pooladian et al. 2023) re-pairs each batch by the permutation that minimises
//! `Σ‖x₀ − x₁‖²`, which straightens the marginal paths so that few solver steps suffice. The
//! assignment is exact and runs on the host, where the batch is built anyway (sorting on the
//! GPU is not available in wasm).
//!
//! The Sinkhorn coupling is entropic OT ([`crate::sinkhorn`]) between the batch's data and
//! noise, the static coupling of a Schrödinger bridge. Its cost is normalised by its mean,
//! `C_ij = ‖x₁ⁱ − x₀ʲ‖² / mean(‖x₁ − x₀‖²)`, so ε is dimensionless: the same ε blurs a batch
//! of any scale alike. ε → 0 approaches the exact `ot` coupling, large ε the independent one.
//! Pairs are drawn from the plan row by row: each data point `x₁ⁱ` takes the noise point
//! `x₀ʲ` with probability `P_ij / Σ_j P_ij` (the plan's conditional), so every data point is
//! used once and a noise point may be used several times or not at all — exactly a draw of
//! `B` pairs from `P` given the data marginal, which the plan fixes to uniform.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::assignment;
use crate::rng::Rng;
use crate::sinkhorn::{self, SinkhornOptions};

/// How a batch of noise is paired with a batch of data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coupling {
    /// Pairs as drawn: the product coupling (I-CFM).
    #[default]
    Independent,
    /// Exact minibatch optimal transport for the squared Euclidean cost (OT-CFM).
    ExactOt,
    /// Entropic minibatch OT, pairs drawn from the Sinkhorn plan (SB-CFM's coupling).
    Sinkhorn {
        /// Regularisation ε relative to the batch's mean squared distance (> 0).
        epsilon: f64,
    },
}

/// The largest batch exact OT and Sinkhorn accept (O(n³) and O(n²) per sweep).
pub const MAX_OT_BATCH: usize = 1024;

impl Coupling {
    /// Every coupling, in menu order (Sinkhorn at its default ε).
    pub const ALL: [Coupling; 3] = [
        Coupling::Independent,
        Coupling::ExactOt,
        Coupling::Sinkhorn {
            epsilon: Self::DEFAULT_EPSILON,
        },
    ];

    /// Names accepted by [`FromStr`].
    pub const NAMES: [&'static str; 3] = ["independent", "ot", "sinkhorn"];

    /// The default relative ε of `sinkhorn`.
    pub const DEFAULT_EPSILON: f64 = 0.05;

    /// The name used on the command line, in URLs and in saved configs (without ε).
    pub fn name(self) -> &'static str {
        match self {
            Coupling::Independent => "independent",
            Coupling::ExactOt => "ot",
            Coupling::Sinkhorn { .. } => "sinkhorn",
        }
    }

    /// Checks the parameter: `0 < ε ≤ 1000`.
    pub fn validate(self) -> Result<(), String> {
        match self {
            Coupling::Sinkhorn { epsilon } if !(epsilon > 0.0 && epsilon <= 1000.0) => Err(
                format!("sinkhorn coupling needs 0 < epsilon <= 1000, got {epsilon}"),
            ),
            _ => Ok(()),
        }
    }

    /// Checks that a batch of `n` pairs can be coupled.
    pub fn validate_batch(self, n: usize) -> Result<(), String> {
        match self {
            Coupling::ExactOt if n > MAX_OT_BATCH => Err(format!(
                "exact OT coupling handles batches up to {MAX_OT_BATCH}, got {n}"
            )),
            Coupling::Sinkhorn { .. } if n > MAX_OT_BATCH => Err(format!(
                "sinkhorn coupling handles batches up to {MAX_OT_BATCH}, got {n}"
            )),
            _ => Ok(()),
        }
    }

    /// Re-pairs the noise `x0` (shape `[n, 2]`) so that row `i` is paired with data row `i`:
    /// a permutation for `ot`, a draw from the plan for `sinkhorn` (which uses `rng`).
    pub fn pair(self, x0: &mut [f32], x1: &[f32], rng: &mut Rng) {
        assert_eq!(x0.len(), x1.len(), "noise and data batches must match");
        let n = x1.len() / 2;
        match self {
            Coupling::Independent => {}
            Coupling::ExactOt => {
                // Rows are data, columns are noise: data i takes noise σ(i).
                let cost = assignment::squared_distances(x1, x0);
                let sigma = assignment::solve(&cost, n);
                let noise = x0.to_vec();
                for (i, &j) in sigma.iter().enumerate() {
                    x0[2 * i..2 * i + 2].copy_from_slice(&noise[2 * j..2 * j + 2]);
                }
            }
            Coupling::Sinkhorn { epsilon } => {
                if n == 0 {
                    return;
                }
                let plan = sinkhorn_plan(x1, x0, epsilon);
                let noise = x0.to_vec();
                for (i, row) in plan.weights.chunks_exact(n).enumerate() {
                    let j = draw_index(row, rng);
                    x0[2 * i..2 * i + 2].copy_from_slice(&noise[2 * j..2 * j + 2]);
                }
            }
        }
    }
}

/// The entropic plan between data `x1` (rows) and noise `x0` (columns), both `[n, 2]`, for the
/// mean-normalised squared distance at relative regularisation `epsilon`.
pub fn sinkhorn_plan(x1: &[f32], x0: &[f32], epsilon: f64) -> sinkhorn::Plan {
    let mut cost = assignment::squared_distances(x1, x0);
    let mean = cost.iter().sum::<f64>() / cost.len().max(1) as f64;
    if mean > 0.0 {
        cost.iter_mut().for_each(|c| *c /= mean);
    }
    sinkhorn::solve(
        &cost,
        x1.len() / 2,
        x0.len() / 2,
        epsilon,
        SinkhornOptions {
            tolerance: 1e-3,
            max_iterations: 1000,
        },
    )
}

/// An index drawn with probability proportional to `weights` (non-negative, not all zero).
fn draw_index(weights: &[f64], rng: &mut Rng) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.uniform() * total;
    for (j, &w) in weights.iter().enumerate() {
        if u < w {
            return j;
        }
        u -= w;
    }
    // Rounding left a sliver past the end: the last index with any mass.
    weights.iter().rposition(|&w| w > 0.0).unwrap_or(0)
}

impl fmt::Display for Coupling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Coupling::Sinkhorn { epsilon } => write!(f, "sinkhorn:{epsilon}"),
            other => f.write_str(other.name()),
        }
    }
}

impl FromStr for Coupling {
    type Err = String;

    /// `independent`, `ot` or `sinkhorn[:ε]`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, arg) = match s.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (s, None),
        };
        let coupling = match (name, arg) {
            ("independent", None) => Coupling::Independent,
            ("ot", None) => Coupling::ExactOt,
            ("independent" | "ot", Some(_)) => {
                return Err(format!("coupling '{name}' takes no parameter"))
            }
            ("sinkhorn", arg) => Coupling::Sinkhorn {
                epsilon: match arg {
                    None => Self::DEFAULT_EPSILON,
                    Some(a) => a
                        .parse::<f64>()
                        .map_err(|_| format!("sinkhorn: epsilon '{a}' is not a number"))?,
                },
            },
            _ => {
                return Err(format!(
                    "unknown coupling '{s}' (expected one of: independent, ot, sinkhorn[:epsilon])"
                ))
            }
        };
        coupling.validate()?;
        Ok(coupling)
    }
}
