//! The native command line: argument parsing and file output; the maths lives in the library.

use std::fs;
use std::path::{Path as FsPath, PathBuf};
use std::time::Instant;

use burn::tensor::Device;
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::json;

use flow_playground::coupling::Coupling;
use flow_playground::data::{Dataset, Distribution, PointCloud};
use flow_playground::density::{differential_entropy, negative_log_likelihood};
use flow_playground::flow::{to_host, to_tensor, Flow};
use flow_playground::guidance::{ClassChoice, GuidedFlow};
use flow_playground::metrics;
use flow_playground::mixture::GaussianMixture;
use flow_playground::model::{Activation, ClassConditioning, Shortcut, VelocityMlpConfig};
use flow_playground::param::Parameterization;
use flow_playground::path::Path;
use flow_playground::reflow;
use flow_playground::rng::Rng;
use flow_playground::score::LearnedScore;
use flow_playground::sde::sample_sde;
use flow_playground::solver::{integrate, Solution, SolveOptions, Solver};
use flow_playground::straightness::straightness;
use flow_playground::sweep::{self, SweepOptions};
use flow_playground::time::TimeSampling;
use flow_playground::train::{TrainConfig, Trainer};
use flow_playground::weights;

#[derive(Parser)]
#[command(
    name = "flow-playground",
    version,
    about = "Train, sample and benchmark 2-D flow-matching models"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a model and write its weights, samples, data and metrics to --out.
    Train(TrainArgs),
    /// Sample from saved weights.
    Sample(SampleArgs),
    /// Rectify a flow: train a new one on the pairs (x0, ODE(x0)) of saved weights.
    Reflow(ReflowArgs),
    /// W2 to fresh data against function evaluations, per solver (one JSON line per point).
    BenchNfe(BenchNfeArgs),
    /// Negative log-likelihood (nats per point) of data under saved weights.
    Nll(NllArgs),
    /// Measure training steps/s and sampling throughput.
    Bench(BenchArgs),
}

#[derive(Args)]
struct ModelArgs {
    /// Hidden units per layer.
    #[arg(long, default_value_t = 64)]
    width: usize,
    /// Hidden layers.
    #[arg(long, default_value_t = 3)]
    depth: usize,
    /// silu, relu, gelu or tanh.
    #[arg(long, default_value = "silu")]
    activation: Activation,
    /// Size of the sinusoidal time embedding (even; 0 feeds raw t).
    #[arg(long, default_value_t = 16)]
    time_embedding: usize,
    /// Condition on the data's class labels (classifier-free guidance at sampling time).
    #[arg(long)]
    conditional: bool,
    /// Size of the learned class embedding (with --conditional).
    #[arg(long, default_value_t = 16)]
    class_embedding: usize,
    /// Train a shortcut model: the step size is an input, sampled well in few Euler steps.
    #[arg(long)]
    shortcut: bool,
    /// Step sizes trained by self-consistency: 1 down to 2^-(levels-1) (with --shortcut).
    #[arg(long, default_value_t = 7)]
    shortcut_levels: usize,
}

impl ModelArgs {
    fn config(&self, classes: Option<usize>) -> VelocityMlpConfig {
        VelocityMlpConfig::new()
            .with_width(self.width)
            .with_depth(self.depth)
            .with_activation(self.activation)
            .with_time_embedding(self.time_embedding)
            .with_conditioning(classes.map(|k| ClassConditioning {
                classes: k,
                embedding: self.class_embedding,
            }))
            .with_shortcut(self.shortcut.then_some(Shortcut {
                levels: self.shortcut_levels,
            }))
    }
}

#[derive(Args)]
struct TrainArgs {
    /// Target distribution (t = 1).
    #[arg(long, default_value = "moons")]
    dataset: Dataset,
    /// The target's noise standard deviation (default: the dataset's own, chosen for legibility;
    /// the torchcfm / FFJORD value is listed in the README).
    #[arg(long)]
    spread: Option<f64>,
    /// Read the target from a CSV of x,y points instead of --dataset.
    #[arg(long)]
    data_file: Option<PathBuf>,
    /// Source distribution (t = 0).
    #[arg(long, default_value = "gaussian")]
    source: Dataset,
    /// Read the source from a CSV of x,y points instead of --source.
    #[arg(long)]
    source_file: Option<PathBuf>,
    /// linear, cosine, sigma-min[:σ], poly[:n] or bridge[:σ] (Brownian bridge noise σ).
    #[arg(long, default_value = "linear")]
    path: Path,
    /// velocity, noise or data.
    #[arg(long, default_value = "velocity")]
    param: Parameterization,
    /// independent, ot or sinkhorn[:ε] (ε relative to the batch's mean squared distance).
    #[arg(long, default_value = "independent")]
    coupling: Coupling,
    /// Probability of replacing a training label by the null label (with --conditional).
    #[arg(long, default_value_t = 0.1)]
    label_dropout: f64,
    /// uniform or logit-normal[:mean[:std]].
    #[arg(long, default_value = "uniform")]
    time_sampling: TimeSampling,
    #[command(flatten)]
    model: ModelArgs,
    /// Optimiser steps.
    #[arg(long, default_value_t = 5000)]
    steps: usize,
    /// Pairs per step.
    #[arg(long, default_value_t = 256)]
    batch: usize,
    /// Peak learning rate.
    #[arg(long, default_value_t = 1e-3)]
    lr: f64,
    /// Linear warm-up steps.
    #[arg(long, default_value_t = 0)]
    warmup: usize,
    /// Cosine-decay the learning rate over the run.
    #[arg(long)]
    cosine: bool,
    /// Clip each gradient tensor to this norm.
    #[arg(long)]
    clip: Option<f32>,
    /// Sample from an exponential moving average of the weights with this decay.
    #[arg(long)]
    ema: Option<f64>,
    /// Seed for weights and all random draws.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// Points sampled for samples.csv and the W2 metric.
    #[arg(long, default_value_t = 1000)]
    eval_samples: usize,
    /// Solver used for the evaluation samples (default rk4; euler for a shortcut model).
    #[arg(long)]
    solver: Option<Solver>,
    /// Function evaluations for the evaluation samples (fixed-step solvers).
    #[arg(long, default_value_t = 40)]
    nfe: usize,
    /// Read the loss and print progress every this many steps.
    #[arg(long, default_value_t = 500)]
    log_every: usize,
}

