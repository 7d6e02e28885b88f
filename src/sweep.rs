//! Sample quality against sampling cost: W₂ to fresh data for each solver at a range of
//! function evaluations (NFE).
//!
//! Every point starts from the same source draw and is scored against the same data draw, so
//! the curves differ only by the solver and its budget. Each point carries the two-sample floor
//! — W₂ between two independent data draws of the same size — below which no sampler can be
//! told apart from the data (see [`crate::metrics::w2_above_floor`]). A shortcut network
//! samples with Euler at its step size `1/steps`; a conditional one draws each particle's class
//! from the data's labels and samples at guidance 1. The SDE sampler (one evaluation per step)
//! can join the sweep where the source has a density.
//!
//! [`runs`] lists the points and [`solve`] / [`score`] evaluate one, so the browser can spread a
//! sweep over many small tasks and read each result asynchronously; [`cost_vs_steps`] runs
//! them all natively.

use burn::tensor::Device;
use serde::Serialize;

use crate::data::Distribution;
use crate::flow::{to_host, to_tensor, Flow};
use crate::guidance::GuidedFlow;
use crate::metrics;
use crate::mixture::GaussianMixture;
use crate::rng::Rng;
use crate::score::LearnedScore;
use crate::sde::sample_sde;
use crate::solver::{block_on, integrate_async, Solution, SolveOptions, Solver};

/// One point of the sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NfePoint {
    /// The solver as parsed back by `--solver` (dopri5 with its tolerances), or `sde:γ`.
    pub solver: String,
    /// Function evaluations spent.
    pub nfe: usize,
    /// W₂ between the samples and the data draw.
    pub w2: f64,
    /// W₂ between a second data draw and the data draw.
    pub w2_floor: f64,
    /// False when dopri5 stopped before t = 1.
    pub completed: bool,
}

/// What to sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepOptions {
    /// Particles (and data points) per evaluation, `1..=2048` (exact W₂ by assignment).
    pub n: usize,
    /// Fixed-step budgets; each solver runs at those that are multiples of its evaluations per
    /// step.
    pub nfe: Vec<usize>,
    /// dopri5 tolerances (atol = rtol).
    pub tolerances: Vec<f64>,
    /// The SDE sampler's noise scale γ, to add its points (one evaluation per step), or `None`.
    pub sde_noise: Option<f64>,
}

impl Default for SweepOptions {
    /// 1000 particles, NFE 1…64 in powers of two, dopri5 at 1e-2…1e-5, no SDE.
    fn default() -> Self {
        Self {
            n: 1000,
            nfe: vec![1, 2, 4, 8, 16, 32, 64],
            tolerances: vec![1e-2, 1e-3, 1e-4, 1e-5],
            sde_noise: None,
        }
    }
}

/// How one point of the sweep samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// The flow's ODE with this solver.
    Ode(Solver),
    /// The marginal-preserving SDE (see [`crate::sde`]) with noise scale γ.
    Sde {
        /// γ.
        noise: f64,
    },
}

/// One point to evaluate: a method and its number of steps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Run {
    /// The sampler.
    pub method: Method,
    /// Its steps (1 for dopri5, which adapts).
    pub steps: usize,
}

impl Run {
    /// The label the point carries: the solver's name, or `sde:γ`.
    pub fn label(&self) -> String {
        match self.method {
            Method::Ode(solver) => solver.to_string(),
            Method::Sde { noise } => format!("sde:{noise}"),
        }
    }
}

/// The points of a sweep: euler, midpoint, heun and rk4 at each budget of `options.nfe` that is
/// a multiple of their evaluations per step, dopri5 at each tolerance, then the SDE at each
/// budget when asked.
pub fn runs(options: &SweepOptions) -> Vec<Run> {
    let mut runs = Vec::new();
    for solver in [Solver::Euler, Solver::Midpoint, Solver::Heun, Solver::Rk4] {
        let per = solver.evaluations_per_step().expect("fixed-step solver");
        for &nfe in &options.nfe {
            if nfe >= per && nfe % per == 0 {
                runs.push(Run {
                    method: Method::Ode(solver),
                    steps: nfe / per,
                });
            }
        }
    }
    for &tol in &options.tolerances {
        runs.push(Run {
            method: Method::Ode(Solver::Dopri5 {
                atol: tol,
                rtol: tol,
            }),
            steps: 1,
        });
    }
    if let Some(noise) = options.sde_noise {
        for &nfe in &options.nfe {
            runs.push(Run {
                method: Method::Sde { noise },
                steps: nfe,
            });
        }
    }
    runs
}

