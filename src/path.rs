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
//!
//! One path is stochastic: the **Brownian bridge** [`Path::Bridge`] of the Schrödinger bridge
//! (SB-CFM, Tong et al. 2024), which adds noise that vanishes at both ends,
//!
//! ```text
//! x_t = (1 − t)·x₀ + t·x₁ + σ·√(t(1 − t))·ε,      ε ~ N(0, I)
//! u_t = x₁ − x₀ + σ·(1 − 2t) / (2√(t(1 − t)))·ε
//! ```
//!
//! `u_t` is the derivative of `x_t` for the fixed draw ε (d/dt √(t(1−t)) = (1−2t)/(2√(t(1−t)))),
//! the conditional field that generates the Gaussian N((1−t)x₀ + t·x₁, σ²t(1−t)·I). Pair it
//! with the Sinkhorn coupling for the Schrödinger bridge itself: its static coupling is entropic
//! OT with regularisation 2σ² on the raw squared distance. With an independent standard normal
//! `x₀`, `x_t` given `x₁` is N(t·x₁, s_t²·I), `s_t² = (1 − t)² + σ²t(1 − t)`, so its marginal
//! path is the affine one with `α = t`, `σ_t = s_t` — which [`Path::coefficients`] returns (the
//! exact field uses it) — and the average of `u_t` given `x_t` is that affine path's field.

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
    /// Brownian bridge `(1 − t)·x₀ + t·x₁ + σ·√(t(1 − t))·ε` (stochastic; see the module docs).
    Bridge {
        /// The bridge's noise scale σ ≥ 0 (0 is the linear path).
        sigma: f64,
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
    pub const NAMES: [&'static str; 5] = ["linear", "cosine", "sigma-min", "poly", "bridge"];

    /// The default σ_min of [`Path::OtSigmaMin`] when parsed from its name.
    pub const DEFAULT_SIGMA_MIN: f64 = 1e-2;
    /// The default exponent of [`Path::Polynomial`] when parsed from its name.
    pub const DEFAULT_EXPONENT: f64 = 2.0;
    /// The default σ of [`Path::Bridge`] when parsed from its name.
    pub const DEFAULT_BRIDGE_SIGMA: f64 = 0.5;
    /// The largest bridge σ accepted.
    pub const MAX_BRIDGE_SIGMA: f64 = 10.0;

    /// The short name (parameters are not included).
    pub fn name(&self) -> &'static str {
        match self {
            Path::Linear => "linear",
            Path::Cosine => "cosine",
            Path::OtSigmaMin { .. } => "sigma-min",
            Path::Polynomial { .. } => "poly",
            Path::Bridge { .. } => "bridge",
        }
    }

    /// True for the one path whose points are random given `(x₀, x₁, t)`.
    pub fn is_stochastic(&self) -> bool {
        matches!(self, Path::Bridge { .. })
    }

    /// Checks the parameters: `0 ≤ σ_min < 1`, `0 < n ≤ 10`, `0 ≤ σ_bridge ≤ 10`.
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            Path::OtSigmaMin { sigma_min } if !(0.0..1.0).contains(&sigma_min) => Err(format!(
                "sigma-min path needs 0 <= sigma_min < 1, got {sigma_min}"
            )),
            Path::Polynomial { exponent } if !(exponent > 0.0 && exponent <= 10.0) => Err(format!(
                "poly path needs an exponent in (0, 10], got {exponent}"
            )),
            Path::Bridge { sigma } if !(0.0..=Self::MAX_BRIDGE_SIGMA).contains(&sigma) => {
                Err(format!(
                    "bridge path needs 0 <= sigma <= {}, got {sigma}",
                    Self::MAX_BRIDGE_SIGMA
                ))
            }
            _ => Ok(()),
        }
    }

    /// `(α_t, σ_t, α̇_t, σ̇_t)` at time `t ∈ [0, 1]`. For [`Path::Bridge`], the schedule of its
    /// marginal path under an independent standard normal source: `α = t`,
    /// `σ_t = √((1 − t)² + σ²t(1 − t))`.
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
            Path::Bridge { sigma } => {
                let s2 = sigma * sigma;
                let var = (1.0 - t) * (1.0 - t) + s2 * t * (1.0 - t);
                let s = var.sqrt();
                // d(s²)/dt = −2(1 − t) + σ²(1 − 2t), and ds/dt = (d(s²)/dt)/(2s).
                let d_var = -2.0 * (1.0 - t) + s2 * (1.0 - 2.0 * t);
                Coefficients {
                    alpha: t,
                    sigma: s,
                    d_alpha: 1.0,
                    d_sigma: if s > 0.0 { d_var / (2.0 * s) } else { 0.0 },
                }
            }
        }
    }

    /// One point of the path: returns `(x_t, u_t)` for noise `x0`, data `x1` (each `[2]`). For
    /// [`Path::Bridge`] this is the bridge's mean, the draw ε = 0 (see [`bridge_point`]).
    pub fn interpolate(&self, x0: [f32; 2], x1: [f32; 2], t: f64) -> ([f32; 2], [f32; 2]) {
        if let Path::Bridge { sigma } = *self {
            return bridge_point(sigma, x0, x1, t, [0.0, 0.0]);
        }
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

    /// One training point `(x_t, u_t)`: [`interpolate`](Self::interpolate) for the affine paths
    /// (no draw), a fresh bridge noise ε (two normals from `rng`) for [`Path::Bridge`].
    pub fn sample_point(
        &self,
        x0: [f32; 2],
        x1: [f32; 2],
        t: f64,
        rng: &mut crate::rng::Rng,
    ) -> ([f32; 2], [f32; 2]) {
        match *self {
            Path::Bridge { sigma } => {
                let eps = [rng.normal(), rng.normal()];
                bridge_point(sigma, x0, x1, t, eps)
            }
            _ => self.interpolate(x0, x1, t),
        }
    }
}