/// How samples are drawn.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Sampler {
    /// The probability-flow ODE, with --solver.
    Ode,
    /// The SDE with the same marginals, Euler–Maruyama with --nfe steps and noise scale --noise.
    Sde,
}

#[derive(Args)]
struct SampleArgs {
    /// A weights file written by `train`.
    #[arg(long)]
    weights: PathBuf,
    /// ode (deterministic, --solver) or sde (stochastic, Euler–Maruyama, needs a Gaussian source).
    #[arg(long, value_enum, default_value = "ode")]
    sampler: Sampler,
    /// SDE noise scale γ: diffusion g(t) = γ·σ_t (0 is the ODE).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    noise: f64,
    /// euler, midpoint, heun, rk4 or dopri5[:atol[:rtol]] (default rk4; euler for a shortcut
    /// model, which then takes steps of 1/nfe). The ODE sampler.
    #[arg(long)]
    solver: Option<Solver>,
    /// Function evaluations for fixed-step solvers (rounded down to whole steps); the SDE
    /// sampler takes this many steps.
    #[arg(long, default_value_t = 40)]
    nfe: usize,
    /// Number of particles.
    #[arg(long, default_value_t = 1000)]
    n: usize,
    /// Read source points from this CSV (needed when the model's source was a point cloud).
    #[arg(long)]
    source_file: Option<PathBuf>,
    /// Run backward: start from --input (data) and integrate to t = 0 (noise).
    #[arg(long)]
    backward: bool,
    /// Points to carry backward (CSV x,y); required with --backward.
    #[arg(long)]
    input: Option<PathBuf>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Where to write the final points (x,y).
    #[arg(long, default_value = "samples.csv")]
    out: PathBuf,
    /// Also write every particle's trajectory (particle,step,t,x,y).
    #[arg(long)]
    trajectories: Option<PathBuf>,
    /// Conditional models: a class number, or `all` (each particle's class drawn from the
    /// data's labels; the default). The output gains a class column.
    #[arg(long)]
    class: Option<ClassChoice>,
    /// Guidance scale w: 0 unconditional, 1 conditional, > 1 over-guided.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    guidance: f64,
    /// Also report the straightness of the sampled trajectories.
    #[arg(long)]
    straightness: bool,
}

