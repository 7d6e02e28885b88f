//! The JavaScript boundary, and the only Rust file that knows about it: parse what the page
//! sends, call the core, hand back typed arrays and promises. No maths here.
//!
//! Every device read is asynchronous (a `Promise`), because a synchronous read of GPU memory in
//! the browser would block the worker. Methods validate their input and return an `Error` with a
//! readable message, leaving the current state untouched.

use std::cell::RefCell;
use std::ops::Range;

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use js_sys::{Float32Array, Float64Array, Object, Promise, Reflect, Uint32Array, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::average::conditional_average;
use crate::coupling::Coupling;
use crate::data::{Distribution, PointCloud};
use crate::density::{differential_entropy, log_density_async, negative_log_likelihood_async};
use crate::exact::ExactField;
use crate::flow::{copy_model_async, read_async, to_host, to_tensor, Flow, FlowConfig};
use crate::guidance::{validate_scale, ClassChoice, ExactGuidedField, GuidedFlow};
use crate::mixture::GaussianMixture;
use crate::model::{ClassConditioning, Shortcut, VelocityMlpConfig};
use crate::path::Path;
use crate::reflow::PairSet;
use crate::rng::Rng;
use crate::score::{LearnedScore, ScoreField};
use crate::sde::sample_sde_rows;
use crate::solver::{block_on, integrate_async, Solution, SolveOptions, Solver, VelocityField};
use crate::straightness::straightness;
use crate::sweep::{runs, score, solve_async, Draws, SweepOptions};
use crate::time::TimeSampling;
use crate::train::{TrainConfig, Trainer};
use crate::weights;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

#[cfg(feature = "webgpu")]
thread_local! {
    /// Burn's WebGPU runtime initialises once per module; every playground shares its device.
    static WEBGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

/// The device of the `webgpu` backend, created on first use (the caller has checked that an
/// adapter exists).
#[cfg(feature = "webgpu")]
async fn webgpu_device() -> Result<Device, JsError> {
    if let Some(device) = WEBGPU.with(|d| d.borrow().clone()) {
        return Ok(device);
    }
    let device = Device::wgpu_options()
        .init_async()
        .await
        .map_err(|e| js_error(format!("WebGPU initialisation failed: {e}")))?;
    WEBGPU.with(|d| *d.borrow_mut() = Some(device.clone()));
    Ok(device)
}

/// The CPU-only module (built without the `webgpu` feature) has no WebGPU backend.
#[cfg(not(feature = "webgpu"))]
async fn webgpu_device() -> Result<Device, JsError> {
    Err(js_error(
        "this is the CPU-only module: WebGPU lives in the module built with the `webgpu` feature",
    ))
}

/// The backends this module was built with, as JSON: `["cpu"]` or `["cpu", "webgpu"]`.
#[wasm_bindgen]
pub fn backends() -> String {
    let gpu = cfg!(feature = "webgpu");
    serde_json::json!(if gpu {
        vec!["cpu", "webgpu"]
    } else {
        vec!["cpu"]
    })
    .to_string()
}

extern "C" {
    /// The static constructors wasm-ld collects (dependencies register kernels and types with
    /// `inventory`). Calling it once here also tells wasm-ld not to re-run them at the top of
    /// every export, which cost ≈ 0.15 ms per call from JavaScript (measured) and re-registered
    /// everything each time.
    fn __wasm_call_ctors();
}

/// Runs the static constructors once and installs a panic hook that logs the message and keeps
/// it for [`last_panic`].
#[wasm_bindgen(start)]
pub fn start() {
    // SAFETY: the linker-synthesised constructor list, run once before any other export.
    unsafe { __wasm_call_ctors() };
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        console_error(&message);
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(message));
    }));
}

/// The message of the panic that stopped the module, if one did (read it after a trap).
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|p| p.borrow().clone())
}

/// The names the page offers (so menus and the URL registry can come from the core): an object
/// `{datasets, spreads, maxSpread, paths, parameterizations, couplings, timeSamplings, solvers,
/// activations}` (see `catalog.rs`).
#[wasm_bindgen]
pub fn catalog() -> Result<JsValue, JsError> {
    to_js(&crate::catalog::catalog())
}

/// A plain JavaScript value (objects, not `Map`s) of `value`.
fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(js_error)
}

/// The training settings the page sends, as an object.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WebConfig {
    dataset: String,
    /// The data's noise standard deviation; absent or null: the dataset's default.
    #[serde(default)]
    spread: Option<f64>,
    source: String,
    path: String,
    param: String,
    coupling: String,
    time_sampling: String,
    width: usize,
    depth: usize,
    activation: String,
    time_embedding: usize,
    lr: f64,
    batch: usize,
    warmup: usize,
    /// 0 turns the EMA off.
    ema: f64,
    /// 0 turns clipping off.
    clip: f32,
    seed: u64,
    /// Learn `v(x, t, c)` on the data's class labels (classifier-free guidance).
    #[serde(default)]
    conditional: bool,
    /// How often a label is dropped to ∅ while training a conditional model (default 0.1).
    #[serde(default)]
    label_dropout: Option<f64>,
    /// Give the network its step size too (a shortcut model, for few-step sampling).
    #[serde(default)]
    shortcut: bool,
}

/// The dataset name that selects the user's own points.
const POINTS: &str = "points";

struct Parsed {
    config: TrainConfig,
    source: Distribution,
    target: Distribution,
}

/// Reads a config object; a bad field is named (`bad config: width: invalid type: …`). The object
/// becomes a JSON value first (serde-wasm-bindgen reads a struct's own fields only, so an unknown
/// one would pass unnoticed), then the settings, with unknown fields refused.
fn read_config(config: JsValue) -> Result<WebConfig, String> {
    if !config.is_object() {
        let what = config.js_typeof().as_string().unwrap_or_default();
        return Err(format!(
            "bad config: expected an object of settings, got {}",
            if config.is_null() { "null" } else { &what }
        ));
    }
    let value: serde_json::Value = serde_wasm_bindgen::from_value(config).map_err(|e| {
        // A JavaScript `Error`: its message, without the `Error: ` prefix.
        let error = JsValue::from(e);
        match error.dyn_ref::<js_sys::Error>() {
            Some(error) => format!("bad config: {}", String::from(error.message())),
            None => format!("bad config: {error:?}"),
        }
    })?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        match path.as_str() {
            "." => format!("bad config: {}", e.inner()),
            _ => format!("bad config: {path}: {}", e.inner()),
        }
    })
}

