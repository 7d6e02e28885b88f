//! ODE solvers against dx/dt = a(t)·x, whose exact solution is x(t) = x(0)·exp(A(t)), A' = a.

use burn::tensor::{Device, Tensor};
use flow_playground::flow::{to_host, to_tensor};
use flow_playground::solver::{integrate, Solution, SolveOptions, Solver};

const X0: [f32; 4] = [1.0, -0.5, 0.25, 2.0];

/// Smooth test problem: a(t) = cos t, A(t) = sin t.
fn smooth(x: Tensor<2>, t: f64) -> Tensor<2> {
    x.mul_scalar(t.cos() as f32)
}

fn error(solution: &Solution, exact_factor: f64) -> f64 {
    to_host(solution.x.clone())
        .iter()
        .zip(X0)
        .map(|(&got, x0)| (got as f64 - x0 as f64 * exact_factor).abs())
        .fold(0.0, f64::max)
}

fn run(solver: Solver, steps: usize) -> (f64, usize) {
    let device = Device::flex();
    let solution = integrate(
        &smooth,
        solver,
        to_tensor(&X0, &device),
        &SolveOptions::forward(steps),
    );
    (error(&solution, 1f64.sin().exp()), solution.nfe)
}

/// The observed order log₂(e(n)/e(2n)), averaged over successive halvings of the step.
fn observed_order(solver: Solver, steps: &[usize]) -> f64 {
    let errors: Vec<f64> = steps.iter().map(|&n| run(solver, n).0).collect();
    let orders: Vec<f64> = errors.windows(2).map(|e| (e[0] / e[1]).log2()).collect();
    orders.iter().sum::<f64>() / orders.len() as f64
}

#[test]
fn euler_converges_with_order_one() {
    let p = observed_order(Solver::Euler, &[8, 16, 32, 64]);
    assert!((p - 1.0).abs() < 0.15, "Euler order {p}");
}

#[test]
fn midpoint_and_heun_converge_with_order_two() {
    for solver in [Solver::Midpoint, Solver::Heun] {
        // From 16 steps (at fewer, midpoint's error partly cancels on this problem) to 64 (beyond,
        // f32 rounding starts to show).
        let p = observed_order(solver, &[16, 32, 64]);
        assert!((p - 2.0).abs() < 0.2, "{solver} order {p}");
    }
}

#[test]
fn rk4_converges_with_order_four() {
    // Few steps: by 16 steps RK4's error nears f32 rounding.
    let p = observed_order(Solver::Rk4, &[1, 2, 4]);
    assert!((p - 4.0).abs() < 0.4, "RK4 order {p}");
    assert!(run(Solver::Rk4, 8).0 < 1e-5);
}

#[test]
fn nfe_counts_are_per_step_evaluations() {
    for (solver, per_step) in [
        (Solver::Euler, 1),
        (Solver::Midpoint, 2),
        (Solver::Heun, 2),
        (Solver::Rk4, 4),
    ] {
        assert_eq!(run(solver, 7).1, 7 * per_step, "{solver}");
    }
}

/// A sharp feature: a(t) = k·sech²((t − ½)/w)/w, A(t) = k·(tanh((t − ½)/w) + tanh(1/(2w))).
const K: f64 = 1.0;
const W: f64 = 0.02;

fn sharp(x: Tensor<2>, t: f64) -> Tensor<2> {
    let s = 1.0 / ((t - 0.5) / W).cosh();
    x.mul_scalar((K * s * s / W) as f32)
}

fn sharp_exact_factor() -> f64 {
    (K * 2.0 * (0.5 / W).tanh()).exp()
}

