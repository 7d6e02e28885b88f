//! ODE solvers for `dx/dt = v(x, t)` on a batch of states `x: [n, d]`: particles (`d = 2`), or
//! particles carrying extra columns integrated alongside them (the change of variables in
//! [`crate::density`] carries `[x, log-density]`, `d = 3`). The steppers only add and scale
//! whole states, so any width works; dopri5's error norm covers every column.
//!
//! Fixed-step Euler (order 1), midpoint and Heun (order 2) and classic RK4 (order 4), and the
//! adaptive Dormand–Prince 5(4) pair with an elementary step-size controller. Each reports its number
//! of function evaluations (NFE), can record every particle's trajectory, and runs in either
//! direction (`t0 > t1` integrates data → noise).
//!
//! Fixed-step solvers never read device memory. Dormand–Prince must read one scalar (the error
//! norm) per attempted step; it does so with `into_scalar_async`, so in the browser it yields to
//! the event loop instead of blocking — use [`integrate_async`] there.

use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::task::{Context, Poll, Waker};

use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// A time-dependent velocity field on batches of states (2-D points unless stated otherwise).
pub trait VelocityField {
    /// `v(x, t)` for `x: [n, d]` at the shared time `t`; shape `[n, d]` (`d = 2` for points).
    fn velocity(&self, x: Tensor<2>, t: f64) -> Tensor<2>;
}

impl<F: Fn(Tensor<2>, f64) -> Tensor<2>> VelocityField for F {
    fn velocity(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        self(x, t)
    }
}

/// An integration method.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Solver {
    /// `x ← x + h·v(x, t)`: 1 NFE per step, global error O(h).
    Euler,
    /// Explicit midpoint: 2 NFE per step, O(h²).
    Midpoint,
    /// Heun (explicit trapezoid): 2 NFE per step, O(h²).
    Heun,
    /// Classic Runge–Kutta: 4 NFE per step, O(h⁴).
    Rk4,
    /// Adaptive Dormand–Prince 5(4) with FSAL: ≈ 6 NFE per accepted step.
    Dopri5 {
        /// Absolute tolerance.
        atol: f64,
        /// Relative tolerance.
        rtol: f64,
    },
}

impl Solver {
    /// Names accepted by [`FromStr`].
    pub const NAMES: [&'static str; 5] = ["euler", "midpoint", "heun", "rk4", "dopri5"];

    /// The short name.
    pub fn name(&self) -> &'static str {
        match self {
            Solver::Euler => "euler",
            Solver::Midpoint => "midpoint",
            Solver::Heun => "heun",
            Solver::Rk4 => "rk4",
            Solver::Dopri5 { .. } => "dopri5",
        }
    }

    /// Function evaluations per step of a fixed-step method (`None` for dopri5).
    pub fn evaluations_per_step(&self) -> Option<usize> {
        match self {
            Solver::Euler => Some(1),
            Solver::Midpoint | Solver::Heun => Some(2),
            Solver::Rk4 => Some(4),
            Solver::Dopri5 { .. } => None,
        }
    }

    /// The default dopri5 with `atol = rtol = 1e-5`.
    pub fn dopri5() -> Self {
        Solver::Dopri5 {
            atol: 1e-5,
            rtol: 1e-5,
        }
    }
}

impl fmt::Display for Solver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Solver::Dopri5 { atol, rtol } => write!(f, "dopri5:{atol}:{rtol}"),
            _ => f.write_str(self.name()),
        }
    }
}

impl FromStr for Solver {
    type Err = String;

    /// `euler`, `midpoint`, `heun`, `rk4`, or `dopri5[:atol[:rtol]]`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split(':');
        let name = parts.next().unwrap_or_default();
        let solver = match name {
            "euler" => Solver::Euler,
            "midpoint" => Solver::Midpoint,
            "heun" => Solver::Heun,
            "rk4" => Solver::Rk4,
            "dopri5" => {
                let mut tol = |default: f64| match parts.next() {
                    None => Ok(default),
                    Some(a) => match a.parse::<f64>() {
                        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
                        _ => Err(format!("dopri5: tolerance '{a}' must be a positive number")),
                    },
                };
                let atol = tol(1e-5)?;
                let rtol = tol(atol)?;
                Solver::Dopri5 { atol, rtol }
            }
            _ => {
                return Err(format!(
                    "unknown solver '{s}' (expected one of: {})",
                    Self::NAMES.join(", ")
                ))
            }
        };
        if parts.next().is_some() {
            return Err(format!("solver '{s}' has too many parameters"));
        }
        Ok(solver)
    }
}

