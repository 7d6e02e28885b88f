//! The density a flow carries its source to, by the instantaneous change of variables.
//!
//! Along a trajectory of `dx/ds = v(x, s)` the log-density changes by minus the divergence,
//! `d/ds log p_s(x_s) = −∇·v(x_s, s)`. So the density at `(x, t)` comes from integrating the
//! augmented state `[x, ℓ]` backward from `s = t` (where `ℓ = 0`) to `s = 0`:
//!
//! ```text
//! d/ds [x, ℓ] = [v(x, s), ∇·v(x, s)],     log p_t(x) = log p₀(x₀) + ℓ(0) = log p₀(x₀) − ∫₀ᵗ ∇·v ds
//! ```
//!
//! with the same solvers as sampling ([`crate::solver`] integrates the `[n, 3]` state as is) and
//! the exact divergence ([`crate::divergence`]). It needs a source with a closed-form density
//! (a Gaussian or Gaussian mixture, [`crate::mixture`]).
//!
//! The negative log-likelihood of data under the model is `−mean log p₁(x)` in nats per point;
//! it is at least the data's differential entropy, which is known for some datasets
//! ([`differential_entropy`]).

use burn::tensor::Tensor;

use crate::data::Dataset;
use crate::divergence::DivergenceField;
use crate::mixture::{GaussianMixture, LN_2PI};
use crate::solver::{block_on, integrate_async, SolveOptions, Solver, VelocityField};

/// The field `[v, ∇·v]` on augmented states `[x, ℓ]: [n, 3]`.
struct Augmented<'a, F>(&'a F);

impl<F: DivergenceField> VelocityField for Augmented<'_, F> {
    fn velocity(&self, state: Tensor<2>, t: f64) -> Tensor<2> {
        let [n, _] = state.dims();
        let (v, div) = self.0.velocity_divergence(state.slice([0..n, 0..2]), t);
        Tensor::cat(vec![v, div.reshape([n, 1])], 1)
    }
}

/// The result of [`log_density`].
#[derive(Clone, Debug)]
pub struct LogDensity {
    /// `log p_t(x)`, shape `[n]`.
    pub log_p: Tensor<1>,
    /// Where each point started at t = 0, shape `[n, 2]`.
    pub x0: Tensor<2>,
    /// `−∫₀ᵗ ∇·v ds` along each trajectory, shape `[n]`.
    pub log_det: Tensor<1>,
    /// Evaluations of the field (each one velocity and divergence).
    pub nfe: usize,
    /// False when dopri5 stopped at its evaluation budget before reaching t = 0.
    pub completed: bool,
}

/// `log p_t(x)` of the flow of `field` from `source`, for `x: [n, 2]`, integrating backward
/// with `solver` in `steps` steps (fixed-step methods) — see the module docs.
pub async fn log_density_async(
    field: &impl DivergenceField,
    source: &GaussianMixture,
    x: Tensor<2>,
    t: f64,
    solver: Solver,
    steps: usize,
) -> LogDensity {
    let [n, _] = x.dims();
    let device = x.device();
    let state = Tensor::cat(vec![x, Tensor::zeros([n, 1], &device)], 1);
    let options = SolveOptions {
        t0: t,
        t1: 0.0,
        ..SolveOptions::forward(steps)
    };
    let solution = integrate_async(&Augmented(field), solver, state, &options).await;
    let x0 = solution.x.clone().slice([0..n, 0..2]);
    let log_det = solution.x.slice([0..n, 2..3]).reshape([n]);
    LogDensity {
        log_p: source.log_density(x0.clone()) + log_det.clone(),
        x0,
        log_det,
        nfe: solution.nfe,
        completed: solution.completed,
    }
}

/// [`log_density_async`], synchronously (native code; in the browser only fixed-step solvers).
pub fn log_density(
    field: &impl DivergenceField,
    source: &GaussianMixture,
    x: Tensor<2>,
    t: f64,
    solver: Solver,
    steps: usize,
) -> LogDensity {
    block_on(log_density_async(field, source, x, t, solver, steps))
}

/// The differential entropy `−∫ p log p` of a dataset at its default spread in nats, where it is
/// known in closed form:
/// `checkerboard` is uniform with density 1/32 on 8 squares of area 4 (`log 32`), `gaussian`
/// is `N(0, I)` (`1 + log 2π`).
pub fn differential_entropy(dataset: Dataset) -> Option<f64> {
    match dataset {
        Dataset::Checkerboard => Some(32f64.ln()),
        Dataset::Gaussian => {
            let s = GaussianMixture::dataset_component_std(dataset)?;
            Some(1.0 + LN_2PI + 2.0 * s.ln())
        }
        _ => None,
    }
}

/// Points per batch in [`negative_log_likelihood`].
const NLL_BATCH: usize = 4096;

/// The negative log-likelihood `−(1/n) Σ log p₁(x_i)` of `data: [n, 2]` (flat) under the flow
/// of `field` from `source`, in nats per point; the points are carried back in batches.
/// Reads the result synchronously: native code and tests.
pub fn negative_log_likelihood(
    field: &impl DivergenceField,
    source: &GaussianMixture,
    data: &[f32],
    solver: Solver,
    steps: usize,
    device: &burn::tensor::Device,
) -> f64 {
    block_on(negative_log_likelihood_async(
        field, source, data, solver, steps, device,
    ))
    .expect("reading the CPU backend does not fail")
}

/// [`negative_log_likelihood`] without blocking: each batch's sum is read asynchronously (the
/// browser's way).
pub async fn negative_log_likelihood_async(
    field: &impl DivergenceField,
    source: &GaussianMixture,
    data: &[f32],
    solver: Solver,
    steps: usize,
    device: &burn::tensor::Device,
) -> Result<f64, String> {
    let n = data.len() / 2;
    let mut total = 0.0f64;
    for chunk in data.chunks(2 * NLL_BATCH) {
        let x = crate::flow::to_tensor(chunk, device);
        let result = log_density_async(field, source, x, 1.0, solver, steps).await;
        let sum = crate::flow::read_async(vec![result.log_p.sum().reshape([1, 1])]).await?;
        total += sum[0][0] as f64;
    }
    Ok(-total / n.max(1) as f64)
}