fn parse_config(
    config: JsValue,
    points: Option<Vec<f32>>,
    labels: Option<Vec<u32>>,
    source_points: Option<Vec<f32>>,
) -> Result<Parsed, String> {
    let c = read_config(config)?;
    let target = match (c.dataset.as_str(), c.spread) {
        (POINTS, None) => {
            let xy = points.ok_or("dataset 'points' needs a point cloud")?;
            Distribution::Points(match labels {
                Some(labels) => PointCloud::with_labels(xy, labels)?,
                None => PointCloud::new(xy)?,
            })
        }
        (POINTS, Some(_)) => {
            return Err(
                "spread applies to the named datasets; drawn points are used as drawn".into(),
            )
        }
        (name, None) => Distribution::named(name.parse()?),
        (name, Some(spread)) => Distribution::with_spread(name.parse()?, spread)?,
    };
    let conditioning = if c.conditional {
        let classes = target.classes().ok_or_else(|| {
            format!(
                "a conditional model needs labelled data; '{}' has no classes",
                target.label()
            )
        })?;
        Some(ClassConditioning::new(classes))
    } else {
        None
    };
    let model = VelocityMlpConfig::new()
        .with_width(c.width)
        .with_depth(c.depth)
        .with_activation(c.activation.parse()?)
        .with_time_embedding(c.time_embedding)
        .with_conditioning(conditioning)
        .with_shortcut(c.shortcut.then(Shortcut::default));
    let config = TrainConfig::new(model)
        .with_path(c.path.parse()?)
        .with_parameterization(c.param.parse()?)
        .with_coupling(c.coupling.parse()?)
        .with_time_sampling(c.time_sampling.parse::<TimeSampling>()?)
        .with_batch_size(c.batch)
        .with_learning_rate(c.lr)
        .with_warmup_steps(c.warmup)
        .with_ema_decay((c.ema > 0.0).then_some(c.ema))
        .with_grad_clip_norm((c.clip > 0.0).then_some(c.clip))
        .with_seed(c.seed);
    let config = match c.label_dropout {
        Some(p) => config.with_label_dropout(p),
        None => config,
    };
    config.validate()?;
    let source = match c.source.as_str() {
        POINTS => {
            let xy = source_points.ok_or("source 'points' needs a point cloud")?;
            Distribution::Points(PointCloud::new(xy).map_err(|e| format!("the source: {e}"))?)
        }
        name => Distribution::named(name.parse()?),
    };
    Ok(Parsed {
        config,
        source,
        target,
    })
}

/// The promise of `work`. On the CPU backend nothing waits on a device, so the work runs now and
/// the promise is settled at once: a spawned future would cost a trip through the browser's
/// timer queue (≈ 4 ms a call, measured). On the GPU the work is spawned and settles when the
/// device has answered.
fn promise<F>(cpu: bool, work: F) -> Promise
where
    F: std::future::Future<Output = Result<JsValue, JsValue>> + 'static,
{
    if cpu {
        match block_on(work) {
            Ok(value) => Promise::resolve(&value),
            Err(error) => Promise::reject(&error),
        }
    } else {
        future_to_promise(work)
    }
}

/// Reads tensors back: synchronously on the CPU backend (its memory is the module's own),
/// asynchronously from the GPU, whose memory must never be waited on.
async fn read(tensors: Vec<Tensor<2>>, cpu: bool) -> Result<Vec<Vec<f32>>, JsValue> {
    if cpu {
        Ok(tensors.into_iter().map(to_host).collect())
    } else {
        read_async(tensors)
            .await
            .map_err(|e| JsValue::from(js_error(e)))
    }
}

fn js_error(message: impl std::fmt::Display) -> JsError {
    JsError::new(&message.to_string())
}

fn set(object: &Object, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a plain object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), &value.into());
}

/// The points of the exact field: the user's cloud, or a fixed sample of a named dataset.
const EXACT_POINTS: usize = 1000;
/// The largest reflow pair set.
const MAX_REFLOW_PAIRS: u32 = 100_000;
/// Mixed into a sample's seed to draw its particles' classes.
const CLASS_SEED: u64 = 0xC1A55;
/// The averaging picture's latest time (its weights collapse onto one pair at t = 1).
const AVERAGE_MAX_T: f64 = 0.99;
/// Points per conditional path in the averaging picture (curved paths need a few).
const AVERAGE_CURVE_POINTS: usize = 33;

/// The most data points one request draws (a larger count would exhaust the module's memory).
const MAX_DATA_POINTS: u32 = 2_000_000;

fn validate_data_count(n: u32) -> Result<(), JsError> {
    if n > MAX_DATA_POINTS {
        return Err(js_error(format!(
            "data point count must be in 0..={MAX_DATA_POINTS}, got {n}"
        )));
    }
    Ok(())
}

/// The most coupled pairs one request draws (the OT couplings' largest batch).
const MAX_PAIRS: u32 = crate::coupling::MAX_OT_BATCH as u32;

/// The most time bins of the binned loss.
const MAX_LOSS_BINS: u32 = 1000;

/// The per-bin loss sums since the last read: `[bins]` on the device, counts on the host.
struct LossBins {
    sums: Option<Tensor<1>>,
    counts: Vec<u32>,
}

/// The centres of a `grid × grid` lattice over `bounds = [xmin, xmax, ymin, ymax]`, row by row
/// from ymin: `[grid², 2]`.
fn lattice(bounds: &[f32], grid: u32, t: f64) -> Result<Vec<f32>, JsError> {
    let [x_min, x_max, y_min, y_max] = <[f32; 4]>::try_from(bounds)
        .map_err(|_| js_error("bounds must be [xmin, xmax, ymin, ymax]"))?;
    if !(2..=256).contains(&grid) || !(0.0..=1.0).contains(&t) {
        return Err(js_error(format!(
            "a lattice needs 2 ≤ grid ≤ 256 and 0 ≤ t ≤ 1, got {grid}, {t}"
        )));
    }
    if !bounds.iter().all(|b| b.is_finite()) {
        return Err(js_error("bounds must be finite numbers"));
    }
    let g = grid as usize;
    let mut xy = Vec::with_capacity(2 * g * g);
    for j in 0..g {
        for i in 0..g {
            let fx = (i as f32 + 0.5) / g as f32;
            let fy = (j as f32 + 0.5) / g as f32;
            xy.push(x_min + fx * (x_max - x_min));
            xy.push(y_min + fy * (y_max - y_min));
        }
    }
    Ok(xy)
}

/// Fixed steps for `nfe` evaluations of `solver` (at least one step).
fn steps_for(solver: &Solver, nfe: u32) -> usize {
    match solver.evaluations_per_step() {
        Some(per) => (nfe as usize / per).max(1),
        None => 1,
    }
}

