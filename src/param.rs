//! Output parameterisations: what the network is trained to predict.
//!
//! For an affine path `x = α·x₁ + σ·x₀` with velocity `u = α̇·x₁ + σ̇·x₀` (see [`crate::path`]),
//! knowing `x` and any one of `u`, `x₀` (the noise ε) or `x₁` (the data) fixes the other two,
//! because the 2×2 system has determinant `D = α·σ̇ − σ·α̇ ≠ 0` for every path here:
//!
//! ```text
//! from ε:  u = (α̇/α)·x + (σ̇ − α̇σ/α)·ε        (singular at α = 0, t = 0)
//! from x₁: u = (σ̇/σ)·x + (α̇ − σ̇α/σ)·x₁       (singular at σ = 0, t = 1)
//! from u:  x₁ = (σ̇·x − σ·u)/D,   ε = (α·u − α̇·x)/D
//! ```
//!
//! Every conversion is linear, `out = a·x + b·prediction`, so one pair of scalars per time does it
//! for a whole batch of particles.

use std::fmt;
use std::str::FromStr;

use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

use crate::path::Path;

/// What the network outputs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parameterization {
    /// The velocity `u_t` itself (flow matching's native target).
    #[default]
    Velocity,
    /// The noise `ε = x₀` (as in DDPM).
    Noise,
    /// The data `x₁` (as in x-prediction / EDM's denoiser).
    Data,
}

/// Conversion times are kept this far inside `[0, 1]`, where ε- and x₁-prediction are singular.
pub const T_EPS: f64 = 1e-3;

impl Parameterization {
    /// Every parameterisation, in menu order.
    pub const ALL: [Parameterization; 3] = [
        Parameterization::Velocity,
        Parameterization::Noise,
        Parameterization::Data,
    ];

    /// The name used on the command line, in URLs and in saved configs.
    pub fn name(self) -> &'static str {
        match self {
            Parameterization::Velocity => "velocity",
            Parameterization::Noise => "noise",
            Parameterization::Data => "data",
        }
    }

    /// The regression target for one pair: `u`, `x₀` or `x₁`.
    pub fn target(self, x0: [f32; 2], x1: [f32; 2], u: [f32; 2]) -> [f32; 2] {
        match self {
            Parameterization::Velocity => u,
            Parameterization::Noise => x0,
            Parameterization::Data => x1,
        }
    }

    /// `(a, b)` with `u = a·x + b·prediction` at time `t` (clamped to `[T_EPS, 1 − T_EPS]`
    /// where the conversion is singular).
    pub fn to_velocity_coefficients(self, path: &Path, t: f64) -> (f64, f64) {
        match self {
            Parameterization::Velocity => (0.0, 1.0),
            Parameterization::Noise => {
                let c = path.coefficients(t.max(T_EPS));
                (
                    c.d_alpha / c.alpha,
                    c.d_sigma - c.d_alpha * c.sigma / c.alpha,
                )
            }
            Parameterization::Data => {
                let mut c = path.coefficients(t);
                if c.sigma.abs() < T_EPS {
                    c = path.coefficients(t.min(1.0 - T_EPS));
                }
                (
                    c.d_sigma / c.sigma,
                    c.d_alpha - c.d_sigma * c.alpha / c.sigma,
                )
            }
        }
    }

    /// `(a, b)` with `prediction = a·x + b·u` at time `t`: the inverse of
    /// [`to_velocity_coefficients`](Self::to_velocity_coefficients).
    pub fn from_velocity_coefficients(self, path: &Path, t: f64) -> (f64, f64) {
        let c = path.coefficients(t);
        let det = c.alpha * c.d_sigma - c.sigma * c.d_alpha;
        match self {
            Parameterization::Velocity => (0.0, 1.0),
            Parameterization::Noise => (-c.d_alpha / det, c.alpha / det),
            Parameterization::Data => (c.d_sigma / det, -c.sigma / det),
        }
    }

    /// The velocity for a batch: `prediction` and `x` have shape `[n, 2]`, all at time `t`.
    pub fn to_velocity(
        self,
        path: &Path,
        x: Tensor<2>,
        prediction: Tensor<2>,
        t: f64,
    ) -> Tensor<2> {
        match self {
            Parameterization::Velocity => prediction,
            _ => {
                let (a, b) = self.to_velocity_coefficients(path, t);
                x.mul_scalar(a as f32) + prediction.mul_scalar(b as f32)
            }
        }
    }
}

impl fmt::Display for Parameterization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Parameterization {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Parameterization::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                format!("unknown parameterization '{s}' (expected one of: velocity, noise, data)")
            })
    }
}
