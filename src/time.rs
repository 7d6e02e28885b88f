//! How training times `t ∈ (0, 1)` are drawn.
//!
//! Drawing `t` from a density `π(t)` is the same as weighting the uniform-time loss by `π(t)`;
//! logit-normal times (Esser et al. 2024, SD3) spend the budget on the middle of the path, where
//! the marginal field is hardest to learn.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// The distribution of training times.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimeSampling {
    /// `t ~ U(0, 1)`.
    #[default]
    Uniform,
    /// `t = sigmoid(m + s·z)`, `z ~ N(0, 1)`.
    LogitNormal {
        /// Location `m` of the logit.
        mean: f64,
        /// Scale `s > 0` of the logit.
        std: f64,
    },
}

impl TimeSampling {
    /// One time in `(0, 1)`.
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        match *self {
            TimeSampling::Uniform => rng.uniform(),
            TimeSampling::LogitNormal { mean, std } => {
                1.0 / (1.0 + (-(mean + std * rng.normal())).exp())
            }
        }
    }

    /// The density `π(t)` on `(0, 1)`: 1 for uniform times; for logit-normal ones
    ///
    /// ```text
    /// π(t) = exp(−(logit t − m)²/(2s²)) / (s·√(2π)·t·(1 − t)),    logit t = log(t/(1 − t))
    /// ```
    ///
    /// (0 outside `(0, 1)`).
    pub fn density(&self, t: f64) -> f64 {
        if !(t > 0.0 && t < 1.0) {
            return 0.0;
        }
        match *self {
            TimeSampling::Uniform => 1.0,
            TimeSampling::LogitNormal { mean, std } => {
                let z = ((t / (1.0 - t)).ln() - mean) / std;
                (-0.5 * z * z).exp() / (std * (std::f64::consts::TAU).sqrt() * t * (1.0 - t))
            }
        }
    }

    /// The short names accepted by [`FromStr`] (parameters not included), in menu order.
    pub const NAMES: [&'static str; 2] = ["uniform", "logit-normal"];

    /// The short name (parameters not included).
    pub fn name(&self) -> &'static str {
        match self {
            TimeSampling::Uniform => "uniform",
            TimeSampling::LogitNormal { .. } => "logit-normal",
        }
    }
}

impl fmt::Display for TimeSampling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeSampling::Uniform => f.write_str("uniform"),
            TimeSampling::LogitNormal { mean, std } => write!(f, "logit-normal:{mean}:{std}"),
        }
    }
}

impl FromStr for TimeSampling {
    type Err = String;

    /// `uniform`, or `logit-normal[:m[:s]]` (defaults m = 0, s = 1).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split(':');
        match parts.next() {
            Some("uniform") if parts.next().is_none() => Ok(TimeSampling::Uniform),
            Some("logit-normal") => {
                let mut number = |default: f64| match parts.next() {
                    None => Ok(default),
                    Some(a) => a
                        .parse::<f64>()
                        .map_err(|_| format!("logit-normal: '{a}' is not a number")),
                };
                let mean = number(0.0)?;
                let std = number(1.0)?;
                if !(mean.is_finite() && std.is_finite() && std > 0.0) {
                    return Err(format!(
                        "logit-normal needs a finite mean and std > 0, got {mean}, {std}"
                    ));
                }
                Ok(TimeSampling::LogitNormal { mean, std })
            }
            _ => Err(format!(
                "unknown time sampling '{s}' (expected uniform or logit-normal[:mean[:std]])"
            )),
        }
    }
}
