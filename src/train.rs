//! The training loop: conditional flow matching with Adam, written by hand so that it runs the
//! same natively and in the browser.
//!
//! Each step draws a batch on the host — data `x₁ ~ p₁`, source `x₀ ~ p₀`, a coupling of the two,
//! times `t` — builds `x_t` and the regression target on its path (see [`crate::path`] and
//! [`crate::param`]), uploads three small tensors and takes one optimiser step on
//!
//! ```text
//! L(θ) = 1/(2B) Σ_b ‖f_θ(x_t⁽ᵇ⁾, t⁽ᵇ⁾) − target⁽ᵇ⁾‖²      (the mean over batch and both coordinates)
//! ```
//!
//! [`Trainer::step`] returns the loss as a device tensor and never reads it: the caller decides
//! when to pay for a read (in the browser, asynchronously every k steps).

use burn::config::Config;
use burn::grad_clipping::GradientClippingConfig;
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor, TensorData};

use crate::coupling::Coupling;
use crate::data::Distribution;
use crate::flow::{to_tensor, Flow, FlowConfig};
use crate::model::{VelocityMlp, VelocityMlpConfig};
use crate::param::Parameterization;
use crate::path::Path;
use crate::rng::Rng;
use crate::time::TimeSampling;

/// Hyperparameters of a training run.
#[derive(Config, Debug, PartialEq)]
pub struct TrainConfig {
    /// The network.
    pub model: VelocityMlpConfig,
    /// The probability path.
    #[config(default = "Path::Linear")]
    pub path: Path,
    /// What the network predicts.
    #[config(default = "Parameterization::Velocity")]
    pub parameterization: Parameterization,
    /// How noise and data are paired.
    #[config(default = "Coupling::Independent")]
    pub coupling: Coupling,
    /// How training times are drawn.
    #[config(default = "TimeSampling::Uniform")]
    pub time_sampling: TimeSampling,
    /// Pairs per step.
    #[config(default = 256)]
    pub batch_size: usize,
    /// Adam's peak learning rate.
    #[config(default = 1e-3)]
    pub learning_rate: f64,
    /// Steps of linear warm-up from 0 to the peak rate.
    #[config(default = 0)]
    pub warmup_steps: usize,
    /// Cosine decay to 1% of the peak over this many steps (then constant); `None`: constant.
    #[config(default = "None")]
    pub decay_steps: Option<usize>,
    /// Clip each parameter tensor's gradient to this L2 norm.
    #[config(default = "None")]
    pub grad_clip_norm: Option<f32>,
    /// Keep an exponential moving average of the weights with this decay (e.g. 0.999) and sample
    /// from it.
    #[config(default = "None")]
    pub ema_decay: Option<f64>,
    /// Seeds the weights and every host-side draw.
    #[config(default = 0)]
    pub seed: u64,
}

/// The largest batch accepted.
pub const MAX_BATCH: usize = 16_384;

impl TrainConfig {
    /// Checks every field; the message names the first bad one.
    pub fn validate(&self) -> Result<(), String> {
        self.model.validate()?;
        self.path.validate()?;
        if !(1..=MAX_BATCH).contains(&self.batch_size) {
            return Err(format!(
                "batch size must be in 1..={MAX_BATCH}, got {}",
                self.batch_size
            ));
        }
        self.coupling.validate_batch(self.batch_size)?;
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(format!(
                "learning rate must be a positive number, got {}",
                self.learning_rate
            ));
        }
        if let Some(c) = self.grad_clip_norm {
            if !(c.is_finite() && c > 0.0) {
                return Err(format!("gradient clip must be positive, got {c}"));
            }
        }
        if let Some(d) = self.ema_decay {
            if !(0.0..1.0).contains(&d) {
                return Err(format!("EMA decay must be in [0, 1), got {d}"));
            }
        }
        if let TimeSampling::LogitNormal { mean, std } = self.time_sampling {
            if !(mean.is_finite() && std.is_finite() && std > 0.0) {
                return Err("logit-normal times need a finite mean and std > 0".into());
            }
        }
        Ok(())
    }

    /// The learning rate at `step` (0-based): warm-up, then optional cosine decay.
    pub fn learning_rate_at(&self, step: usize) -> f64 {
        let mut lr = self.learning_rate;
        if self.warmup_steps > 0 && step < self.warmup_steps {
            lr *= (step + 1) as f64 / self.warmup_steps as f64;
        }
        if let Some(total) = self.decay_steps.filter(|&s| s > 0) {
            let progress = (step.min(total) as f64) / total as f64;
            let floor = 0.01;
            lr *= floor + (1.0 - floor) * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos());
        }
        lr
    }
}