#[test]
fn dopri5_meets_its_tolerance_with_fewer_evaluations_than_rk4_at_equal_error() {
    let device = Device::flex();
    let solver = Solver::Dopri5 {
        atol: 1e-5,
        rtol: 1e-5,
    };
    let solution = integrate(
        &sharp,
        solver,
        to_tensor(&X0, &device),
        &SolveOptions::forward(0),
    );
    assert!(solution.completed);
    let dopri_error = error(&solution, sharp_exact_factor());
    // Tolerances are per step; the global error may exceed them by a modest factor.
    assert!(dopri_error < 1e-3, "dopri5 error {dopri_error}");
    assert!(solution.rejected < solution.nfe / 6);

    // The cheapest uniform RK4 that is at least as accurate.
    let mut steps = 1;
    let rk4_nfe = loop {
        let s = integrate(
            &sharp,
            Solver::Rk4,
            to_tensor(&X0, &device),
            &SolveOptions::forward(steps),
        );
        if error(&s, sharp_exact_factor()) <= dopri_error {
            break s.nfe;
        }
        steps += 1;
        assert!(steps < 2000, "RK4 never reached {dopri_error}");
    };
    assert!(
        solution.nfe < rk4_nfe,
        "dopri5 used {} NFE, RK4 needed {rk4_nfe} for error {dopri_error}",
        solution.nfe
    );
}

#[test]
fn dopri5_tightens_with_its_tolerance() {
    let device = Device::flex();
    let loose = integrate(
        &smooth,
        Solver::Dopri5 {
            atol: 1e-3,
            rtol: 1e-3,
        },
        to_tensor(&X0, &device),
        &SolveOptions::forward(0),
    );
    let tight = integrate(
        &smooth,
        Solver::Dopri5 {
            atol: 1e-6,
            rtol: 1e-6,
        },
        to_tensor(&X0, &device),
        &SolveOptions::forward(0),
    );
    let exact = 1f64.sin().exp();
    assert!(error(&tight, exact) < error(&loose, exact).max(2e-6));
    assert!(tight.nfe > loose.nfe);
    assert!(error(&tight, exact) < 1e-5);
}

#[test]
fn every_solver_runs_backward_to_the_start() {
    let device = Device::flex();
    for solver in [
        Solver::Euler,
        Solver::Midpoint,
        Solver::Heun,
        Solver::Rk4,
        Solver::dopri5(),
    ] {
        let forward = integrate(
            &smooth,
            solver,
            to_tensor(&X0, &device),
            &SolveOptions::forward(200),
        );
        let back = integrate(&smooth, solver, forward.x, &SolveOptions::backward(200));
        for (got, want) in to_host(back.x).iter().zip(X0) {
            let tol = if solver == Solver::Euler { 1e-2 } else { 1e-4 };
            assert!((got - want).abs() < tol, "{solver}: {got} vs {want}");
        }
    }
}

#[test]
fn recorded_trajectories_hold_every_step_and_its_time() {
    let device = Device::flex();
    for solver in [Solver::Heun, Solver::dopri5()] {
        let s = integrate(
            &smooth,
            solver,
            to_tensor(&X0, &device),
            &SolveOptions::forward(20).recording(),
        );
        assert_eq!(s.trajectory.len(), s.times.len());
        assert_eq!(s.times[0], 0.0);
        assert!((s.times.last().unwrap() - 1.0).abs() < 1e-12);
        assert!(s.times.windows(2).all(|w| w[1] > w[0]));
        assert_eq!(to_host(s.trajectory[0].clone()), X0.to_vec());
        for (t, x) in s.times.iter().zip(&s.trajectory) {
            let exact = t.sin().exp();
            for (got, x0) in to_host(x.clone()).iter().zip(X0) {
                assert!((*got as f64 - x0 as f64 * exact).abs() < 1e-2);
            }
        }
        if solver == Solver::Heun {
            assert_eq!(s.trajectory.len(), 21);
        }
    }
}

#[test]
fn solver_names_parse_with_tolerances() {
    assert_eq!("rk4".parse::<Solver>().unwrap(), Solver::Rk4);
    assert_eq!(
        "dopri5:1e-4:1e-3".parse::<Solver>().unwrap(),
        Solver::Dopri5 {
            atol: 1e-4,
            rtol: 1e-3
        }
    );
    assert!("dopri5:-1".parse::<Solver>().is_err());
    assert!("rk45".parse::<Solver>().unwrap_err().contains("euler"));
}
