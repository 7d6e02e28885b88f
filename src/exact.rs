//! The exact marginal velocity field of an empirical target under a Gaussian source.
//!
//! For data points `d₁…d_M` (each with mass 1/M), noise `x₀ ~ N(0, I)` and an affine path
//! `x_t = α·x₁ + σ·x₀`, the posterior over which data point a particle at `x` is heading to is a
//! softmax, and the marginal field is the posterior average of the conditional velocities:
//!
//! ```text
//! w_i(x, t) = softmax_i( −‖x − α·d_i‖² / (2σ²) )
//! x̂₁(x, t)  = Σ_i w_i · d_i                          (the optimal x₁-predictor)
//! u(x, t)   = Σ_i w_i · (α̇·d_i + σ̇·(x − α·d_i)/σ)   = (σ̇/σ)·x + (α̇ − σ̇α/σ)·x̂₁
//! ```
//!
//! This is the field flow matching regresses onto — what an infinitely large network trained
//! forever on these M points would learn — drawn beside the learned field and used as a test
//! oracle. Integrating it carries N(0, I) onto the M points exactly (it memorises them).

use burn::tensor::{activation::softmax, Device, Tensor, TensorData};

use crate::param::Parameterization;
use crate::path::Path;
use crate::solver::VelocityField;

/// Closed-form marginal velocity for `data: [M, 2]` under `path` with a standard normal source.
#[derive(Clone, Debug)]
pub struct ExactField {
    path: Path,
    /// Data points `[M, 2]`.
    data: Tensor<2>,
    /// Their transposes `[2, M]`, for the `x · dᵀ` products.
    data_t: Tensor<2>,
    /// Squared norms `‖d_i‖²`, shape `[1, M]`.
    data_sq: Tensor<2>,
}

/// The smallest σ used: at t = 1 the posterior is a nearest-neighbour pick, kept finite.
const MIN_SIGMA: f64 = 1e-3;

impl ExactField {
    /// The field of the points `data` (flat `[M, 2]`, M ≥ 1) under `path`, on `device`.
    pub fn new(path: Path, data: &[f32], device: &Device) -> Self {
        assert!(
            data.len() >= 2 && data.len().is_multiple_of(2),
            "data must be [M, 2], M ≥ 1"
        );
        let m = data.len() / 2;
        let sq: Vec<f32> = data
            .chunks_exact(2)
            .map(|p| p[0] * p[0] + p[1] * p[1])
            .collect();
        let data_tensor = Tensor::<2>::from_data(TensorData::new(data.to_vec(), [m, 2]), device);
        Self {
            path,
            data_t: data_tensor.clone().transpose(),
            data: data_tensor,
            data_sq: Tensor::from_data(TensorData::new(sq, [1, m]), device),
        }
    }

    /// The posterior mean `x̂₁(x, t) = E[x₁ | x_t = x]` for `x: [n, 2]`; shape `[n, 2]`.
    pub fn posterior_mean(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        let c = self.path.coefficients(t);
        let sigma = c.sigma.max(MIN_SIGMA);
        // −‖x − αd‖²/(2σ²) = (2α x·d − α²‖d‖²)/(2σ²) − ‖x‖²/(2σ²); the last term is the same
        // for every i and cancels in the softmax.
        let inv = 1.0 / (2.0 * sigma * sigma);
        let logits = x
            .matmul(self.data_t.clone())
            .mul_scalar((2.0 * c.alpha * inv) as f32)
            - self
                .data_sq
                .clone()
                .mul_scalar((c.alpha * c.alpha * inv) as f32);
        softmax(logits, 1).matmul(self.data.clone())
    }
}

impl VelocityField for ExactField {
    /// `u(x, t)` for `x: [n, 2]`; shape `[n, 2]`.
    fn velocity(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        let x1_hat = self.posterior_mean(x.clone(), t);
        Parameterization::Data.to_velocity(&self.path, x, x1_hat, t)
    }
}
