//! The score `∇log p_t(x)` of the marginals, from the velocity.
//!
//! With a Gaussian source `x₀ ~ N(μ, s₀²·I)` on an affine path `x_t = α·x₁ + σ·x₀` (see
//! [`crate::path`]), Tweedie's formula gives the score from the posterior mean of the noise,
//! and the velocity gives that mean (see [`crate::param`]: `x₀ = (α·u − α̇·x)/D`,
//! `D = α·σ̇ − α̇·σ ≠ 0` on every path here):
//!
//! ```text
//! ∇log p_t(x) = −(E[x₀ | x_t = x] − μ)/(σ·s₀²)
//!             = (α̇·x − α·v)/(σ·(α·σ̇ − α̇·σ))          (μ = 0, s₀ = 1; linear: (t·v − x)/(1 − t))
//!             = −ε̂/σ                                  (from a noise-predicting network)
//! ```
//!
//! The score is singular where σ = 0 (t = 1 on the linear, cosine and polynomial paths; never on
//! `sigma-min`); `σ·∇log p_t = −(x̂₀ − μ)/s₀²` is not, so the fields here hand out that
//! σ-scaled score, which the SDE sampler ([`crate::sde`]) multiplies by `g² ∝ σ²` anyway. The
//! plain score is evaluated at `t` moved back to where `σ ≥` [`T_EPS`], the clamp the
//! parameterisations use. A mixture source with more than one component has no such formula (its
//! score needs the posterior over components, not only the mean): that is an error.

use burn::tensor::Tensor;

use crate::exact::ExactField;
use crate::flow::Flow;
use crate::mixture::GaussianMixture;
use crate::param::{Parameterization, T_EPS};
use crate::path::Path;
use crate::solver::VelocityField;

/// A velocity field that also knows the score of its marginals.
pub trait ScoreField: VelocityField {
    /// The probability path (for σ_t).
    fn path(&self) -> &Path;

    /// `(v(x, t), σ_t·∇log p_t(x))` for `x: [n, 2]`, both `[n, 2]`, finite for every t in [0, 1].
    fn velocity_scaled_score(&self, x: Tensor<2>, t: f64) -> (Tensor<2>, Tensor<2>);

    /// `∇log p_t(x)` for `x: [n, 2]`; shape `[n, 2]` (t clamped to where `σ ≥ T_EPS`).
    fn score(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        let t = clamped_time(self.path(), t);
        let sigma = self.path().coefficients(t).sigma;
        self.velocity_scaled_score(x, t)
            .1
            .mul_scalar((1.0 / sigma) as f32)
    }
}

/// `t`, or `1 − T_EPS` where `σ_t < T_EPS` (near t = 1).
pub fn clamped_time(path: &Path, t: f64) -> f64 {
    if path.coefficients(t).sigma < T_EPS {
        t.min(1.0 - T_EPS)
    } else {
        t
    }
}

/// `(a, b)` with `x̂₀ = a·x + b·prediction`: the posterior mean of the source point from what
/// `param` predicts at time `t` (clamped where the conversion is singular).
pub fn source_mean_coefficients(param: Parameterization, path: &Path, t: f64) -> (f64, f64) {
    match param {
        Parameterization::Noise => (0.0, 1.0),
        // x₀ = (α·u − α̇·x)/D.
        Parameterization::Velocity => Parameterization::Noise.from_velocity_coefficients(path, t),
        // x₀ = (x − α·x̂₁)/σ.
        Parameterization::Data => {
            let c = path.coefficients(clamped_time(path, t));
            (1.0 / c.sigma, -c.alpha / c.sigma)
        }
    }
}

/// `σ_t·∇log p_t(x)` from the velocity `v` at `x` (both `[n, 2]`) on `path`, for the source
/// `N(mean, std²·I)`: `−(x̂₀ − μ)/s₀²` with `x̂₀ = (α·v − α̇·x)/(α·σ̇ − α̇·σ)`.
pub fn scaled_score_from_velocity(
    path: &Path,
    x: Tensor<2>,
    v: Tensor<2>,
    t: f64,
    mean: [f64; 2],
    std: f64,
) -> Tensor<2> {
    let [n, _] = x.dims();
    let (a0, b0) = Parameterization::Noise.from_velocity_coefficients(path, t);
    let mu = crate::mixture::row(&[mean[0] as f32, mean[1] as f32], &x.device()).repeat_dim(0, n);
    (x.mul_scalar(a0 as f32) + v.mul_scalar(b0 as f32) - mu).mul_scalar((-1.0 / (std * std)) as f32)
}

/// `∇log p_t(x)` from the velocity `v` at `x` (both `[n, 2]`), for the source
/// `N(mean, std²·I)`: [`scaled_score_from_velocity`] over σ_t. With `N(0, I)` this is
/// `(α̇·x − α·v)/(σ·(α·σ̇ − α̇·σ))`. Singular at σ = 0: call it where `σ_t > 0`.
pub fn score_from_velocity(
    path: &Path,
    x: Tensor<2>,
    v: Tensor<2>,
    t: f64,
    mean: [f64; 2],
    std: f64,
) -> Tensor<2> {
    let sigma = path.coefficients(t).sigma;
    scaled_score_from_velocity(path, x, v, t, mean, std).mul_scalar((1.0 / sigma) as f32)
}

/// The learned score of a flow from a Gaussian source.
#[derive(Clone, Debug)]
pub struct LearnedScore<'a> {
    flow: &'a Flow,
    mean: [f64; 2],
    std: f64,
}

impl<'a> LearnedScore<'a> {
    /// The score of `flow`'s marginals; `source` must be a single isotropic Gaussian.
    pub fn new(flow: &'a Flow, source: &GaussianMixture) -> Result<Self, String> {
        let (mean, std) = source.as_isotropic().ok_or_else(|| {
            format!(
                "the score from the velocity needs a Gaussian source, not a mixture of {} \
                 components",
                source.len()
            )
        })?;
        Ok(Self { flow, mean, std })
    }
}

impl VelocityField for LearnedScore<'_> {
    fn velocity(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        self.flow.velocity(x, t)
    }
}

impl ScoreField for LearnedScore<'_> {
    fn path(&self) -> &Path {
        &self.flow.config.path
    }

    fn velocity_scaled_score(&self, x: Tensor<2>, t: f64) -> (Tensor<2>, Tensor<2>) {
        let [n, _] = x.dims();
        let config = &self.flow.config;
        let prediction = self.flow.model.forward_at(x.clone(), t);
        let (a, b) = config
            .parameterization
            .to_velocity_coefficients(&config.path, t);
        let (a0, b0) = source_mean_coefficients(config.parameterization, &config.path, t);
        let velocity = x.clone().mul_scalar(a as f32) + prediction.clone().mul_scalar(b as f32);
        // σ·∇log p = −(x̂₀ − μ)/s₀².
        let k = -1.0 / (self.std * self.std);
        let mean = crate::mixture::row(&[self.mean[0] as f32, self.mean[1] as f32], &x.device());
        let x0_hat = x.mul_scalar(a0 as f32) + prediction.mul_scalar(b0 as f32);
        let scaled = (x0_hat - mean.repeat_dim(0, n)).mul_scalar(k as f32);
        (velocity, scaled)
    }
}

impl ScoreField for ExactField {
    fn path(&self) -> &Path {
        ExactField::path(self)
    }

    fn velocity_scaled_score(&self, x: Tensor<2>, t: f64) -> (Tensor<2>, Tensor<2>) {
        self.velocity_scaled_score(x, t)
    }
}