/// One batch, built on the host; every buffer is row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// Coupled source points `[B, 2]`.
    pub x0: Vec<f32>,
    /// Data points `[B, 2]`.
    pub x1: Vec<f32>,
    /// Times `[B]`.
    pub t: Vec<f32>,
    /// Points on the paths `[B, 2]`.
    pub xt: Vec<f32>,
    /// Regression targets `[B, 2]`.
    pub target: Vec<f32>,
}

/// Where the loss lives in time: per-sample losses of one step summed by their training time.
///
/// The batch loss is the mean of the per-sample losses `ℓ_b = ½‖f_θ(x_t⁽ᵇ⁾, t⁽ᵇ⁾) − target⁽ᵇ⁾‖²`,
/// so `Σ_j sums[j] = B·loss`; `sums[j]/counts[j]` is the mean loss at times in bin `j`,
/// `[j/bins, (j + 1)/bins)`. Bins fill in proportion to the time density `π(t)`
/// ([`TimeSampling::density`]).
#[derive(Clone, Debug)]
pub struct BinnedLoss {
    /// Sums of the per-sample loss by time bin, shape `[bins]` (on the device, unread).
    pub sums: Tensor<1>,
    /// The number of samples in each bin.
    pub counts: Vec<u32>,
}

/// The bin of time `t` among `bins` equal bins of `[0, 1]` (t = 1 falls in the last).
pub fn time_bin(t: f64, bins: usize) -> usize {
    ((t * bins as f64).floor().max(0.0) as usize).min(bins - 1)
}

/// The state of a training run.
pub struct Trainer {
    config: TrainConfig,
    source: Distribution,
    target: Distribution,
    rng: Rng,
    /// The autodiff device the model trains on.
    device: Device,
    /// Always `Some` between calls (the optimiser takes the model by value).
    model: Option<VelocityMlp>,
    optimizer: ModuleOptimizer,
    ema: Option<VelocityMlp>,
    step: usize,
}

impl Trainer {
    /// A fresh run on `device` (autodiff is enabled on it here).
    pub fn new(
        config: TrainConfig,
        source: Distribution,
        target: Distribution,
        device: &Device,
    ) -> Result<Self, String> {
        config.validate()?;
        let model = config.model.init(config.seed, device);
        Ok(Self::resume(config, source, target, model, 0, device))
    }

    /// Continues from `model` (e.g. loaded weights) that has taken `step` steps already; the
    /// optimiser state starts fresh.
    pub fn resume(
        config: TrainConfig,
        source: Distribution,
        target: Distribution,
        model: VelocityMlp,
        step: usize,
        device: &Device,
    ) -> Self {
        // `train` is Burn's one way onto autodiff: from a plain module on the plain device.
        let plain = device.clone().inner();
        let model = model.valid().to_device(&plain).train();
        let device = plain.autodiff();
        let optimizer = AdamConfig::new()
            .with_epsilon(1e-8)
            .with_grad_clipping(config.grad_clip_norm.map(GradientClippingConfig::Norm))
            .init();
        let ema = config.ema_decay.map(|_| model.valid());
        // Distinct streams for distinct seeds, and distinct from the weight initialisation's.
        let rng = Rng::new(config.seed ^ 0x5EED_DA7A_0000_0000 ^ step as u64);
        Self {
            config,
            source,
            target,
            rng,
            device,
            model: Some(model),
            optimizer,
            ema,
            step,
        }
    }

    /// The run's hyperparameters.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Optimiser steps taken.
    pub fn steps(&self) -> usize {
        self.step
    }

    /// The data distribution.
    pub fn target(&self) -> &Distribution {
        &self.target
    }

    /// The source distribution.
    pub fn source(&self) -> &Distribution {
        &self.source
    }