/// What to integrate over and what to keep.
#[derive(Clone, Debug, PartialEq)]
pub struct SolveOptions {
    /// Start time (0 for noise → data).
    pub t0: f64,
    /// End time (1 for noise → data; 0 to run backward).
    pub t1: f64,
    /// Steps of a fixed-step method (ignored by dopri5).
    pub steps: usize,
    /// Keep the state after every step in [`Solution::trajectory`].
    pub record: bool,
    /// The most function evaluations dopri5 may spend before it stops early.
    pub max_nfe: usize,
}

impl SolveOptions {
    /// Noise → data over `[0, 1]` in `steps` steps, without recording.
    pub fn forward(steps: usize) -> Self {
        Self {
            t0: 0.0,
            t1: 1.0,
            steps,
            record: false,
            max_nfe: 10_000,
        }
    }

    /// Data → noise over `[1, 0]` in `steps` steps, without recording.
    pub fn backward(steps: usize) -> Self {
        Self {
            t0: 1.0,
            t1: 0.0,
            ..Self::forward(steps)
        }
    }

    /// The same options, recording every step.
    pub fn recording(mut self) -> Self {
        self.record = true;
        self
    }
}

/// The result of an integration.
#[derive(Clone, Debug)]
pub struct Solution {
    /// The state at `t1`, shape `[n, d]`.
    pub x: Tensor<2>,
    /// Velocity evaluations spent.
    pub nfe: usize,
    /// Times of the recorded states (starting with `t0`), or just `[t0, t1]` when not recording.
    pub times: Vec<f64>,
    /// The states at `times` (each `[n, d]`) when recording; empty otherwise.
    pub trajectory: Vec<Tensor<2>>,
    /// Steps rejected by the adaptive controller (0 for fixed-step methods).
    pub rejected: usize,
    /// False when dopri5 hit `max_nfe` before reaching `t1`.
    pub completed: bool,
}

/// Integrates synchronously. Fixed-step methods never wait on the device; natively dopri5's
/// scalar reads complete at once. In the browser use [`integrate_async`] for dopri5.
pub fn integrate(
    field: &impl VelocityField,
    solver: Solver,
    x0: Tensor<2>,
    options: &SolveOptions,
) -> Solution {
    block_on(integrate_async(field, solver, x0, options))
}

/// Integrates `dx/dt = field(x, t)` from `options.t0` to `options.t1` starting at `x0: [n, d]`.
pub async fn integrate_async(
    field: &impl VelocityField,
    solver: Solver,
    x0: Tensor<2>,
    options: &SolveOptions,
) -> Solution {
    match solver {
        Solver::Dopri5 { atol, rtol } => dopri5(field, x0, options, atol, rtol).await,
        fixed => fixed_step(field, fixed, x0, options),
    }
}

fn fixed_step(
    field: &impl VelocityField,
    solver: Solver,
    x0: Tensor<2>,
    options: &SolveOptions,
) -> Solution {
    let steps = options.steps.max(1);
    let h = (options.t1 - options.t0) / steps as f64;
    let mut x = x0;
    let mut nfe = 0;
    let mut times = vec![options.t0];
    let mut trajectory = Vec::new();
    if options.record {
        trajectory.push(x.clone());
    }
    for i in 0..steps {
        let t = options.t0 + i as f64 * h;
        let hf = h as f32;
        x = match solver {
            Solver::Euler => {
                nfe += 1;
                x.clone() + field.velocity(x, t).mul_scalar(hf)
            }
            Solver::Midpoint => {
                nfe += 2;
                let k1 = field.velocity(x.clone(), t);
                let mid = x.clone() + k1.mul_scalar(0.5 * hf);
                x + field.velocity(mid, t + 0.5 * h).mul_scalar(hf)
            }
            Solver::Heun => {
                nfe += 2;
                let k1 = field.velocity(x.clone(), t);
                let end = x.clone() + k1.clone().mul_scalar(hf);
                let k2 = field.velocity(end, t + h);
                x + (k1 + k2).mul_scalar(0.5 * hf)
            }
            Solver::Rk4 => {
                nfe += 4;
                let k1 = field.velocity(x.clone(), t);
                let k2 = field.velocity(x.clone() + k1.clone().mul_scalar(0.5 * hf), t + 0.5 * h);
                let k3 = field.velocity(x.clone() + k2.clone().mul_scalar(0.5 * hf), t + 0.5 * h);
                let k4 = field.velocity(x.clone() + k3.clone().mul_scalar(hf), t + h);
                x + (k1 + k2.mul_scalar(2.0) + k3.mul_scalar(2.0) + k4).mul_scalar(hf / 6.0)
            }
            Solver::Dopri5 { .. } => unreachable!("dopri5 is adaptive"),
        };
        let t_next = if i + 1 == steps {
            options.t1
        } else {
            options.t0 + (i + 1) as f64 * h
        };
        if options.record {
            trajectory.push(x.clone());
            times.push(t_next);
        }
    }
    if !options.record {
        times.push(options.t1);
    }
    Solution {
        x,
        nfe,
        times,
        trajectory,
        rejected: 0,
        completed: true,
    }
}