/// The Brownian bridge's point and conditional velocity for the noise draw `eps`:
/// `x_t = (1 − t)·x₀ + t·x₁ + σ√(t(1−t))·ε`, `u_t = x₁ − x₀ + σ(1 − 2t)/(2√(t(1−t)))·ε`.
///
/// The noise term of `u_t` grows like `1/√t` at the ends; its factor is evaluated at `t` kept
/// `1e-6` inside `[0, 1]`, so a draw of exactly 0 or 1 stays finite.
pub fn bridge_point(
    sigma: f64,
    x0: [f32; 2],
    x1: [f32; 2],
    t: f64,
    eps: [f64; 2],
) -> ([f32; 2], [f32; 2]) {
    let root = (t * (1.0 - t)).max(0.0).sqrt();
    let inner = t.clamp(1e-6, 1.0 - 1e-6);
    let rate = sigma * (1.0 - 2.0 * inner) / (2.0 * (inner * (1.0 - inner)).sqrt());
    let mut xt = [0.0; 2];
    let mut ut = [0.0; 2];
    for k in 0..2 {
        let (a, b) = (x0[k] as f64, x1[k] as f64);
        xt[k] = ((1.0 - t) * a + t * b + sigma * root * eps[k]) as f32;
        ut[k] = (b - a + rate * eps[k]) as f32;
    }
    (xt, ut)
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::OtSigmaMin { sigma_min } => write!(f, "sigma-min:{sigma_min}"),
            Path::Polynomial { exponent } => write!(f, "poly:{exponent}"),
            Path::Bridge { sigma } => write!(f, "bridge:{sigma}"),
            _ => f.write_str(self.name()),
        }
    }
}

impl FromStr for Path {
    type Err = String;

    /// `linear`, `cosine`, `sigma-min[:σ]`, `poly[:n]`, `bridge[:σ]`.
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
            "bridge" => Path::Bridge {
                sigma: number(Self::DEFAULT_BRIDGE_SIGMA)?,
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
