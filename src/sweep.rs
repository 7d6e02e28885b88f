//! Sample quality against sampling cost: W₂ to fresh data for each solver at a range of
//! function evaluations (NFE).
//!
//! Every point starts from the same source draw and is scored against the same data draw, so
//! the curves differ only by the solver and its budget. Each point carries the two-sample floor
//! — W₂ between two independent data draws of the same size — below which no sampler can be
//! told apart from the data (see [`crate::metrics::w2_above_floor`]). A shortcut network
//! samples with Euler at its step size `1/steps`; a conditional one draws each particle's class
//! from the data's labels and samples at guidance 1.

use burn::tensor::Device;
use serde::Serialize;

use crate::data::Distribution;
use crate::flow::{to_host, to_tensor, Flow};
use crate::guidance::GuidedFlow;
use crate::metrics;
use crate::rng::Rng;
use crate::solver::{integrate, SolveOptions, Solver};

/// One point of the sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NfePoint {
    /// The solver as parsed back by `--solver` (dopri5 with its tolerances).
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
}

impl Default for SweepOptions {
    /// 1000 particles, NFE 1…64 in powers of two, dopri5 at 1e-2…1e-5.
    fn default() -> Self {
        Self {
            n: 1000,
            nfe: vec![1, 2, 4, 8, 16, 32, 64],
            tolerances: vec![1e-2, 1e-3, 1e-4, 1e-5],
        }
    }
}

/// Sweeps euler, midpoint, heun and rk4 over `options.nfe` and dopri5 over its tolerances.
pub fn cost_vs_steps(
    flow: &Flow,
    source: &Distribution,
    target: &Distribution,
    options: &SweepOptions,
    rng: &mut Rng,
    device: &Device,
) -> Result<Vec<NfePoint>, String> {
    let n = options.n;
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

    let mut runs: Vec<(Solver, usize)> = Vec::new();
    for solver in [Solver::Euler, Solver::Midpoint, Solver::Heun, Solver::Rk4] {
        let per = solver.evaluations_per_step().expect("fixed-step solver");
        for &nfe in &options.nfe {
            if nfe >= per && nfe % per == 0 {
                runs.push((solver, nfe / per));
            }
        }
    }
    for &tol in &options.tolerances {
        runs.push((
            Solver::Dopri5 {
                atol: tol,
                rtol: tol,
            },
            1,
        ));
    }

    let mut points = Vec::with_capacity(runs.len());
    for (solver, steps) in runs {
        let mut field = GuidedFlow::new(flow, &classes, 1.0, device)?;
        if solver == Solver::Euler {
            field = field.stepped(steps);
        }
        let solution = integrate(
            &field,
            solver,
            to_tensor(&x0, device),
            &SolveOptions::forward(steps),
        );
        let samples = to_host(solution.x);
        let w2 = if samples.iter().all(|v| v.is_finite()) {
            metrics::wasserstein2(&samples, &data)?
        } else {
            f64::INFINITY
        };
        points.push(NfePoint {
            solver: solver.to_string(),
            nfe: solution.nfe,
            w2,
            w2_floor: floor,
            completed: solution.completed,
        });
    }
    Ok(points)
}
