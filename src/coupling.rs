//! Couplings: how noise samples `x₀` are paired with data samples `x₁` in a minibatch.
//!
//! Independent pairing draws `(x₀, x₁) ~ p₀ ⊗ p₁`. Minibatch optimal transport (OT-CFM, Tong et
//! al. 2023; Pooladian et al. 2023) re-pairs each batch by the permutation that minimises
//! `Σ‖x₀ − x₁‖²`, which straightens the marginal paths so that few solver steps suffice. The
//! assignment is exact and runs on the host, where the batch is built anyway (sorting on the
//! GPU is not available in wasm).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::assignment;

/// How a batch of noise is paired with a batch of data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coupling {
    /// Pairs as drawn: the product coupling (I-CFM).
    #[default]
    Independent,
    /// Exact minibatch optimal transport for the squared Euclidean cost (OT-CFM).
    ExactOt,
}

/// The largest batch exact OT accepts (the assignment costs O(n³)).
pub const MAX_OT_BATCH: usize = 1024;

impl Coupling {
    /// Every coupling, in menu order.
    pub const ALL: [Coupling; 2] = [Coupling::Independent, Coupling::ExactOt];

    /// The name used on the command line, in URLs and in saved configs.
    pub fn name(self) -> &'static str {
        match self {
            Coupling::Independent => "independent",
            Coupling::ExactOt => "ot",
        }
    }

    /// Checks that a batch of `n` pairs can be coupled.
    pub fn validate_batch(self, n: usize) -> Result<(), String> {
        match self {
            Coupling::ExactOt if n > MAX_OT_BATCH => Err(format!(
                "exact OT coupling handles batches up to {MAX_OT_BATCH}, got {n}"
            )),
            _ => Ok(()),
        }
    }

    /// Re-orders the noise `x0` (shape `[n, 2]`) so that row `i` is paired with data row `i`.
    pub fn pair(self, x0: &mut [f32], x1: &[f32]) {
        assert_eq!(x0.len(), x1.len(), "noise and data batches must match");
        match self {
            Coupling::Independent => {}
            Coupling::ExactOt => {
                let n = x1.len() / 2;
                // Rows are data, columns are noise: data i takes noise σ(i).
                let cost = assignment::squared_distances(x1, x0);
                let sigma = assignment::solve(&cost, n);
                let noise = x0.to_vec();
                for (i, &j) in sigma.iter().enumerate() {
                    x0[2 * i..2 * i + 2].copy_from_slice(&noise[2 * j..2 * j + 2]);
                }
            }
        }
    }
}

impl fmt::Display for Coupling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Coupling {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Coupling::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| format!("unknown coupling '{s}' (expected one of: independent, ot)"))
    }
}