/// `{x, trajectory, times, nfe, completed}` for a solution, read from the device.
async fn solution_object(cpu: bool, record: bool, solution: Solution) -> Result<JsValue, JsValue> {
    let mut tensors = vec![solution.x];
    tensors.extend(solution.trajectory);
    let mut data = read(tensors, cpu).await?;
    let out = Object::new();
    set(&out, "x", Float32Array::from(data[0].as_slice()));
    if record {
        let flat: Vec<f32> = data.drain(1..).flatten().collect();
        set(&out, "trajectory", Float32Array::from(flat.as_slice()));
    } else {
        set(&out, "trajectory", JsValue::NULL);
    }
    set(&out, "times", Float64Array::from(solution.times.as_slice()));
    set(&out, "nfe", solution.nfe as u32);
    set(&out, "completed", solution.completed);
    Ok(out.into())
}

/// The rows `from..from + count` of a batch of `n` (all of them when both are absent).
fn slice_rows(n: u32, from: Option<u32>, count: Option<u32>) -> Result<Range<usize>, JsError> {
    if from.is_none() && count.is_none() {
        // The whole batch: the particle count is checked where the points are drawn.
        return Ok(0..n as usize);
    }
    let from = from.unwrap_or(0);
    let count = count.unwrap_or(n.saturating_sub(from));
    if count == 0 || from as u64 + count as u64 > n as u64 {
        return Err(js_error(format!(
            "a slice of particles must lie in 0..{n} and hold at least one, got {from}..{}",
            from as u64 + count as u64
        )));
    }
    Ok(from as usize..(from + count) as usize)
}

/// A flow-matching playground on one device: a training run, its samples and its fields.
#[wasm_bindgen]
pub struct Playground {
    device: Device,
    backend: &'static str,
    trainer: Trainer,
    loss_sum: Option<Tensor<1>>,
    loss_count: u32,
    /// `None` unless the binned loss was requested ([`Playground::set_loss_bins`]).
    loss_bins: Option<LossBins>,
    exact: ExactField,
    /// The draws of the cost-vs-steps sweep in progress: `(n, seed, step, draws)`.
    sweep: Option<(u32, u32, usize, Draws)>,
}

#[wasm_bindgen]
impl Playground {
    /// Starts on `backend` — `"webgpu"` (the caller has checked that an adapter exists; only in
    /// the module built with the `webgpu` feature) or `"cpu"` — with the `config` object; `points`
    /// (`[n, 2]`, with their class `labels`) is the cloud for dataset `points`, `source_points`
    /// the cloud for source `points`. Several playgrounds in one module share one GPU device.
    pub async fn create(
        backend: String,
        config: JsValue,
        points: Option<Vec<f32>>,
        labels: Option<Vec<u32>>,
        source_points: Option<Vec<f32>>,
    ) -> Result<Playground, JsError> {
        let parsed = parse_config(config, points, labels, source_points).map_err(js_error)?;
        let (device, backend) = match backend.as_str() {
            "cpu" => (Device::flex(), "cpu"),
            "webgpu" => (webgpu_device().await?, "webgpu"),
            other => {
                return Err(js_error(format!(
                    "unknown backend '{other}' (cpu or webgpu)"
                )))
            }
        };
        let exact = exact_field(&parsed, &device);
        let trainer =
            Trainer::new(parsed.config, parsed.source, parsed.target, &device).map_err(js_error)?;
        Ok(Playground {
            device,
            backend,
            trainer,
            loss_sum: None,
            loss_count: 0,
            loss_bins: None,
            exact,
            sweep: None,
        })
    }

    /// Starts a fresh run with a new config object (the clouds as in [`Playground::create`]);
    /// on error nothing changes.
    pub fn configure(
        &mut self,
        config: JsValue,
        points: Option<Vec<f32>>,
        labels: Option<Vec<u32>>,
        source_points: Option<Vec<f32>>,
    ) -> Result<(), JsError> {
        let parsed = parse_config(config, points, labels, source_points).map_err(js_error)?;
        let exact = exact_field(&parsed, &self.device);
        self.trainer = Trainer::new(parsed.config, parsed.source, parsed.target, &self.device)
            .map_err(js_error)?;
        self.exact = exact;
        self.loss_sum = None;
        self.loss_count = 0;
        self.reset_loss_bins();
        self.sweep = None;
        Ok(())
    }