#[derive(Args)]
struct ReflowArgs {
    /// The flow to rectify (a weights file written by `train` or `reflow`).
    #[arg(long)]
    weights: PathBuf,
    /// Training steps of the new flow.
    #[arg(long)]
    steps: usize,
    /// Output folder (model.fpw, samples.csv, metrics.json).
    #[arg(long)]
    out: PathBuf,
    /// Pairs (x0, ODE(x0)) to generate and train on.
    #[arg(long, default_value_t = 10_000)]
    pairs: usize,
    /// Solver that generates the pairs.
    #[arg(long, default_value = "rk4")]
    solver: Solver,
    /// Function evaluations per generated pair (fixed-step solvers).
    #[arg(long, default_value_t = 40)]
    nfe: usize,
    /// Pairs per training step.
    #[arg(long, default_value_t = 256)]
    batch: usize,
    /// Peak learning rate.
    #[arg(long, default_value_t = 1e-3)]
    lr: f64,
    /// Cosine-decay the learning rate over the run.
    #[arg(long)]
    cosine: bool,
    /// Start from fresh weights instead of the flow's own.
    #[arg(long)]
    fresh: bool,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Read source points from this CSV (needed when the flow's source was a point cloud).
    #[arg(long)]
    source_file: Option<PathBuf>,
    /// Read data points from this CSV (needed when the flow's target was a point cloud).
    #[arg(long)]
    data_file: Option<PathBuf>,
    /// Points sampled for the metrics.
    #[arg(long, default_value_t = 1000)]
    eval_samples: usize,
    /// Read the loss and print progress every this many steps.
    #[arg(long, default_value_t = 500)]
    log_every: usize,
}

#[derive(Args)]
struct BenchNfeArgs {
    /// A weights file written by `train` or `reflow`.
    #[arg(long)]
    weights: PathBuf,
    /// Particles and data points per evaluation (exact W2, at most 2048).
    #[arg(long, default_value_t = 1000)]
    n: usize,
    /// Function-evaluation budgets of the fixed-step solvers, comma-separated.
    #[arg(long, default_value = "1,2,4,8,16,32,64")]
    nfe: String,
    /// dopri5 tolerances (atol = rtol), comma-separated ("" skips dopri5).
    #[arg(long, default_value = "1e-2,1e-3,1e-4,1e-5")]
    tolerances: String,
    /// Also sweep the SDE sampler with this noise scale γ (needs a Gaussian source).
    #[arg(long)]
    sde_noise: Option<f64>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Read source points from this CSV (needed when the flow's source was a point cloud).
    #[arg(long)]
    source_file: Option<PathBuf>,
    /// Read data points from this CSV (needed when the flow's target was a point cloud).
    #[arg(long)]
    data_file: Option<PathBuf>,
}

#[derive(Args)]
struct NllArgs {
    /// A weights file written by `train`.
    #[arg(long)]
    weights: PathBuf,
    /// Evaluate on fresh points of this dataset (default: the model's target).
    #[arg(long, conflicts_with = "data")]
    dataset: Option<Dataset>,
    /// Evaluate on the x,y points of this CSV instead.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Fresh points drawn from the dataset.
    #[arg(long, default_value_t = 2000)]
    n: usize,
    /// euler, midpoint, heun, rk4 or dopri5[:atol[:rtol]].
    #[arg(long, default_value = "rk4")]
    solver: Solver,
    /// Function evaluations for fixed-step solvers (rounded down to whole steps).
    #[arg(long, default_value_t = 40)]
    nfe: usize,
    /// Seed of the fresh points.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[derive(Args)]
struct BenchArgs {
    /// Training sizes as WIDTHxBATCH, comma-separated (3 hidden layers each; "" skips training).
    #[arg(long, default_value = "64x256,256x1024")]
    train: String,
    /// Timed training steps per size (after 10 warm-up steps).
    #[arg(long, default_value_t = 200)]
    steps: usize,
    /// Particle counts for sampling throughput, comma-separated ("" skips sampling).
    #[arg(long, default_value = "10000,100000")]
    particles: String,
    /// Function evaluations per sampling run.
    #[arg(long, default_value_t = 20)]
    nfe: usize,
    /// Time embedding for the benchmarked networks (0: raw t, as in the PyTorch peer).
    #[arg(long, default_value_t = 0)]
    time_embedding: usize,
    /// Hidden non-linearity of the benchmarked networks.
    #[arg(long, default_value = "silu")]
    activation: Activation,
    /// Write the results as JSON here too.
    #[arg(long)]
    json: Option<PathBuf>,
    /// `cpu` (flex), or `webgpu`: Burn's wgpu backend on this machine's GPU (Vulkan, Metal or
    /// DX12), in a build with the `webgpu` cargo feature.
    #[arg(long, default_value = "cpu")]
    device: String,
}

/// The bench's device (see [`BenchArgs::device`]).
fn bench_device(name: &str) -> Result<Device, String> {
    match name {
        "cpu" => Ok(Device::flex()),
        #[cfg(feature = "webgpu")]
        "webgpu" => Device::wgpu_options()
            .init()
            .map_err(|e| format!("wgpu initialisation failed: {e}")),
        #[cfg(not(feature = "webgpu"))]
        "webgpu" => Err("this build has no GPU backend: build with `--features webgpu`".into()),
        other => Err(format!("unknown device '{other}' (cpu or webgpu)")),
    }
}

pub fn run() -> Result<(), String> {
    let cli = Cli::try_parse().map_err(|e| {
        // Help and version are not errors.
        if !e.use_stderr() {
            print!("{e}");
            std::process::exit(0);
        }
        // One line: clap's first, which names the argument and the problem.
        e.render()
            .to_string()
            .trim_start_matches("error: ")
            .lines()
            .next()
            .unwrap_or_default()
            .trim_end()
            .to_string()
    })?;
    let device = Device::flex();
    match cli.command {
        Command::Train(args) => train(args, &device),
        Command::Sample(args) => sample(args, &device),
        Command::Reflow(args) => reflow(args, &device),
        Command::BenchNfe(args) => bench_nfe(args, &device),
        Command::Nll(args) => nll(args, &device),
        Command::Bench(args) => bench_device(&args.device).and_then(|d| bench(args, &d)),
    }
}

fn read_cloud(path: &FsPath) -> Result<Distribution, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    PointCloud::from_csv(&text)
        .map(Distribution::Points)
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn write_csv(path: &FsPath, xy: &[f32]) -> Result<(), String> {
    write_labelled_csv(path, xy, None)
}

/// `x,y` rows, or `x,y,class` when `classes` is given.
fn write_labelled_csv(path: &FsPath, xy: &[f32], classes: Option<&[u32]>) -> Result<(), String> {
    let mut s = String::with_capacity(xy.len() * 12 + 10);
    match classes {
        Some(classes) => {
            s.push_str("x,y,class\n");
            for (p, c) in xy.chunks_exact(2).zip(classes) {
                s.push_str(&format!("{},{},{c}\n", p[0], p[1]));
            }
        }
        None => {
            s.push_str("x,y\n");
            for p in xy.chunks_exact(2) {
                s.push_str(&format!("{},{}\n", p[0], p[1]));
            }
        }
    }
    fs::write(path, s).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn load_flow(path: &FsPath, device: &Device) -> Result<Flow, String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    weights::from_bytes(&bytes, device).map_err(|e| format!("{}: {e}", path.display()))
}

/// The distribution a saved model names (`what` is "source" or "target"), or the CSV `file`.
fn named_or_file(
    label: &str,
    file: Option<&PathBuf>,
    what: &str,
    flag: &str,
) -> Result<Distribution, String> {
    match file {
        Some(p) => read_cloud(p),
        None => Distribution::from_label(label).map_err(|_| {
            format!("the model was trained with the {what} '{label}'; pass it with {flag}")
        }),
    }
}

/// The solver to use: the one given, else euler for a shortcut model and rk4 otherwise.
fn default_solver(given: Option<Solver>, flow_config: &VelocityMlpConfig) -> Solver {
    given.unwrap_or(if flow_config.shortcut.is_some() {
        Solver::Euler
    } else {
        Solver::Rk4
    })
}

/// The mean over particles of S (see `straightness`), read back.
fn read_straightness(field: &impl flow_playground::solver::VelocityField, s: &Solution) -> f64 {
    straightness(field, s).into_scalar::<f32>() as f64
}

fn fixed_steps(solver: Solver, nfe: usize) -> Result<usize, String> {
    match solver.evaluations_per_step() {
        Some(per) if nfe < per => Err(format!(
            "{} needs at least {per} function evaluations per step, got --nfe {nfe}",
            solver.name()
        )),
        Some(per) => Ok(nfe / per),
        None => Ok(1),
    }
}

fn train(args: TrainArgs, device: &Device) -> Result<(), String> {
    let target = match (&args.data_file, args.spread) {
        (Some(_), Some(_)) => return Err("--spread applies to --dataset, not --data-file".into()),
        (Some(p), None) => read_cloud(p)?,
        (None, None) => Distribution::named(args.dataset),
        (None, Some(s)) => {
            Distribution::with_spread(args.dataset, s).map_err(|e| format!("--spread: {e}"))?
        }
    };
    let source = match &args.source_file {
        Some(p) => read_cloud(p)?,
        None => Distribution::named(args.source),
    };
    if args.eval_samples == 0 || args.eval_samples > flow_playground::assignment::MAX_SIZE {
        return Err(format!(
            "--eval-samples must be in 1..={}",
            flow_playground::assignment::MAX_SIZE
        ));
    }
    let classes = if args.model.conditional {
        Some(target.classes().ok_or_else(|| {
            format!(
                "--conditional needs labelled data; '{}' has no classes (use a labelled dataset \
                 or a CSV with x,y,label)",
                target.label()
            )
        })?)
    } else {
        None
    };
    let model = args.model.config(classes);
    let solver = default_solver(args.solver, &model);
    let steps_per_solve = fixed_steps(solver, args.nfe)?;
    let config = TrainConfig::new(model)
        .with_path(args.path)
        .with_parameterization(args.param)
        .with_coupling(args.coupling)
        .with_time_sampling(args.time_sampling)
        .with_batch_size(args.batch)
        .with_learning_rate(args.lr)
        .with_warmup_steps(args.warmup)
        .with_decay_steps(args.cosine.then_some(args.steps))
        .with_grad_clip_norm(args.clip)
        .with_ema_decay(args.ema)
        .with_seed(args.seed)
        .with_label_dropout(args.label_dropout);
    let mut trainer = Trainer::new(config, source.clone(), target.clone(), device)?;
    fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;

    let mut extras = String::new();
    if let Some(k) = classes {
        extras.push_str(&format!(
            ", conditional on {k} classes (label dropout {})",
            args.label_dropout
        ));
    }
    if args.model.shortcut {
        extras.push_str(&format!(
            ", shortcut over {} levels",
            args.model.shortcut_levels
        ));
    }
    println!(
        "training {} → {} on flex CPU ({} path, {} target, {} coupling), {}×{} MLP, batch {}, {} steps{extras}",
        source.label(),
        target.label(),
        args.path,
        args.param,
        args.coupling,
        args.model.depth,
        args.model.width,
        args.batch,
        args.steps
    );
    let start = Instant::now();
    let last_loss = run_steps(&mut trainer, args.steps, args.log_every, args.lr)?;
    let seconds = start.elapsed().as_secs_f64();
    let steps_per_second = args.steps as f64 / seconds.max(1e-9);

    let flow = trainer.flow();
    let bytes = weights::to_bytes(&flow).map_err(|e| e.to_string())?;
    let weights_path = args.out.join("model.fpw");
    fs::write(&weights_path, bytes)
        .map_err(|e| format!("cannot write {}: {e}", weights_path.display()))?;

    let mut rng = Rng::new(args.seed.wrapping_add(1_000_003));
    let eval = evaluate(
        &flow,
        &source,
        &target,
        args.eval_samples,
        solver,
        steps_per_solve,
        &mut rng,
        device,
    )?;
    write_csv(&args.out.join("samples.csv"), &eval.samples)?;
    write_csv(&args.out.join("data.csv"), &eval.data)?;
    let report = json!({
        "dataset": target.label(),
        "source": source.label(),
        "path": args.path.to_string(),
        "parameterization": args.param.name(),
        "coupling": args.coupling.to_string(),
        "width": args.model.width,
        "depth": args.model.depth,
        "conditional": classes.is_some(),
        "classes": classes,
        "label_dropout": classes.map(|_| args.label_dropout),
        "shortcut": args.model.shortcut,
        "batch": args.batch,
        "steps": args.steps,
        "seed": args.seed,
        "final_loss": last_loss,
        "train_seconds": seconds,
        "steps_per_second": steps_per_second,
        "solver": solver.to_string(),
        "nfe": eval.nfe,
        "eval_samples": args.eval_samples,
        "w2": eval.w2,
        "w2_source": eval.w2_source,
        "w2_ratio": eval.w2 / eval.w2_source,
        "w2_floor": eval.w2_floor,
        "w2_above_floor_ratio": metrics::w2_above_floor(eval.w2, eval.w2_floor) / eval.w2_source,
        "sliced_w2": eval.sliced_w2,
        "mmd2_rbf_h0.5": eval.mmd,
        "straightness": eval.straightness,
        "nll": eval.nll,
    });
    write_json(&args.out.join("metrics.json"), &report)?;
    println!(
        "done in {seconds:.1} s ({steps_per_second:.1} steps/s); W2(samples, data) = {:.4}, \
         W2(source, data) = {:.4}, ratio {:.4} ({:.4} above the {:.4} two-sample floor), \
         straightness {:.4}{}; wrote {}",
        eval.w2,
        eval.w2_source,
        eval.w2 / eval.w2_source,
        metrics::w2_above_floor(eval.w2, eval.w2_floor) / eval.w2_source,
        eval.w2_floor,
        eval.straightness,
        eval.nll
            .map_or(String::new(), |v| format!(", NLL {v:.4} nats")),
        args.out.display()
    );
    Ok(())
}

/// Runs `steps` optimiser steps, printing the mean loss every `log_every`; returns the last
/// window's mean loss.
fn run_steps(
    trainer: &mut Trainer,
    steps: usize,
    log_every: usize,
    lr: f64,
) -> Result<f64, String> {
    let log_every = log_every.max(1);
    let start = Instant::now();
    let mut window_sum = None;
    let mut window_len = 0;
    let mut last_loss = f64::NAN;
    for step in 1..=steps {
        let loss = trainer.step();
        window_sum = Some(match window_sum {
            Some(sum) => sum + loss,
            None => loss,
        });
        window_len += 1;
        if step % log_every == 0 || step == steps {
            let mean = window_sum
                .take()
                .expect("one loss at least")
                .into_scalar::<f32>() as f64
                / window_len as f64;
            window_len = 0;
            last_loss = mean;
            if !mean.is_finite() {
                return Err(format!(
                    "the loss became {mean} by step {step}; lower the learning rate (--lr {lr})"
                ));
            }
            println!(
                "step {step:>7}  loss {mean:.5}  {:.1} steps/s",
                step as f64 / start.elapsed().as_secs_f64()
            );
        }
    }
    Ok(last_loss)
}

fn write_json(path: &FsPath, value: &serde_json::Value) -> Result<(), String> {
    fs::write(path, serde_json::to_string_pretty(value).unwrap() + "\n")
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Evaluation samples of a flow and their scores against fresh data.
struct Evaluation {
    samples: Vec<f32>,
    data: Vec<f32>,
    nfe: usize,
    w2: f64,
    w2_source: f64,
    w2_floor: f64,
    sliced_w2: f64,
    mmd: f64,
    straightness: f64,
    /// Nats per point on fresh data, where the source has a density.
    nll: Option<f64>,
}

/// Samples `n` points with `solver` in `steps` steps (a conditional flow: each particle's class
/// drawn from the data's labels, guidance 1) and scores them.
#[allow(clippy::too_many_arguments)]
fn evaluate(
    flow: &Flow,
    source: &Distribution,
    target: &Distribution,
    n: usize,
    solver: Solver,
    steps: usize,
    rng: &mut Rng,
    device: &Device,
) -> Result<Evaluation, String> {
    let x0 = source.sample(n, rng);
    let classes = match flow.config.model.conditioning {
        Some(_) => ClassChoice::All.draw(target, n, rng),
        None => Vec::new(),
    };
    let mut field = GuidedFlow::new(flow, &classes, 1.0, device)?;
    if solver == Solver::Euler {
        field = field.stepped(steps);
    }
    let solution = integrate(
        &field,
        solver,
        to_tensor(&x0, device),
        &SolveOptions::forward(steps).recording(),
    );
    let straightness = read_straightness(&field, &solution);
    let samples = to_host(solution.x);
    let data = target.sample(n, rng);
    let baseline = source.sample(n, rng);
    let reference = target.sample(n, rng);
    let w2 = metrics::wasserstein2(&samples, &data)?;
    let nll = GaussianMixture::of_distribution(source)
        .ok()
        .map(|density| {
            let fresh = target.sample(n, rng);
            negative_log_likelihood(flow, &density, &fresh, solver, steps, device)
        });
    Ok(Evaluation {
        nll,
        w2,
        w2_source: metrics::wasserstein2(&baseline, &data)?,
        w2_floor: metrics::wasserstein2(&reference, &data)?,
        sliced_w2: metrics::sliced_wasserstein2(&samples, &data, 200, rng),
        mmd: metrics::mmd2_rbf(&samples, &data, 0.5),
        straightness,
        nfe: solution.nfe,
        samples,
        data,
    })
}

fn sample(args: SampleArgs, device: &Device) -> Result<(), String> {
    let flow = load_flow(&args.weights, device)?;
    let solver = default_solver(args.solver, &flow.config.model);
    if args.sampler == Sampler::Sde {
        if args.backward {
            return Err("--sampler sde runs forward only; drop --backward".into());
        }
        if flow.config.model.conditioning.is_some() || args.straightness {
            return Err("--sampler sde samples unconditional models without --straightness".into());
        }
        flow_playground::sde::validate_noise(args.noise)?;
    }
    let steps = match args.sampler {
        Sampler::Ode => fixed_steps(solver, args.nfe)?,
        Sampler::Sde if args.nfe == 0 => return Err("--nfe must be at least 1".into()),
        Sampler::Sde => args.nfe,
    };
    let mut options = if args.backward {
        SolveOptions::backward(steps)
    } else {
        SolveOptions::forward(steps)
    };
    options.record = args.trajectories.is_some() || args.straightness;
    let mut rng = Rng::new(args.seed);
    let start_points = if args.backward {
        let input = args
            .input
            .as_ref()
            .ok_or("--backward needs --input with the data points to carry to noise")?;
        match read_cloud(input)? {
            Distribution::Points(cloud) => cloud.as_slice().to_vec(),
            Distribution::Named { .. } => unreachable!("read_cloud returns points"),
        }
    } else {
        if args.n == 0 {
            return Err("--n must be at least 1".into());
        }
        let source = named_or_file(
            &flow.config.source,
            args.source_file.as_ref(),
            "source",
            "--source-file",
        )?;
        source.sample(args.n, &mut rng)
    };
    let n = start_points.len() / 2;
    let classes = match flow.config.model.conditioning {
        Some(c) => {
            let choice = args.class.unwrap_or(ClassChoice::All);
            choice.validate(c.classes)?;
            Some(match choice {
                ClassChoice::One(k) => vec![k; n],
                ClassChoice::All => {
                    let target = named_or_file(
                        &flow.config.target,
                        None,
                        "target",
                        "--class C (a class number)",
                    )?;
                    choice.draw(&target, n, &mut rng)
                }
            })
        }
        None => {
            if args.class.is_some() {
                return Err("--class needs a conditional model (train --conditional)".into());
            }
            None
        }
    };
    let mut field = GuidedFlow::new(
        &flow,
        classes.as_deref().unwrap_or(&[]),
        args.guidance,
        device,
    )?;
    // A shortcut's step is the average velocity forward over [t, t + d]; backward runs use the
    // instantaneous velocity.
    let shortcut_steps = solver == Solver::Euler && !args.backward;
    if shortcut_steps {
        field = field.stepped(steps);
    }
    let x0 = to_tensor(&start_points, device);
    let start = Instant::now();
    let solution = match args.sampler {
        Sampler::Ode => integrate(&field, solver, x0, &options),
        Sampler::Sde => {
            let source = model_source(&flow)?;
            let score = LearnedScore::new(&flow, &source)?;
            sample_sde(&score, x0, &options, args.noise, args.seed ^ 0x5DE0_0000)?
        }
    };
    let samples = to_host(solution.x.clone());
    let seconds = start.elapsed().as_secs_f64();
    write_labelled_csv(&args.out, &samples, classes.as_deref())?;
    let straight = args
        .straightness
        .then(|| read_straightness(&field, &solution));
    if let Some(path) = &args.trajectories {
        write_trajectories(path, &solution.times, solution.trajectory)?;
    }
    let mut notes = String::new();
    if flow.config.model.conditioning.is_some() {
        notes.push_str(&format!(
            ", class {}, guidance {}",
            args.class.unwrap_or(ClassChoice::All),
            args.guidance
        ));
    }
    if flow.config.model.shortcut.is_some() && shortcut_steps {
        notes.push_str(&format!(", shortcut step {}", flow.stepped(steps).step));
    }
    if let Some(s) = straight {
        notes.push_str(&format!(", straightness {s:.4}"));
    }
    let method = match args.sampler {
        Sampler::Ode => solver.to_string(),
        Sampler::Sde => format!("SDE γ = {}", args.noise),
    };
    println!(
        "{} particles, {} ({} NFE{}{notes}) in {:.3} s → {}",
        samples.len() / 2,
        method,
        solution.nfe,
        if solution.completed {
            ""
        } else {
            ", stopped early"
        },
        seconds,
        args.out.display()
    );
    Ok(())
}

fn reflow(args: ReflowArgs, device: &Device) -> Result<(), String> {
    let teacher = load_flow(&args.weights, device)?;
    let source = named_or_file(
        &teacher.config.source,
        args.source_file.as_ref(),
        "source",
        "--source-file",
    )?;
    let target = named_or_file(
        &teacher.config.target,
        args.data_file.as_ref(),
        "target",
        "--data-file",
    )?;
    if args.pairs == 0 || args.pairs > 1_000_000 {
        return Err(format!(
            "--pairs must be in 1..=1000000, got {}",
            args.pairs
        ));
    }
    if args.eval_samples == 0 || args.eval_samples > flow_playground::assignment::MAX_SIZE {
        return Err(format!(
            "--eval-samples must be in 1..={}",
            flow_playground::assignment::MAX_SIZE
        ));
    }
    let steps_per_solve = fixed_steps(args.solver, args.nfe)?;
    let mut rng = Rng::new(args.seed.wrapping_add(0x2EF1_0000));
    let x0 = source.sample(args.pairs, &mut rng);
    let classes = teacher
        .config
        .model
        .conditioning
        .map(|_| ClassChoice::All.draw(&target, args.pairs, &mut rng));
    let start = Instant::now();
    let pairs = reflow::generate_pairs(
        &teacher,
        x0,
        classes.as_deref(),
        args.solver,
        steps_per_solve,
        device,
    )?;
    println!(
        "generated {} pairs with {} ({} NFE each) in {:.1} s",
        pairs.len(),
        args.solver,
        args.nfe,
        start.elapsed().as_secs_f64()
    );
    // The rectified flow regresses x1 − x0 on the straight line between fixed pairs.
    let config = TrainConfig::new(teacher.config.model.clone())
        .with_batch_size(args.batch)
        .with_learning_rate(args.lr)
        .with_decay_steps(args.cosine.then_some(args.steps))
        .with_seed(args.seed)
        .with_label_dropout(teacher.config.label_dropout.unwrap_or(0.1));
    let same_target = teacher.config.path == Path::Linear
        && teacher.config.parameterization == Parameterization::Velocity;
    let init = if args.fresh || !same_target {
        config.model.init(args.seed, device)
    } else {
        teacher.model.clone()
    };
    let mut trainer =
        Trainer::on_pairs(config, source.clone(), target.clone(), pairs, init, device)?;
    fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let start = Instant::now();
    let last_loss = run_steps(&mut trainer, args.steps, args.log_every, args.lr)?;
    let seconds = start.elapsed().as_secs_f64();
    let student = trainer.flow();
    let weights_path = args.out.join("model.fpw");
    fs::write(
        &weights_path,
        weights::to_bytes(&student).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("cannot write {}: {e}", weights_path.display()))?;

    // Both flows on the same draws: straightness with the pair solver, one Euler step.
    let n = args.eval_samples;
    let score = |flow: &Flow, solver: Solver, steps: usize| {
        evaluate(
            flow,
            &source,
            &target,
            n,
            solver,
            steps,
            &mut Rng::new(args.seed.wrapping_add(1_000_003)),
            device,
        )
    };
    let before = score(&teacher, args.solver, steps_per_solve)?;
    let after = score(&student, args.solver, steps_per_solve)?;
    let before_1 = score(&teacher, Solver::Euler, 1)?;
    let after_1 = score(&student, Solver::Euler, 1)?;
    write_csv(&args.out.join("samples.csv"), &after.samples)?;
    let report = json!({
        "source": source.label(),
        "dataset": target.label(),
        "reflows": student.config.reflows,
        "pairs": args.pairs,
        "pair_solver": args.solver.to_string(),
        "pair_nfe": args.nfe,
        "steps": args.steps,
        "batch": args.batch,
        "lr": args.lr,
        "seed": args.seed,
        "final_loss": last_loss,
        "train_seconds": seconds,
        "eval_samples": n,
        "w2_floor": after.w2_floor,
        "w2_source": after.w2_source,
        "straightness_before": before.straightness,
        "straightness": after.straightness,
        "w2_before": before.w2,
        "w2": after.w2,
        "w2_euler1_before": before_1.w2,
        "w2_euler1": after_1.w2,
    });
    write_json(&args.out.join("metrics.json"), &report)?;
    println!(
        "{}-rectified flow in {seconds:.1} s: straightness {:.4} → {:.4}; one Euler step W2 \
         {:.4} → {:.4}; {} W2 {:.4} → {:.4} (floor {:.4}); wrote {}",
        student.config.reflows,
        before.straightness,
        after.straightness,
        before_1.w2,
        after_1.w2,
        args.solver,
        before.w2,
        after.w2,
        after.w2_floor,
        args.out.display()
    );
    Ok(())
}

fn bench_nfe(args: BenchNfeArgs, device: &Device) -> Result<(), String> {
    let flow = load_flow(&args.weights, device)?;
    let source = named_or_file(
        &flow.config.source,
        args.source_file.as_ref(),
        "source",
        "--source-file",
    )?;
    let target = named_or_file(
        &flow.config.target,
        args.data_file.as_ref(),
        "target",
        "--data-file",
    )?;
    let nfe: Vec<usize> = parse_list(&args.nfe, "NFE")?;
    if nfe.iter().any(|&k| k == 0 || k > 4096) {
        return Err(format!(
            "--nfe values must be in 1..=4096, got {}",
            args.nfe
        ));
    }
    let tolerances: Vec<f64> = if args.tolerances.trim().is_empty() {
        Vec::new()
    } else {
        parse_list(&args.tolerances, "tolerance")?
    };
    if tolerances.iter().any(|&t| !(t > 0.0 && t.is_finite())) {
        return Err(format!(
            "--tolerances must be positive numbers, got {}",
            args.tolerances
        ));
    }
    if let Some(noise) = args.sde_noise {
        flow_playground::sde::validate_noise(noise)?;
    }
    let options = SweepOptions {
        n: args.n,
        nfe,
        tolerances,
        sde_noise: args.sde_noise,
    };
    let points = sweep::cost_vs_steps(
        &flow,
        &source,
        &target,
        &options,
        &mut Rng::new(args.seed),
        device,
    )?;
    for point in points {
        println!("{}", serde_json::to_string(&point).unwrap());
    }
    Ok(())
}

/// The density of the source a model was trained from, or why there is none.
fn model_source(flow: &Flow) -> Result<GaussianMixture, String> {
    let source = Distribution::from_label(&flow.config.source).map_err(|_| {
        format!(
            "the model's source '{}' has no closed-form density (it needs a gaussian, \
                 8gaussians or 25gaussians source)",
            flow.config.source
        )
    })?;
    GaussianMixture::of_distribution(&source)
}

fn nll(args: NllArgs, device: &Device) -> Result<(), String> {
    let bytes = fs::read(&args.weights)
        .map_err(|e| format!("cannot read {}: {e}", args.weights.display()))?;
    let flow = weights::from_bytes(&bytes, device)
        .map_err(|e| format!("{}: {e}", args.weights.display()))?;
    let steps = fixed_steps(args.solver, args.nfe)?;
    let source = model_source(&flow)?;
    let (label, data, entropy) = match (&args.data, args.dataset) {
        (Some(path), _) => match read_cloud(path)? {
            Distribution::Points(cloud) => {
                (path.display().to_string(), cloud.as_slice().to_vec(), None)
            }
            Distribution::Named { .. } => unreachable!("read_cloud returns points"),
        },
        (None, named) => {
            if args.n == 0 {
                return Err("--n must be at least 1".into());
            }
            let target = match named {
                Some(d) => Distribution::named(d),
                None => Distribution::from_label(&flow.config.target).map_err(|_| {
                    format!(
                        "the model was trained on '{}'; pass the points with --data",
                        flow.config.target
                    )
                })?,
            };
            let data = target.sample(args.n, &mut Rng::new(args.seed));
            let entropy = match target {
                Distribution::Named { dataset, spread } if spread == dataset.default_spread() => {
                    differential_entropy(dataset)
                }
                _ => None,
            };
            (target.label(), data, entropy)
        }
    };
    let start = Instant::now();
    let nll = negative_log_likelihood(&flow, &source, &data, args.solver, steps, device);
    let report = json!({
        "nll": nll,
        "entropy": entropy,
        "data": label,
        "n": data.len() / 2,
        "solver": args.solver.to_string(),
        "steps": steps,
        "seconds": start.elapsed().as_secs_f64(),
    });
    println!("{report}");
    Ok(())
}

fn write_trajectories(
    path: &FsPath,
    times: &[f64],
    states: Vec<burn::tensor::Tensor<2>>,
) -> Result<(), String> {
    let mut s = String::from("particle,step,t,x,y\n");
    let states: Vec<Vec<f32>> = states.into_iter().map(to_host).collect();
    let n = states.first().map_or(0, |x| x.len() / 2);
    for i in 0..n {
        for (step, (t, x)) in times.iter().zip(&states).enumerate() {
            s.push_str(&format!("{i},{step},{t},{},{}\n", x[2 * i], x[2 * i + 1]));
        }
    }
    fs::write(path, s).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn parse_list<T: std::str::FromStr>(s: &str, what: &str) -> Result<Vec<T>, String> {
    s.split(',')
        .map(|p| {
            p.trim()
                .parse::<T>()
                .map_err(|_| format!("bad {what} '{p}'"))
        })
        .collect()
}

fn bench(args: BenchArgs, device: &Device) -> Result<(), String> {
    let sizes: Vec<(usize, usize)> = args
        .train
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (w, b) = p
                .split_once('x')
                .ok_or_else(|| format!("bad size '{p}' (expected WIDTHxBATCH)"))?;
            Ok((
                w.trim()
                    .parse()
                    .map_err(|_| format!("bad width in '{p}'"))?,
                b.trim()
                    .parse()
                    .map_err(|_| format!("bad batch in '{p}'"))?,
            ))
        })
        .collect::<Result<_, String>>()?;
    let particles: Vec<usize> = if args.particles.trim().is_empty() {
        Vec::new()
    } else {
        parse_list(&args.particles, "particle count")?
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let backend = if args.device == "cpu" { "flex" } else { "wgpu" };
    match backend {
        "flex" => println!("flex CPU backend, {threads} threads"),
        _ => println!("Burn's wgpu backend on this machine's GPU"),
    }
    let mut results = Vec::new();
    for &(width, batch) in &sizes {
        let model = VelocityMlpConfig::new()
            .with_width(width)
            .with_depth(3)
            .with_activation(args.activation)
            .with_time_embedding(args.time_embedding);
        let config = TrainConfig::new(model).with_batch_size(batch);
        let mut trainer = Trainer::new(
            config,
            Dataset::Gaussian.into(),
            Dataset::Moons.into(),
            device,
        )?;
        for _ in 0..10 {
            trainer.step();
        }
        let start = Instant::now();
        let mut sum = trainer.step();
        for _ in 1..args.steps {
            sum = sum + trainer.step();
        }
        let _ = sum.into_scalar::<f32>();
        let rate = args.steps as f64 / start.elapsed().as_secs_f64();
        println!(
            "train  3x{width:<4} batch {batch:<5} {:<5} {rate:>9.1} steps/s",
            args.activation.name()
        );
        results.push(json!({"kind": "train", "width": width, "depth": 3, "batch": batch, "activation": args.activation.name(), "steps_per_second": rate}));
    }
    let flow: Flow = Trainer::new(
        TrainConfig::new(VelocityMlpConfig::new().with_time_embedding(args.time_embedding)),
        Dataset::Gaussian.into(),
        Dataset::Moons.into(),
        device,
    )?
    .flow();
    let mut rng = Rng::new(1);
    for &n in &particles {
        for solver in [Solver::Euler, Solver::Rk4] {
            let steps = fixed_steps(solver, args.nfe)?;
            let x0 =
                flow_playground::flow::to_tensor(&Dataset::Gaussian.sample(n, &mut rng), device);
            let start = Instant::now();
            let solution = flow_playground::solver::integrate(
                &flow,
                solver,
                x0,
                &SolveOptions::forward(steps),
            );
            let _ = to_host(solution.x);
            let seconds = start.elapsed().as_secs_f64();
            let rate = (n * solution.nfe) as f64 / seconds;
            println!(
                "sample {:<5} {n:>8} particles × {:>3} NFE  {:>12.3e} particle-evals/s",
                solver.name(),
                solution.nfe,
                rate
            );
            results.push(json!({"kind": "sample", "solver": solver.name(), "particles": n, "nfe": solution.nfe, "particle_evals_per_second": rate}));
        }
    }
    if let Some(path) = args.json {
        let doc = json!({"backend": backend, "threads": threads, "results": results});
        fs::write(&path, serde_json::to_string_pretty(&doc).unwrap() + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
