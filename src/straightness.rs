//! How straight a flow's trajectories are (Liu et al. 2023):
//!
//! ```text
//! S = E_{X₀} ∫₀¹ ‖(X₁ − X₀) − v(X_t, t)‖² dt,     X_t the ODE trajectory from X₀
//! ```
//!
//! `S = 0` exactly when every particle moves at constant velocity along a straight line, which
//! one Euler step then integrates exactly. The integral is estimated on a solver's recorded
//! states: `v` is evaluated at each state `(X_{t_k}, t_k)` (one extra evaluation per state),
//! `X₁ − X₀` is the recorded displacement, and the trapezoid rule over the recorded times
//! (uniform or not) integrates in `t`.

use burn::tensor::Tensor;

use crate::solver::{Solution, VelocityField};

/// `S` over the recorded states of `solution` (integrated with `record`), as a `[1]` tensor on
/// the solution's device, unread. Zero when fewer than two states were recorded.
pub fn straightness(field: &impl VelocityField, solution: &Solution) -> Tensor<1> {
    let states = &solution.trajectory;
    let times = &solution.times;
    assert_eq!(
        states.len(),
        times.len(),
        "straightness needs a recorded solution"
    );
    let first = states.first().expect("a recorded solution has a start");
    let zero = || Tensor::<1>::zeros([1], &first.device());
    if states.len() < 2 {
        return zero();
    }
    let displacement = states[states.len() - 1].clone() - first.clone();
    let span = times[times.len() - 1] - times[0];
    let mut total = zero();
    for (k, (state, &t)) in states.iter().zip(times).enumerate() {
        // Trapezoid weight of node k, as a fraction of the time span.
        let left = if k > 0 { t - times[k - 1] } else { 0.0 };
        let right = if k + 1 < times.len() {
            times[k + 1] - t
        } else {
            0.0
        };
        let weight = 0.5 * (left + right) / span;
        let deviation = displacement.clone() - field.velocity(state.clone(), t);
        // Mean over particles of the squared norm: the mean over both coordinates, times 2.
        let mean_sq = (deviation.clone() * deviation).mean().mul_scalar(2.0);
        total = total + mean_sq.mul_scalar(weight.abs() as f32);
    }
    total
}