// Dormand–Prince 5(4) tableau.
const C: [f64; 6] = [0.2, 0.3, 0.8, 8.0 / 9.0, 1.0, 1.0];
const A: [&[f64]; 6] = [
    &[0.2],
    &[3.0 / 40.0, 9.0 / 40.0],
    &[44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0],
    &[
        19372.0 / 6561.0,
        -25360.0 / 2187.0,
        64448.0 / 6561.0,
        -212.0 / 729.0,
    ],
    &[
        9017.0 / 3168.0,
        -355.0 / 33.0,
        46732.0 / 5247.0,
        49.0 / 176.0,
        -5103.0 / 18656.0,
    ],
    &[
        35.0 / 384.0,
        0.0,
        500.0 / 1113.0,
        125.0 / 192.0,
        -2187.0 / 6784.0,
        11.0 / 84.0,
    ],
];
/// Fifth-order weights minus fourth-order weights: the embedded error estimate.
const E: [f64; 7] = [
    71.0 / 57600.0,
    0.0,
    -71.0 / 16695.0,
    71.0 / 1920.0,
    -17253.0 / 339200.0,
    22.0 / 525.0,
    -1.0 / 40.0,
];

async fn dopri5(
    field: &impl VelocityField,
    x0: Tensor<2>,
    options: &SolveOptions,
    atol: f64,
    rtol: f64,
) -> Solution {
    let (t0, t1) = (options.t0, options.t1);
    let span = t1 - t0;
    let direction = span.signum();
    let mut t = t0;
    let mut x = x0;
    let mut k1 = field.velocity(x.clone(), t);
    let mut nfe = 1;
    let mut rejected = 0;
    let mut times = vec![t0];
    let mut trajectory = Vec::new();
    if options.record {
        trajectory.push(x.clone());
    }
    // A conservative first step; the controller adapts it within a few steps.
    let mut h = 0.01 * span.abs().max(1e-12) * direction;
    let mut completed = true;
    while (t1 - t) * direction > 1e-12 {
        if nfe + 6 > options.max_nfe {
            completed = false;
            break;
        }
        if (t + h - t1) * direction > 0.0 {
            h = t1 - t;
        }
        let mut k = vec![k1.clone()];
        let mut x_new = x.clone();
        for stage in 0..6 {
            let mut xi = x.clone();
            for (j, &a) in A[stage].iter().enumerate() {
                if a != 0.0 {
                    xi = xi + k[j].clone().mul_scalar((h * a) as f32);
                }
            }
            if stage == 5 {
                // Row 6 of A is the fifth-order solution (first same as last).
                x_new = xi.clone();
            }
            k.push(field.velocity(xi, t + C[stage] * h));
        }
        nfe += 6;
        let mut err = k[0].clone().mul_scalar((h * E[0]) as f32);
        for (j, &e) in E.iter().enumerate().skip(1) {
            if e != 0.0 {
                err = err + k[j].clone().mul_scalar((h * e) as f32);
            }
        }
        let scale = x
            .clone()
            .abs()
            .max_pair(x_new.clone().abs())
            .mul_scalar(rtol as f32)
            .add_scalar(atol as f32);
        let ratio = err / scale;
        let norm_tensor = (ratio.clone() * ratio).mean().sqrt();
        let norm = norm_tensor
            .into_scalar_async::<f32>()
            .await
            .map(|v| v as f64)
            .unwrap_or(f64::NAN);
        if !norm.is_finite() {
            // A blown-up field: stop rather than loop on ever smaller steps.
            completed = false;
            break;
        }
        let factor = if norm == 0.0 {
            5.0
        } else {
            (0.9 * norm.powf(-0.2)).clamp(0.2, 5.0)
        };
        if norm <= 1.0 {
            t += h;
            x = x_new;
            k1 = k.pop().expect("seven stages");
            if options.record {
                trajectory.push(x.clone());
                times.push(t);
            }
        } else {
            rejected += 1;
        }
        h *= factor;
    }
    if !options.record {
        times.push(t);
    }
    Solution {
        x,
        nfe,
        times,
        trajectory,
        rejected,
        completed,
    }
}

/// Drives a future to completion on the current thread, polling until it is ready.
///
/// Host backends complete device reads immediately, so this returns after one poll there; it
/// must not be used on a future that waits for the browser's event loop (in wasm, where
/// nothing else could make progress, it panics instead of spinning forever).
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0u64;
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        polls += 1;
        if cfg!(target_arch = "wasm32") && polls > 1000 {
            panic!("block_on: a future waited on the browser's event loop");
        }
        std::thread::yield_now();
    }
}
