//! A flow: the velocity network together with everything needed to sample from it.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{Device, Tensor, TensorData, Transaction};
use serde::{Deserialize, Serialize};

use crate::data::Distribution;
use crate::model::{VelocityMlp, VelocityMlpConfig};
use crate::param::Parameterization;
use crate::path::Path;
use crate::rng::Rng;
use crate::solver::{self, Solution, SolveOptions, Solver, VelocityField};

/// What a saved model needs besides its weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowConfig {
    /// The network's shape.
    pub model: VelocityMlpConfig,
    /// The probability path it was trained on.
    pub path: Path,
    /// What the network predicts.
    pub parameterization: Parameterization,
    /// The source distribution's label (a dataset name, or `points(N)` for a user cloud).
    pub source: String,
    /// The target distribution's label.
    pub target: String,
    /// Optimiser steps taken.
    pub steps: usize,
    /// How often a training label was replaced by ∅ (conditional models; absent from older
    /// files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_dropout: Option<f64>,
    /// Rectifications behind these weights: 0 for a flow trained on its coupling, k for one
    /// trained on the pairs of a (k−1)-rectified flow (absent from older files: 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reflows: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A network ready for sampling (on a device without autodiff) and its config.
#[derive(Debug, Clone)]
pub struct Flow {
    /// Everything but the weights.
    pub config: FlowConfig,
    /// The weights.
    pub model: VelocityMlp,
}

impl VelocityField for Flow {
    /// The learned velocity, converted from the network's parameterisation.
    fn velocity(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        let prediction = self.model.forward_at(x.clone(), t);
        self.config
            .parameterization
            .to_velocity(&self.config.path, x, prediction, t)
    }
}

impl Flow {
    /// The velocity at `x: [n, 2]`, time `t`, with one-hot `labels: [n, K + 1]` (∅ when `None`)
    /// and shortcut step size `step` (0: the instantaneous velocity); shape `[n, 2]`. Inputs the
    /// network lacks are ignored.
    pub fn velocity_conditioned(
        &self,
        x: Tensor<2>,
        t: f64,
        labels: Option<Tensor<2>>,
        step: f64,
    ) -> Tensor<2> {
        let [n, _] = x.dims();
        let device = x.device();
        let times = Tensor::full([n, 1], t as f32, &device);
        let steps = (self.model.is_shortcut() && step != 0.0)
            .then(|| Tensor::full([n, 1], step as f32, &device));
        let prediction = self
            .model
            .forward_conditioned(x.clone(), times, labels, steps);
        self.config
            .parameterization
            .to_velocity(&self.config.path, x, prediction, t)
    }

    /// The field for sampling in `steps` equal steps: a shortcut network's average velocity over
    /// a step of `1/steps` (see [`crate::model::Shortcut::step_input`]), else the plain field.
    pub fn stepped(&self, steps: usize) -> Stepped<'_> {
        let step = self
            .config
            .model
            .shortcut
            .map_or(0.0, |s| s.step_input(steps));
        Stepped { flow: self, step }
    }

    /// Draws `n` source points and carries them to `t = 1`.
    pub fn sample(
        &self,
        source: &Distribution,
        n: usize,
        solver: Solver,
        options: &SolveOptions,
        rng: &mut Rng,
        device: &Device,
    ) -> Solution {
        let x0 = to_tensor(&source.sample(n, rng), device);
        solver::integrate(self, solver, x0, options)
    }
}

/// A flow's field at a fixed shortcut step size (see [`Flow::stepped`]).
#[derive(Clone, Copy, Debug)]
pub struct Stepped<'a> {
    flow: &'a Flow,
    /// The step-size input `d` (0 for a plain flow).
    pub step: f64,
}

impl VelocityField for Stepped<'_> {
    fn velocity(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        self.flow.velocity_conditioned(x, t, None, self.step)
    }
}

/// A flat `[n, 2]` host buffer as a tensor on `device`.
pub fn to_tensor(xy: &[f32], device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(xy.to_vec(), [xy.len() / 2, 2]), device)
}

/// A `[n, 2]` tensor read back to the host (synchronously: native code and tests only).
pub fn to_host(x: Tensor<2>) -> Vec<f32> {
    x.into_data()
        .try_into_vec::<f32>()
        .expect("a float tensor reads back as f32")
}

/// Reads several tensors back in one device transaction, without blocking (the browser's way).
pub async fn read_async(tensors: Vec<Tensor<2>>) -> Result<Vec<Vec<f32>>, String> {
    let mut transaction = Transaction::default();
    for t in tensors {
        transaction = transaction.register(t);
    }
    let data = transaction
        .execute_async()
        .await
        .map_err(|e| format!("reading from the device failed: {e:?}"))?;
    data.into_iter()
        .map(|d| {
            d.try_into_vec::<f32>()
                .map_err(|e| format!("unexpected tensor data: {e:?}"))
        })
        .collect()
}

/// A copy of `model`'s weights on `host` (e.g. the CPU backend), read without blocking.
///
/// The route GPU weights take to a weights file, and to the CPU backend when the GPU is lost.
pub async fn copy_model_async(
    model: &VelocityMlp,
    config: &VelocityMlpConfig,
    host: &Device,
) -> Result<VelocityMlp, String> {
    struct Collect(Transaction);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let t = std::mem::take(&mut self.0);
            self.0 = t.register(param.val());
        }
    }
    struct Replace(std::vec::IntoIter<TensorData>);
    impl ModuleMapper for Replace {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let data = self.0.next().expect("one tensor per parameter");
            param.map(|old| Tensor::from_data(data, &old.device()))
        }
    }
    let mut collect = Collect(Transaction::default());
    model.visit(&mut collect);
    let data = collect
        .0
        .execute_async()
        .await
        .map_err(|e| format!("reading the weights failed: {e:?}"))?;
    Ok(config.init(0, host).map(&mut Replace(data.into_iter())))
}