/// The draws every point of a sweep shares: one source draw, one data draw to score against and
/// the two-sample floor of a second data draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Draws {
    /// Source points `[n, 2]`.
    pub x0: Vec<f32>,
    /// Data points `[n, 2]`.
    pub data: Vec<f32>,
    /// W₂ between another data draw and `data`.
    pub floor: f64,
    /// Each particle's class (conditional flows; empty otherwise).
    pub classes: Vec<u32>,
}

impl Draws {
    /// `n ∈ 1..=2048` particles and data points for `flow` from `source` to `target`.
    pub fn new(
        flow: &Flow,
        source: &Distribution,
        target: &Distribution,
        n: usize,
        rng: &mut Rng,
    ) -> Result<Self, String> {
        if n == 0 || n > crate::assignment::MAX_SIZE {
            return Err(format!(
                "the sweep needs 1..={} particles, got {n}",
                crate::assignment::MAX_SIZE
            ));
        }
        let x0 = source.sample(n, rng);
        let data = target.sample(n, rng);
        let reference = target.sample(n, rng);
        let floor = metrics::wasserstein2(&reference, &data)?;
        let classes = match flow.config.model.conditioning {
            Some(_) => target.sample_labelled(n, rng).1,
            None => Vec::new(),
        };
        Ok(Self {
            x0,
            data,
            floor,
            classes,
        })
    }
}

/// The samples of one run, on the device and unread. A shortcut network samples with Euler at
/// its step size; a conditional one at guidance 1 towards each particle's class. The SDE needs
/// the source's density (`source`) and an unconditional flow; its noise comes from `seed`.
/// Synchronous: dopri5 reads its error norms as it goes (native code and tests).
pub fn solve(
    flow: &Flow,
    run: &Run,
    draws: &Draws,
    source: Option<&GaussianMixture>,
    seed: u64,
    device: &Device,
) -> Result<Solution, String> {
    block_on(solve_async(flow, run, draws, source, seed, device))
}

/// [`solve`] without blocking: dopri5's reads are awaited (the browser's way).
pub async fn solve_async(
    flow: &Flow,
    run: &Run,
    draws: &Draws,
    source: Option<&GaussianMixture>,
    seed: u64,
    device: &Device,
) -> Result<Solution, String> {
    let x0 = to_tensor(&draws.x0, device);
    let options = SolveOptions::forward(run.steps);
    match run.method {
        Method::Ode(solver) => {
            let mut field = GuidedFlow::new(flow, &draws.classes, 1.0, device)?;
            if solver == Solver::Euler {
                field = field.stepped(run.steps);
            }
            Ok(integrate_async(&field, solver, x0, &options).await)
        }
        Method::Sde { noise } => {
            if flow.config.model.conditioning.is_some() {
                return Err("the SDE points need an unconditional flow".into());
            }
            let source = source.ok_or("the SDE needs a source with a closed-form density")?;
            let score = LearnedScore::new(flow, source)?;
            sample_sde(&score, x0, &options, noise, seed)
        }
    }
}

/// The point of `run` for its `samples` (`[n, 2]`, read from its solution).
pub fn score(
    run: &Run,
    draws: &Draws,
    samples: &[f32],
    nfe: usize,
    completed: bool,
) -> Result<NfePoint, String> {
    let w2 = if samples.iter().all(|v| v.is_finite()) {
        metrics::wasserstein2(samples, &draws.data)?
    } else {
        f64::INFINITY
    };
    Ok(NfePoint {
        solver: run.label(),
        nfe,
        w2,
        w2_floor: draws.floor,
        completed,
    })
}

/// Sweeps every run of [`runs`] (reading each result synchronously: native code and tests).
pub fn cost_vs_steps(
    flow: &Flow,
    source: &Distribution,
    target: &Distribution,
    options: &SweepOptions,
    rng: &mut Rng,
    device: &Device,
) -> Result<Vec<NfePoint>, String> {
    let draws = Draws::new(flow, source, target, options.n, rng)?;
    let density = match options.sde_noise {
        Some(_) => Some(GaussianMixture::of_distribution(source)?),
        None => None,
    };
    let seed = rng.next_u64();
    runs(options)
        .iter()
        .map(|run| {
            let solution = solve(flow, run, &draws, density.as_ref(), seed, device)?;
            let (nfe, completed) = (solution.nfe, solution.completed);
            score(run, &draws, &to_host(solution.x), nfe, completed)
        })
        .collect()
}