    /// Draws the next batch of `n` coupled pairs and their path points (advances the run's
    /// random stream).
    pub fn draw_batch(&mut self, n: usize) -> Batch {
        let x1 = self.target.sample(n, &mut self.rng);
        let mut x0 = self.source.sample(n, &mut self.rng);
        self.config.coupling.pair(&mut x0, &x1);
        let mut t = Vec::with_capacity(n);
        let mut xt = Vec::with_capacity(2 * n);
        let mut target = Vec::with_capacity(2 * n);
        for i in 0..n {
            let a = [x0[2 * i], x0[2 * i + 1]];
            let b = [x1[2 * i], x1[2 * i + 1]];
            let time = self.config.time_sampling.sample(&mut self.rng);
            let (point, velocity) = self.config.path.interpolate(a, b, time);
            let y = self.config.parameterization.target(a, b, velocity);
            t.push(time as f32);
            xt.extend_from_slice(&point);
            target.extend_from_slice(&y);
        }
        Batch {
            x0,
            x1,
            t,
            xt,
            target,
        }
    }

    /// One optimiser step. Returns the batch loss as a `[1]` tensor without reading it.
    pub fn step(&mut self) -> Tensor<1> {
        self.step_with(None).0
    }

    /// One optimiser step that also sums the per-sample loss by training time, into `bins`
    /// equal bins of `[0, 1]` (see [`BinnedLoss`]); nothing is read from the device. The plain
    /// [`step`](Self::step) does none of this work.
    pub fn step_binned(&mut self, bins: usize) -> (Tensor<1>, BinnedLoss) {
        let (loss, binned) = self.step_with(Some(bins.max(1)));
        (loss, binned.expect("bins were requested"))
    }

    fn step_with(&mut self, bins: Option<usize>) -> (Tensor<1>, Option<BinnedLoss>) {
        let n = self.config.batch_size;
        let batch = self.draw_batch(n);
        // The one-hot bin of each sample's time, [n, B], built on the host.
        let binning = bins.map(|b| {
            let mut onehot = vec![0.0f32; n * b];
            let mut counts = vec![0u32; b];
            for (i, &t) in batch.t.iter().enumerate() {
                let j = time_bin(t as f64, b);
                onehot[i * b + j] = 1.0;
                counts[j] += 1;
            }
            (onehot, counts, b)
        });
        let xt = to_tensor(&batch.xt, &self.device);
        let t = Tensor::<2>::from_data(TensorData::new(batch.t, [n, 1]), &self.device);
        let target = to_tensor(&batch.target, &self.device);

        let model = self
            .model
            .take()
            .expect("the model is present between steps");
        let residual = model.forward(xt, t) - target;
        let binned = binning.map(|(onehot, counts, b)| {
            // ℓ_b = ½‖r_b‖² (the mean over both coordinates), [1, n] · [n, B] → [B].
            let plain = self.device.clone().inner();
            let per_sample = residual
                .clone()
                .inner()
                .square()
                .mean_dim(1)
                .reshape([1, n]);
            let onehot = Tensor::<2>::from_data(TensorData::new(onehot, [n, b]), &plain);
            BinnedLoss {
                sums: per_sample.matmul(onehot).reshape([b]),
                counts,
            }
        });
        let loss = (residual.clone() * residual).mean();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let lr = self.config.learning_rate_at(self.step);
        let model = self.optimizer.step(lr, model, grads);
        if let (Some(decay), Some(ema)) = (self.config.ema_decay, self.ema.take()) {
            self.ema = Some(ema.lerp_towards(&model.valid(), 1.0 - decay));
        }
        self.model = Some(model);
        self.step += 1;
        (loss.inner(), binned)
    }

    /// The weights to sample from (the EMA when enabled), without autodiff.
    pub fn sampling_model(&self) -> VelocityMlp {
        match &self.ema {
            Some(ema) => ema.clone(),
            None => self.model.as_ref().expect("model present").valid(),
        }
    }

    /// The weights being trained, without autodiff.
    pub fn raw_model(&self) -> VelocityMlp {
        self.model.as_ref().expect("model present").valid()
    }

    /// The current sampling weights packaged with their config.
    pub fn flow(&self) -> Flow {
        Flow {
            config: FlowConfig {
                model: self.config.model.clone(),
                path: self.config.path,
                parameterization: self.config.parameterization,
                source: self.source.label(),
                target: self.target.label(),
                steps: self.step,
            },
            model: self.sampling_model(),
        }
    }
}