    /// `"webgpu"` or `"cpu"`.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.backend.to_string()
    }

    /// The GPU allocator's `[bytes in use, bytes reserved, live allocations]` for this
    /// playground's device (shared by every playground on it); empty on the CPU backend, whose
    /// memory is the wasm heap. Bookkeeping only: nothing is read from the GPU.
    #[wasm_bindgen(js_name = deviceMemory)]
    pub fn device_memory(&self) -> Vec<f64> {
        match self.device.memory_pool_usage() {
            Some(u) => vec![
                u.bytes_in_use as f64,
                u.bytes_reserved as f64,
                u.number_allocs as f64,
            ],
            None => Vec::new(),
        }
    }

    /// Optimiser steps taken.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> u32 {
        self.trainer.steps() as u32
    }

    /// Queues `steps` optimiser steps; the losses are summed on the device, unread (and, with
    /// loss bins on, summed by training time too).
    pub fn train(&mut self, steps: u32) {
        for _ in 0..steps {
            let loss = match &mut self.loss_bins {
                None => self.trainer.step(),
                Some(bins) => {
                    let (loss, binned) = self.trainer.step_binned(bins.counts.len());
                    bins.sums = Some(match bins.sums.take() {
                        Some(sum) => sum + binned.sums,
                        None => binned.sums,
                    });
                    for (c, n) in bins.counts.iter_mut().zip(binned.counts) {
                        *c += n;
                    }
                    loss
                }
            };
            self.loss_sum = Some(match self.loss_sum.take() {
                Some(sum) => sum + loss,
                None => loss,
            });
            self.loss_count += 1;
        }
    }

    /// Sums the training loss by time into `bins` equal bins of `[0, 1]` from the next step on
    /// (0 turns it off, the default; at most 1000). Each step then costs a little more.
    #[wasm_bindgen(js_name = setLossBins)]
    pub fn set_loss_bins(&mut self, bins: u32) -> Result<(), JsError> {
        if bins > MAX_LOSS_BINS {
            return Err(js_error(format!(
                "loss bins must be in 0..={MAX_LOSS_BINS}, got {bins}"
            )));
        }
        self.loss_bins = (bins > 0).then(|| LossBins {
            sums: None,
            counts: vec![0; bins as usize],
        });
        Ok(())
    }

    /// The number of loss bins (0: off).
    #[wasm_bindgen(getter, js_name = lossBins)]
    pub fn loss_bins(&self) -> u32 {
        self.loss_bins.as_ref().map_or(0, |b| b.counts.len() as u32)
    }

    /// Resolves to `{sums: Float32Array [bins], counts: Uint32Array [bins]}`: the per-sample
    /// loss summed by training-time bin over the steps since the last read (`sums[j]/counts[j]`
    /// is the mean loss at times in `[j/bins, (j + 1)/bins)`), then starts a new window. Both are
    /// empty when bins are off; the sums are zero where nothing was trained.
    #[wasm_bindgen(js_name = readLossBins)]
    pub fn read_loss_bins(&mut self) -> Promise {
        let cpu = self.backend == "cpu";
        let (pending, counts) = match &mut self.loss_bins {
            None => (None, Vec::new()),
            Some(bins) => {
                let counts = bins.counts.clone();
                bins.counts.iter_mut().for_each(|c| *c = 0);
                (bins.sums.take(), counts)
            }
        };
        promise(cpu, async move {
            let sums = match pending {
                Some(sum) => {
                    let b = counts.len();
                    read(vec![sum.reshape([1, b])], cpu).await?.remove(0)
                }
                None => vec![0.0; counts.len()],
            };
            let out = Object::new();
            set(&out, "sums", Float32Array::from(sums.as_slice()));
            set(&out, "counts", Uint32Array::from(counts.as_slice()));
            Ok(out.into())
        })
    }

    /// The training-time density `π(t)` at the centres of `bins` equal bins of `[0, 1]`.
    #[wasm_bindgen(js_name = timeDensity)]
    pub fn time_density(&self, bins: u32) -> Result<Vec<f64>, JsError> {
        if !(1..=MAX_LOSS_BINS).contains(&bins) {
            return Err(js_error(format!(
                "time density needs 1..={MAX_LOSS_BINS} bins, got {bins}"
            )));
        }
        let sampling = self.trainer.config().time_sampling;
        Ok((0..bins)
            .map(|j| sampling.density((j as f64 + 0.5) / bins as f64))
            .collect())
    }

    /// Resolves to the mean loss of the steps since the last read (NaN when there were none);
    /// waiting for it also waits for those steps to finish on the device.
    #[wasm_bindgen(js_name = readLoss)]
    pub fn read_loss(&mut self) -> Promise {
        let pending = self.loss_sum.take();
        let count = std::mem::take(&mut self.loss_count);
        let cpu = self.backend == "cpu";
        promise(cpu, async move {
            let Some(sum) = pending else {
                return Ok(JsValue::from_f64(f64::NAN));
            };
            let total = if cpu {
                sum.into_scalar::<f32>()
            } else {
                sum.into_scalar_async::<f32>().await.map_err(|e| {
                    JsValue::from(js_error(format!("reading the loss failed: {e:?}")))
                })?
            };
            Ok(JsValue::from_f64(total as f64 / count.max(1) as f64))
        })
    }

    /// Carries `n` source points (drawn from `seed`, so the same seed gives the same particles)
    /// to t = 1 with `solver` (`euler`, `midpoint`, `heun`, `rk4`, `dopri5[:atol[:rtol]]`) in
    /// `nfe` evaluations; with `record`, keeps every step. A conditional model samples each
    /// particle for `class` (a class number, or −1 / absent: classes drawn like the data's) with
    /// guidance scale `guidance` (default 1; 0 unconditional, > 1 over-guided); a shortcut model
    /// sampled with Euler steps at its step size. Resolves to `{x, trajectory, times, nfe,
    /// completed, classes?}` (`x: [n, 2]`, `trajectory: [steps + 1, n, 2]`, `classes: [n]` for a
    /// conditional model).
    ///
    /// With `from` and `count`, only particles `from..from + count` of those `n` are carried
    /// (the arrays then hold `count` rows): a fixed-step solver gives each the same path as in
    /// the whole batch, so a caller can sample a large batch a slice at a time.
    #[allow(clippy::too_many_arguments)] // positional arguments from JavaScript
    pub fn sample(
        &self,
        n: u32,
        solver: &str,
        nfe: u32,
        seed: u32,
        record: bool,
        class: Option<i32>,
        guidance: Option<f64>,
        from: Option<u32>,
        count: Option<u32>,
    ) -> Result<Promise, JsError> {
        let solver: Solver = solver.parse().map_err(js_error)?;
        let rows = slice_rows(n, from, count)?;
        let x0 = self.source_rows(n, seed, rows.clone())?;
        let steps = steps_for(&solver, nfe);
        let mut options = SolveOptions::forward(steps);
        options.record = record;
        let guidance = guidance.unwrap_or(1.0);
        validate_scale(guidance).map_err(js_error)?;
        let classes = self
            .particle_classes(n, seed, class)?
            .map(|all| all[rows].to_vec());
        let flow = self.trainer.flow();
        let device = self.device.clone();
        let cpu = self.backend == "cpu";
        Ok(promise(cpu, async move {
            let mut field =
                GuidedFlow::new(&flow, classes.as_deref().unwrap_or(&[]), guidance, &device)
                    .map_err(|e| JsValue::from(js_error(e)))?;
            // A shortcut network takes its steps at the matching step size.
            if solver == Solver::Euler {
                field = field.stepped(steps);
            }
            let solution = integrate_async(&field, solver, x0, &options).await;
            let out = solution_object(cpu, record, solution).await?;
            if let Some(classes) = classes {
                set(
                    out.unchecked_ref::<Object>(),
                    "classes",
                    js_sys::Uint32Array::from(classes.as_slice()),
                );
            }
            Ok(out)
        }))
    }

    /// Like [`sample`](Self::sample) but with the SDE that has the same marginals,
    /// `dX = [v + ½g²∇log p_t] dt + g dW` with `g(t) = noise·σ_t` (`noise` = γ in `[0, 10]`;
    /// 0 is the ODE stepped by Euler), in `nfe` Euler–Maruyama steps. The noise is drawn from
    /// `seed` too. An error unless the source is Gaussian (the score comes from the velocity).
    /// With `from` and `count`, particles `from..from + count` of the `n`, with the noise they
    /// meet in the whole batch.
    #[wasm_bindgen(js_name = sampleSde)]
    #[allow(clippy::too_many_arguments)] // positional arguments from JavaScript
    pub fn sample_sde(
        &self,
        n: u32,
        nfe: u32,
        seed: u32,
        noise: f64,
        record: bool,
        from: Option<u32>,
        count: Option<u32>,
    ) -> Result<Promise, JsError> {
        if nfe == 0 || nfe > 10_000 {
            return Err(js_error(format!(
                "SDE steps must be in 1..=10000, got {nfe}"
            )));
        }
        crate::sde::validate_noise(noise).map_err(js_error)?;
        let source = GaussianMixture::of_distribution(self.trainer.source()).map_err(js_error)?;
        let flow = self.trainer.flow();
        let field = LearnedScore::new(&flow, &source).map_err(js_error)?;
        let rows = slice_rows(n, from, count)?;
        let x0 = self.source_rows(n, seed, rows.clone())?;
        let mut options = SolveOptions::forward(nfe as usize);
        options.record = record;
        let solution = sample_sde_rows(
            &field,
            x0,
            &options,
            noise,
            (seed as u64) ^ 0x5DE0_0000,
            n as usize,
            rows.start,
        )
        .map_err(js_error)?;
        let cpu = self.backend == "cpu";
        Ok(promise(cpu, solution_object(cpu, record, solution)))
    }

    /// The class of each of `n` particles for `class` (−1 or absent: drawn like the data's from
    /// `seed`), or `None` for an unconditional model (where a class is an error).
    fn particle_classes(
        &self,
        n: u32,
        seed: u32,
        class: Option<i32>,
    ) -> Result<Option<Vec<u32>>, JsError> {
        let choice = match class {
            None | Some(-1) => ClassChoice::All,
            Some(k) if k >= 0 => ClassChoice::One(k as u32),
            Some(k) => return Err(js_error(format!("class must be −1 (all) or ≥ 0, got {k}"))),
        };
        match self.trainer.config().model.conditioning {
            Some(c) => {
                choice.validate(c.classes).map_err(js_error)?;
                let mut rng = Rng::new(seed as u64 ^ CLASS_SEED);
                Ok(Some(choice.draw(
                    self.trainer.target(),
                    n as usize,
                    &mut rng,
                )))
            }
            None if choice == ClassChoice::All => Ok(None),
            None => Err(js_error(
                "a class needs a conditional model (train with conditional on)",
            )),
        }
    }

    /// The model's classes: 0 for an unconditional model.
    #[wasm_bindgen(getter)]
    pub fn classes(&self) -> u32 {
        self.trainer
            .config()
            .model
            .conditioning
            .map_or(0, |c| c.classes as u32)
    }

    /// The data's classes: 0 where the data carries no labels.
    #[wasm_bindgen(getter, js_name = dataClasses)]
    pub fn data_classes(&self) -> u32 {
        self.trainer.target().classes().unwrap_or(0) as u32
    }

    /// `n ≤ 2000000` fresh data points and their class labels: `{xy: [n, 2], labels: [n]}`
    /// (labels all 0 where the data has none).
    #[wasm_bindgen(js_name = dataLabelled)]
    pub fn data_labelled(&self, n: u32, seed: u32) -> Result<JsValue, JsError> {
        validate_data_count(n)?;
        let mut rng = Rng::new(seed as u64);
        let target = self.trainer.target();
        let (xy, labels) = match target.classes() {
            Some(_) => target.sample_labelled(n as usize, &mut rng),
            None => (target.sample(n as usize, &mut rng), vec![0; n as usize]),
        };
        let out = Object::new();
        set(&out, "xy", Float32Array::from(xy.as_slice()));
        set(&out, "labels", js_sys::Uint32Array::from(labels.as_slice()));
        Ok(out.into())
    }

    /// The guided velocity towards `class` with scale `guidance` on the lattice of
    /// [`field`](Self::field): `learned` (the conditional network, v_∅ + w·(v_c − v_∅)) or `exact`
    /// (the class-restricted closed-form fields combined the same way). Resolves to a
    /// `Float32Array` `[grid², 2]`.
    #[wasm_bindgen(js_name = guidedField)]
    pub fn guided_field(
        &self,
        which: &str,
        t: f64,
        bounds: Vec<f32>,
        grid: u32,
        class: u32,
        guidance: f64,
    ) -> Result<Promise, JsError> {
        let xy = lattice(&bounds, grid, t)?;
        validate_scale(guidance).map_err(js_error)?;
        let classes = self
            .trainer
            .target()
            .classes()
            .ok_or_else(|| js_error("guidance needs labelled data (a dataset with classes)"))?;
        if class as usize >= classes {
            return Err(js_error(format!(
                "class {class} is out of range: the data has {classes} classes"
            )));
        }
        let n = (grid * grid) as usize;
        let x = to_tensor(&xy, &self.device);
        let particle_classes = vec![class; n];
        let cpu = self.backend == "cpu";
        let v = match which {
            "learned" => {
                if self.classes() == 0 {
                    return Err(js_error(
                        "the learned guided field needs a conditional model (train with conditional on)",
                    ));
                }
                let flow = self.trainer.flow();
                let field = GuidedFlow::new(&flow, &particle_classes, guidance, &self.device)
                    .map_err(js_error)?;
                field.velocity(x, t)
            }
            "exact" => {
                let config = self.trainer.config();
                let (data, labels) = self
                    .trainer
                    .target()
                    .sample_labelled(EXACT_POINTS, &mut Rng::new(config.seed ^ 0xE8AC7));
                let field = ExactGuidedField::new(
                    config.path,
                    &data,
                    &labels,
                    &particle_classes,
                    guidance,
                    &self.device,
                )
                .map_err(js_error)?;
                field.velocity(x, t)
            }
            other => {
                return Err(js_error(format!(
                    "unknown guided field '{other}' (learned or exact)"
                )))
            }
        };
        Ok(promise(cpu, async move {
            let data = read(vec![v], cpu).await?;
            Ok(Float32Array::from(data[0].as_slice()).into())
        }))
    }

    /// The straightness `S = E∫‖(X₁ − X₀) − v(X_t, t)‖² dt` of `n` particles' trajectories
    /// (drawn from `seed`) under `solver` in `nfe` evaluations (see `straightness.rs`).
    /// Resolves to a number.
    pub fn straightness(
        &self,
        solver: &str,
        nfe: u32,
        n: u32,
        seed: u32,
    ) -> Result<Promise, JsError> {
        let solver: Solver = solver.parse().map_err(js_error)?;
        let x0 = self.source_points(n, seed)?;
        let classes = self.particle_classes(n, seed, None)?;
        let options = SolveOptions::forward(steps_for(&solver, nfe)).recording();
        let flow = self.trainer.flow();
        let device = self.device.clone();
        let cpu = self.backend == "cpu";
        Ok(promise(cpu, async move {
            let field = GuidedFlow::new(&flow, classes.as_deref().unwrap_or(&[]), 1.0, &device)
                .map_err(|e| JsValue::from(js_error(e)))?;
            let solution = integrate_async(&field, solver, x0, &options).await;
            let s = straightness(&field, &solution).reshape([1, 1]);
            let data = read(vec![s], cpu).await?;
            Ok(JsValue::from_f64(data[0][0] as f64))
        }))
    }

    /// Reflow, first half: the pairs `(x₀, ODE(x₀))` of the current flow for `n` source points
    /// drawn from `seed`, carried by `solver` in `nfe` evaluations. Resolves to
    /// `{x0: [n, 2], x1: [n, 2], labels: [n] | null}`; hand them to
    /// [`start_reflow`](Self::start_reflow).
    #[wasm_bindgen(js_name = reflowPairs)]
    pub fn reflow_pairs(
        &self,
        n: u32,
        solver: &str,
        nfe: u32,
        seed: u32,
    ) -> Result<Promise, JsError> {
        if !(16..=MAX_REFLOW_PAIRS).contains(&n) {
            return Err(js_error(format!(
                "reflow needs 16..={MAX_REFLOW_PAIRS} pairs, got {n}"
            )));
        }
        let solver: Solver = solver.parse().map_err(js_error)?;
        let x0_host = self
            .trainer
            .source()
            .sample(n as usize, &mut Rng::new(seed as u64));
        let x0 = to_tensor(&x0_host, &self.device);
        let classes = self.particle_classes(n, seed, None)?;
        let options = SolveOptions::forward(steps_for(&solver, nfe));
        let flow = self.trainer.flow();
        let device = self.device.clone();
        let cpu = self.backend == "cpu";
        Ok(promise(cpu, async move {
            let field = GuidedFlow::new(&flow, classes.as_deref().unwrap_or(&[]), 1.0, &device)
                .map_err(|e| JsValue::from(js_error(e)))?;
            let solution = integrate_async(&field, solver, x0, &options).await;
            if !solution.completed {
                return Err(js_error(format!(
                    "the {solver} solve stopped before t = 1 after {} evaluations",
                    solution.nfe
                ))
                .into());
            }
            let x1 = read(vec![solution.x], cpu).await?.remove(0);
            let out = Object::new();
            set(&out, "x0", Float32Array::from(x0_host.as_slice()));
            set(&out, "x1", Float32Array::from(x1.as_slice()));
            match classes {
                Some(c) => set(&out, "labels", js_sys::Uint32Array::from(c.as_slice())),
                None => set(&out, "labels", JsValue::NULL),
            }
            Ok(out.into())
        }))
    }

    /// Reflow, second half: continue training the current network on the fixed pairs
    /// `(x0, x1)` (`[N, 2]` each, labels `[N]` for a conditional model), a flow with one more
    /// rectification. On error nothing changes.
    #[wasm_bindgen(js_name = startReflow)]
    pub fn start_reflow(
        &mut self,
        x0: Vec<f32>,
        x1: Vec<f32>,
        labels: Option<Vec<u32>>,
    ) -> Result<(), JsError> {
        if x0.len() != x1.len() || !x0.len().is_multiple_of(2) || x0.is_empty() {
            return Err(js_error(format!(
                "reflow pairs need two [N, 2] arrays of one length, got {} and {} numbers",
                x0.len(),
                x1.len()
            )));
        }
        if x0.iter().chain(&x1).any(|v| !v.is_finite()) {
            return Err(js_error("reflow pairs must be finite"));
        }
        if labels.as_ref().is_some_and(|l| 2 * l.len() != x0.len()) {
            return Err(js_error("reflow labels need one label per pair"));
        }
        let flow = self.trainer.flow();
        let pairs = PairSet {
            x0,
            x1,
            labels,
            reflows: flow.config.reflows + 1,
        };
        let mut config = self.trainer.config().clone();
        config.coupling = Coupling::Independent;
        config.path = Path::Linear;
        let trainer = Trainer::on_pairs(
            config,
            self.trainer.source().clone(),
            self.trainer.target().clone(),
            pairs,
            self.trainer.raw_model(),
            &self.device,
        )
        .map_err(js_error)?;
        self.trainer = trainer;
        self.loss_sum = None;
        self.loss_count = 0;
        self.reset_loss_bins();
        Ok(())
    }

    /// Rectifications behind the current flow (0 before any reflow).
    #[wasm_bindgen(getter)]
    pub fn reflows(&self) -> u32 {
        self.trainer.flow().config.reflows as u32
    }

    /// The cost-vs-steps curve, one point at a time so the worker stays responsive: point
    /// `index` of the sweep (euler, midpoint, heun, rk4 at NFE 1…64, dopri5 at 1e-2…1e-5, and
    /// the SDE with γ = `sde_noise` when given and the source has a density) of `n ≤ 2048`
    /// particles drawn from `seed` against fresh data. Resolves to `{solver, nfe, w2, w2Floor,
    /// completed, count}` (`count`: the sweep's length), or `null` past the end. The draws are
    /// kept between calls with the same `n`, `seed` and training step.
    #[wasm_bindgen(js_name = sweepPoint)]
    pub fn sweep_point(
        &mut self,
        index: u32,
        n: u32,
        seed: u32,
        sde_noise: Option<f64>,
    ) -> Result<Promise, JsError> {
        if let Some(noise) = sde_noise {
            crate::sde::validate_noise(noise).map_err(js_error)?;
        }
        let density = GaussianMixture::of_distribution(self.trainer.source()).ok();
        let options = SweepOptions {
            n: n as usize,
            sde_noise: sde_noise.filter(|_| density.is_some() && self.classes() == 0),
            ..SweepOptions::default()
        };
        let plan = runs(&options);
        let count = plan.len() as u32;
        let cpu = self.backend == "cpu";
        let Some(run) = plan.get(index as usize).copied() else {
            return Ok(Promise::resolve(&JsValue::NULL));
        };
        let step = self.trainer.steps();
        let fresh =
            !matches!(&self.sweep, Some((sn, ss, st, _)) if *sn == n && *ss == seed && *st == step);
        if fresh {
            let flow = self.trainer.flow();
            let draws = Draws::new(
                &flow,
                self.trainer.source(),
                self.trainer.target(),
                n as usize,
                &mut Rng::new(seed as u64),
            )
            .map_err(js_error)?;
            self.sweep = Some((n, seed, step, draws));
        }
        let draws = self.sweep.as_ref().expect("set above").3.clone();
        let flow = self.trainer.flow();
        let device = self.device.clone();
        Ok(promise(cpu, async move {
            let fail = |e: String| JsValue::from(js_error(e));
            let solution = solve_async(&flow, &run, &draws, density.as_ref(), seed as u64, &device)
                .await
                .map_err(fail)?;
            let (nfe, completed) = (solution.nfe, solution.completed);
            let samples = read(vec![solution.x], cpu).await?.remove(0);
            let point = score(&run, &draws, &samples, nfe, completed).map_err(fail)?;
            let out = Object::new();
            set(&out, "solver", point.solver);
            set(&out, "nfe", point.nfe as u32);
            set(&out, "w2", point.w2);
            set(&out, "w2Floor", point.w2_floor);
            set(&out, "completed", point.completed);
            set(&out, "count", count);
            Ok(out.into())
        }))
    }

    /// The `learned` or `exact` velocity at time `t` on a `grid × grid` lattice over
    /// `bounds = [xmin, xmax, ymin, ymax]` (row by row from ymin) — or the score `∇log p_t`:
    /// `score` (learned, from the velocity; needs a Gaussian source) or `exact-score` (closed
    /// form; needs a Gaussian or Gaussian-mixture source). Resolves to a `Float32Array` of shape
    /// `[grid², 2]`.
    pub fn field(
        &self,
        which: &str,
        t: f64,
        bounds: Vec<f32>,
        grid: u32,
    ) -> Result<Promise, JsError> {
        let xy = lattice(&bounds, grid, t)?;
        let x = to_tensor(&xy, &self.device);
        let v = match which {
            "learned" => self.trainer.flow().velocity(x, t),
            "exact" => self.exact.velocity(x, t),
            "score" => {
                let source =
                    GaussianMixture::of_distribution(self.trainer.source()).map_err(js_error)?;
                let flow = self.trainer.flow();
                let field = LearnedScore::new(&flow, &source).map_err(js_error)?;
                ScoreField::score(&field, x, t)
            }
            "exact-score" => {
                GaussianMixture::of_distribution(self.trainer.source()).map_err(js_error)?;
                self.exact.score(x, t)
            }
            other => {
                return Err(js_error(format!(
                    "unknown field '{other}' (learned, exact, score or exact-score)"
                )))
            }
        };
        let cpu = self.backend == "cpu";
        Ok(promise(cpu, async move {
            let data = read(vec![v], cpu).await?;
            Ok(Float32Array::from(data[0].as_slice()).into())
        }))
    }

    /// The averaging picture at the point `(x, y)` and time `t`: the conditional paths of the
    /// exact field's data points that pass through it, the `k` heaviest (1 ≤ k ≤ 500), their
    /// velocities, the weighted average over all of them (the exact marginal velocity) and the
    /// network's velocity there. Resolves to `{supported, note, w [k], x0 [k, 2], x1 [k, 2],
    /// curves [k, S, 2], samplesPerCurve: S, u [k, 2], exact [2], learned [2], mass, t}`;
    /// `supported` is false (with a `note`) where the source has no density to weigh by or the
    /// pairs are not independent. `t` is kept at most 0.99, where the weights are still spread.
    pub fn average(&self, x: f32, y: f32, t: f64, k: u32) -> Result<Promise, JsError> {
        if !x.is_finite() || !y.is_finite() || !(0.0..=1.0).contains(&t) || !(1..=500).contains(&k)
        {
            return Err(js_error(format!(
                "average needs a finite point, 0 ≤ t ≤ 1 and 1 ≤ k ≤ 500, got ({x}, {y}), {t}, {k}"
            )));
        }
        let t = t.min(AVERAGE_MAX_T);
        let out = Object::new();
        set(&out, "t", t);
        let config = self.trainer.config();
        let source = GaussianMixture::of_distribution(self.trainer.source());
        let unsupported = if config.coupling != Coupling::Independent {
            Some("The exact average weighs independent pairs; with OT pairing the paths through a point are the plan's, which has no closed form.".to_string())
        } else {
            source.as_ref().err().map(|e| {
                format!("The exact average weighs each pair by the source's density: {e}.")
            })
        };
        let (Ok(source), None) = (source, &unsupported) else {
            set(&out, "supported", false);
            set(&out, "note", unsupported.unwrap_or_default());
            return Ok(Promise::resolve(&JsValue::from(out)));
        };
        let data = exact_points(self.trainer.target(), config.seed);
        let picture = conditional_average(
            &config.path,
            &data,
            [x, y],
            t,
            k as usize,
            AVERAGE_CURVE_POINTS,
            |x0| source.log_density_at(x0),
        );
        let learned = self
            .trainer
            .flow()
            .velocity(to_tensor(&[x, y], &self.device), t);
        let cpu = self.backend == "cpu";
        Ok(promise(cpu, async move {
            let v = read(vec![learned], cpu).await?;
            set(&out, "supported", true);
            set(&out, "note", JsValue::NULL);
            set(&out, "w", Float32Array::from(picture.weights.as_slice()));
            set(&out, "x0", Float32Array::from(picture.x0.as_slice()));
            set(&out, "x1", Float32Array::from(picture.x1.as_slice()));
            set(
                &out,
                "curves",
                Float32Array::from(picture.curves.as_slice()),
            );
            set(&out, "samplesPerCurve", picture.samples_per_curve as u32);
            set(&out, "u", Float32Array::from(picture.velocities.as_slice()));
            set(&out, "exact", Float32Array::from(&picture.average[..]));
            set(&out, "learned", Float32Array::from(v[0].as_slice()));
            set(&out, "mass", picture.mass);
            Ok(out.into())
        }))
    }

    /// The log-density `log p_t` on the lattice of [`field`](Self::field): `learned` by the
    /// change of variables (the points carried back to t = 0 with `solver`, default `rk4`, in
    /// `nfe` evaluations, default 40) or `exact` in closed form. Resolves to a `Float32Array` of
    /// shape `[grid²]`. An error where the source has no closed-form density.
    pub fn density(
        &self,
        which: &str,
        t: f64,
        bounds: Vec<f32>,
        grid: u32,
        solver: Option<String>,
        nfe: Option<u32>,
    ) -> Result<Promise, JsError> {
        let xy = lattice(&bounds, grid, t)?;
        let solver: Solver = solver
            .as_deref()
            .unwrap_or("rk4")
            .parse()
            .map_err(js_error)?;
        let nfe = nfe.unwrap_or(40);
        if nfe == 0 || nfe > 10_000 {
            return Err(js_error(format!("nfe must be in 1..=10000, got {nfe}")));
        }
        let source = GaussianMixture::of_distribution(self.trainer.source()).map_err(js_error)?;
        let x = to_tensor(&xy, &self.device);
        let cpu = self.backend == "cpu";
        let n = grid as usize * grid as usize;
        match which {
            "learned" => {
                let flow = self.trainer.flow();
                let steps = steps_for(&solver, nfe);
                Ok(promise(cpu, async move {
                    let result = log_density_async(&flow, &source, x, t, solver, steps).await;
                    let data = read(vec![result.log_p.reshape([1, n])], cpu).await?;
                    Ok(Float32Array::from(data[0].as_slice()).into())
                }))
            }
            "exact" => {
                let log_p = self.exact.log_density(x, t);
                Ok(promise(cpu, async move {
                    let data = read(vec![log_p.reshape([1, n])], cpu).await?;
                    Ok(Float32Array::from(data[0].as_slice()).into())
                }))
            }
            other => Err(js_error(format!(
                "unknown density '{other}' (learned or exact)"
            ))),
        }
    }

    /// The negative log-likelihood of `n` fresh data points (drawn from `seed`) in nats per
    /// point, by carrying them back to t = 0 with `solver` in `nfe` evaluations. Resolves to
    /// `{nll, entropy}`: `entropy` is the data's differential entropy where it is known in closed
    /// form (checkerboard: log 32), else null. An error where the source has no density.
    pub fn nll(&self, n: u32, seed: u32, solver: &str, nfe: u32) -> Result<Promise, JsError> {
        if !(1..=20_000).contains(&n) || nfe == 0 || nfe > 10_000 {
            return Err(js_error(format!(
                "nll needs 1 ≤ n ≤ 20000 and 1 ≤ nfe ≤ 10000, got {n}, {nfe}"
            )));
        }
        let solver: Solver = solver.parse().map_err(js_error)?;
        let source = GaussianMixture::of_distribution(self.trainer.source()).map_err(js_error)?;
        let target = self.trainer.target();
        let data = target.sample(n as usize, &mut Rng::new(seed as u64));
        let entropy = match target {
            Distribution::Named { dataset, spread } if *spread == dataset.default_spread() => {
                differential_entropy(*dataset)
            }
            _ => None,
        };
        let flow = self.trainer.flow();
        let steps = steps_for(&solver, nfe);
        let device = self.device.clone();
        Ok(promise(self.backend == "cpu", async move {
            let nll = negative_log_likelihood_async(&flow, &source, &data, solver, steps, &device)
                .await
                .map_err(|e| JsValue::from(js_error(e)))?;
            let out = Object::new();
            set(&out, "nll", nll);
            set(
                &out,
                "entropy",
                entropy.map_or(JsValue::NULL, JsValue::from_f64),
            );
            Ok(out.into())
        }))
    }

    /// Rows `rows` of the `n` source points that [`source_points`](Self::source_points) draws.
    fn source_rows(&self, n: u32, seed: u32, rows: Range<usize>) -> Result<Tensor<2>, JsError> {
        if rows.start == 0 && rows.end == n as usize {
            return self.source_points(n, seed);
        }
        Ok(self.source_points(n, seed)?.slice([rows]))
    }

    /// `n` source points drawn from `seed`, on the device.
    fn source_points(&self, n: u32, seed: u32) -> Result<Tensor<2>, JsError> {
        if n == 0 || n > 2_000_000 {
            return Err(js_error(format!(
                "particle count must be in 1..=2000000, got {n}"
            )));
        }
        let x0 = self
            .trainer
            .source()
            .sample(n as usize, &mut Rng::new(seed as u64));
        Ok(to_tensor(&x0, &self.device))
    }

    fn reset_loss_bins(&mut self) {
        if let Some(bins) = &mut self.loss_bins {
            bins.sums = None;
            bins.counts.iter_mut().for_each(|c| *c = 0);
        }
    }

    /// `n ≤ 2000000` fresh data points `[n, 2]`, drawn from `seed`.
    #[wasm_bindgen(js_name = dataPoints)]
    pub fn data_points(&self, n: u32, seed: u32) -> Result<Vec<f32>, JsError> {
        validate_data_count(n)?;
        Ok(self
            .trainer
            .target()
            .sample(n as usize, &mut Rng::new(seed as u64)))
    }

    /// `n ≤ 1024` coupled pairs as drawn for training, `[n, 4]` rows `x₀, y₀, x₁, y₁`.
    pub fn pairs(&mut self, n: u32) -> Result<Vec<f32>, JsError> {
        if !(1..=MAX_PAIRS).contains(&n) {
            return Err(js_error(format!(
                "pairs needs 1..={MAX_PAIRS} pairs, got {n}"
            )));
        }
        self.trainer
            .config()
            .coupling
            .validate_batch(n as usize)
            .map_err(js_error)?;
        let batch = self.trainer.draw_batch(n as usize);
        Ok(batch
            .x0
            .chunks_exact(2)
            .zip(batch.x1.chunks_exact(2))
            .flat_map(|(a, b)| [a[0], a[1], b[0], b[1]])
            .collect())
    }

    /// Resolves to the bytes of a weights file (the format the CLI reads and writes).
    #[wasm_bindgen(js_name = exportWeights)]
    pub fn export_weights(&self) -> Promise {
        let flow = self.trainer.flow();
        promise(self.backend == "cpu", async move {
            let host = Device::flex();
            let model = copy_model_async(&flow.model, &flow.config.model, &host)
                .await
                .map_err(|e| JsValue::from(js_error(e)))?;
            let bytes = weights::to_bytes(&Flow {
                config: flow.config,
                model,
            })
            .map_err(|e| JsValue::from(js_error(e)))?;
            Ok(Uint8Array::from(bytes.as_slice()).into())
        })
    }

    /// Loads a weights file and continues training from it with the current settings (the
    /// file's network, path and parameterisation replace the current ones). Returns the file's
    /// config (an object). On error nothing changes.
    #[wasm_bindgen(js_name = importWeights)]
    pub fn import_weights(&mut self, bytes: &[u8]) -> Result<JsValue, JsError> {
        // Validated on the CPU (its checks read the weights), then moved to this device.
        let flow = weights::from_bytes(bytes, &Device::flex()).map_err(js_error)?;
        let file_config = to_js(&flow.config)?;
        let FlowConfig {
            model,
            path,
            parameterization,
            ref source,
            ref target,
            steps,
            ..
        } = flow.config.clone();
        let mut config = self.trainer.config().clone();
        config.model = model;
        config.path = path;
        config.parameterization = parameterization;
        config.validate().map_err(js_error)?;
        // Named datasets come with the file; a user's point cloud stays as it is here.
        let named = |label: &str, current: &Distribution| {
            Distribution::from_label(label).unwrap_or_else(|_| current.clone())
        };
        let target = named(target, self.trainer.target());
        let source = named(source, self.trainer.source());
        let exact = exact_field_of(path, &source, &target, config.seed, &self.device);
        self.trainer = Trainer::resume(
            config,
            source,
            target,
            flow.model.to_device(&self.device),
            steps,
            &self.device,
        );
        self.exact = exact;
        self.loss_sum = None;
        self.loss_count = 0;
        self.reset_loss_bins();
        Ok(file_config)
    }
}

fn exact_points(target: &Distribution, seed: u64) -> Vec<f32> {
    match target {
        Distribution::Points(cloud) if cloud.len() <= 4 * EXACT_POINTS => cloud.as_slice().to_vec(),
        other => other.sample(EXACT_POINTS, &mut Rng::new(seed ^ 0xE8AC7)),
    }
}

/// The exact field of `target`'s points from `source` (its mixture; the standard normal for a
/// source without one, which only the velocity field is drawn for).
fn exact_field_of(
    path: Path,
    source: &Distribution,
    target: &Distribution,
    seed: u64,
    device: &Device,
) -> ExactField {
    let points = exact_points(target, seed);
    match GaussianMixture::of_distribution(source) {
        Ok(mixture) => ExactField::with_source(path, &points, mixture, device),
        Err(_) => ExactField::new(path, &points, device),
    }
}

fn exact_field(parsed: &Parsed, device: &Device) -> ExactField {
    exact_field_of(
        parsed.config.path,
        &parsed.source,
        &parsed.target,
        parsed.config.seed,
        device,
    )
}
