//! Probability paths between noise and data, as affine schedules.
//!
//! **Time convention (the one place it is written):** noise `x₀` sits at `t = 0`, data `x₁` at
//! `t = 1`, and every path is
//!
//! ```text
//! x_t = α_t · x₁ + σ_t · x₀,        u_t = dx_t/dt = α̇_t · x₁ + σ̇_t · x₀,
//! ```
//!
//! with `α_0 = 0, σ_0 = 1` and `α_1 = 1, σ_1 = 0` (up to `σ_min` for [`Path::OtSigmaMin`]).
//! Training regresses the network on `u_t` (or on `x₀` / `x₁`, see [`crate::param`]); sampling
//! integrates the learned field forward from `t = 0` to `t = 1`. With a Gaussian `x₀` every such
//! path is a Gaussian diffusion path in another parameterisation.

use std::f64::consts::FRAC_PI_2;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An affine probability path, given by its schedule (α_t, σ_t).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[derive(Default)]
pub enum Path {
    /// Conditional OT / rectified flow: `α = t`, `σ = 1 − t` (straight lines at constant speed).
    #[default]
    Linear,
    /// Variance-preserving cosine: `α = sin(πt/2)`, `σ = cos(πt/2)`, so `α² + σ² = 1`.
    Cosine,
    /// Lipman et al.'s OT path: `α = t`, `σ = 1 − (1 − σ_min)·t`; data is blurred by `σ_min`.
    OtSigmaMin {
        /// The noise left at `t = 1`.
        sigma_min: f64,
    },
    /// Polynomial schedule: `α = tⁿ`, `σ = 1 − tⁿ` (slow start for n > 1).
    Polynomial {
        /// The exponent `n > 0`.
        exponent: f64,
    },
}

/// The schedule at one time: `(α, σ, α̇, σ̇)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coefficients {
    /// Weight of the data point.
    pub alpha: f64,
    /// Weight of the noise point.
    pub sigma: f64,
    /// dα/dt.
    pub d_alpha: f64,
    /// dσ/dt.
    pub d_sigma: f64,
}

impl Path {
    /// Names accepted by [`FromStr`], in menu order.
    pub const NAMES: [&'static str; 4] = ["linear", "cosine", "sigma-min", "poly"];

    /// The default σ_min of [`Path::OtSigmaMin`] when parsed from its name.
    pub const DEFAULT_SIGMA_MIN: f64 = 1e-2;
    /// The default exponent of [`Path::Polynomial`] when parsed from its name.
    pub const DEFAULT_EXPONENT: f64 = 2.0;

    /// The short name (parameters are not included).
    pub fn name(&self) -> &'static str {
        match self {
            Path::Linear => "linear",
            Path::Cosine => "cosine",
            Path::OtSigmaMin { .. } => "sigma-min",
            Path::Polynomial { .. } => "poly",
        }
    }

    /// Checks the parameters: `0 ≤ σ_min < 1`, `0 < n ≤ 10`.
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            Path::OtSigmaMin { sigma_min } if !(0.0..1.0).contains(&sigma_min) => Err(format!(
                "sigma-min path needs 0 <= sigma_min < 1, got {sigma_min}"
            )),
            Path::Polynomial { exponent } if !(exponent > 0.0 && exponent <= 10.0) => Err(format!(
                "poly path needs an exponent in (0, 10], got {exponent}"
            )),
            _ => Ok(()),
        }
    }

    /// `(α_t, σ_t, α̇_t, σ̇_t)` at time `t ∈ [0, 1]`.
    pub fn coefficients(&self, t: f64) -> Coefficients {
        match *self {
            Path::Linear => Coefficients {
                alpha: t,
                sigma: 1.0 - t,
                d_alpha: 1.0,
                d_sigma: -1.0,
            },
            Path::Cosine => {
                let (s, c) = (FRAC_PI_2 * t).sin_cos();
                Coefficients {
                    alpha: s,
                    sigma: c,
                    d_alpha: FRAC_PI_2 * c,
                    d_sigma: -FRAC_PI_2 * s,
                }
            }
            Path::OtSigmaMin { sigma_min } => Coefficients {
                alpha: t,
                sigma: 1.0 - (1.0 - sigma_min) * t,
                d_alpha: 1.0,
                d_sigma: -(1.0 - sigma_min),
            },
            Path::Polynomial { exponent: n } => {
                let tn = t.powf(n);
                // d/dt tⁿ = n·tⁿ⁻¹, written so that t = 0 with n < 1 gives +∞ rather than NaN.
                let d = if t > 0.0 {
                    n * tn / t
                } else if n == 1.0 {
                    1.0
                } else if n > 1.0 {
                    0.0
                } else {
                    f64::INFINITY
                };
                Coefficients {
                    alpha: tn,
                    sigma: 1.0 - tn,
                    d_alpha: d,
                    d_sigma: -d,
                }
            }
        }
    }

    /// One point of the path: returns `(x_t, u_t)` for noise `x0`, data `x1` (each `[2]`).
    pub fn interpolate(&self, x0: [f32; 2], x1: [f32; 2], t: f64) -> ([f32; 2], [f32; 2]) {
        let c = self.coefficients(t);
        let mut xt = [0.0; 2];
        let mut ut = [0.0; 2];
        for k in 0..2 {
            let (a, b) = (x1[k] as f64, x0[k] as f64);
            xt[k] = (c.alpha * a + c.sigma * b) as f32;
            ut[k] = (c.d_alpha * a + c.d_sigma * b) as f32;
        }
        (xt, ut)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::OtSigmaMin { sigma_min } => write!(f, "sigma-min:{sigma_min}"),
            Path::Polynomial { exponent } => write!(f, "poly:{exponent}"),
            _ => f.write_str(self.name()),
        }
    }
}

impl FromStr for Path {
    type Err = String;

    /// `linear`, `cosine`, `sigma-min[:σ]`, `poly[:n]`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, arg) = match s.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (s, None),
        };
        let number = |default: f64| -> Result<f64, String> {
            match arg {
                None => Ok(default),
                Some(a) => a
                    .parse::<f64>()
                    .map_err(|_| format!("path '{name}': '{a}' is not a number")),
            }
        };
        let path = match name {
            "linear" | "cosine" if arg.is_some() => {
                return Err(format!("path '{name}' takes no parameter"))
            }
            "linear" => Path::Linear,
            "cosine" => Path::Cosine,
            "sigma-min" => Path::OtSigmaMin {
                sigma_min: number(Self::DEFAULT_SIGMA_MIN)?,
            },
            "poly" => Path::Polynomial {
                exponent: number(Self::DEFAULT_EXPONENT)?,
            },
            _ => {
                return Err(format!(
                    "unknown path '{s}' (expected one of: {})",
                    Self::NAMES.join(", ")
                ))
            }
        };
        path.validate()?;
        Ok(path)
    }
}
