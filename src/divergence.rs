//! The exact divergence `∇·v = ∂v₁/∂x₁ + ∂v₂/∂x₂` of a velocity field on 2-D points.
//!
//! For the learned field the network's Jacobian comes from the hand-written forward-mode pass
//! [`VelocityMlp::forward_with_tangents`](crate::model::VelocityMlp::forward_with_tangents) — no
//! finite differences and no autodiff, so it runs on every backend, WebGPU included. Every
//! parameterisation converts to a velocity linearly, `v = a·x + b·f` (see [`crate::param`]), so
//!
//! ```text
//! ∇·v = 2a + b·(∂f₁/∂x₁ + ∂f₂/∂x₂)
//! ```
//!
//! The exact field's divergence is in closed form ([`crate::exact`]).

use burn::tensor::Tensor;

use crate::exact::ExactField;
use crate::flow::Flow;
use crate::solver::VelocityField;

/// A velocity field that also knows its divergence.
pub trait DivergenceField: VelocityField {
    /// `(v(x, t), ∇·v(x, t))` for `x: [n, 2]` at the shared time `t`: shapes `[n, 2]`, `[n]`.
    fn velocity_divergence(&self, x: Tensor<2>, t: f64) -> (Tensor<2>, Tensor<1>);

    /// `∇·v(x, t)` for `x: [n, 2]`; shape `[n]`.
    fn divergence(&self, x: Tensor<2>, t: f64) -> Tensor<1> {
        self.velocity_divergence(x, t).1
    }
}

impl DivergenceField for Flow {
    fn velocity_divergence(&self, x: Tensor<2>, t: f64) -> (Tensor<2>, Tensor<1>) {
        let [n, _] = x.dims();
        let (out, d1, d2) = self.model.forward_with_tangents(x.clone(), t);
        let (a, b) = self
            .config
            .parameterization
            .to_velocity_coefficients(&self.config.path, t);
        // The trace of the network's Jacobian: ∂f₁/∂x₁ + ∂f₂/∂x₂.
        let trace = (d1.slice([0..n, 0..1]) + d2.slice([0..n, 1..2])).reshape([n]);
        let velocity = x.mul_scalar(a as f32) + out.mul_scalar(b as f32);
        let divergence = trace.mul_scalar(b as f32).add_scalar((2.0 * a) as f32);
        (velocity, divergence)
    }
}

impl DivergenceField for ExactField {
    fn velocity_divergence(&self, x: Tensor<2>, t: f64) -> (Tensor<2>, Tensor<1>) {
        ExactField::velocity_divergence(self, x, t)
    }
}
