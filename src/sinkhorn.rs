//! Entropic optimal transport between two uniform point masses, by log-domain Sinkhorn.
//!
//! For a cost matrix `C: [n, m]` and uniform marginals `a = 1/n`, `b = 1/m`, the entropic plan
//!
//! ```text
//! P_ε = argmin_{P ∈ Π(a, b)}  ⟨P, C⟩ − ε·H(P),        H(P) = −Σ P_ij (log P_ij − 1)
//! ```
//!
//! is `P_ij = exp((f_i + g_j − C_ij)/ε)` for dual potentials `f, g` found by alternating
//!
//! ```text
//! f_i = ε·log a_i − ε·LSE_j((g_j − C_ij)/ε),     g_j = ε·log b_j − ε·LSE_i((f_i − C_ij)/ε)
//! ```
//!
//! Working with potentials and log-sum-exp (never with `exp(−C/ε)` itself) keeps it stable for
//! any small ε. Convergence slows like 1/ε, so ε is reached by **ε-scaling**: a geometric
//! sequence of larger ε first, each warm-starting the next. As ε → 0 the plan tends to an
//! optimal assignment (exact OT); as ε → ∞ to the independent plan `a·bᵀ`.

/// Stopping rules.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SinkhornOptions {
    /// Stop when the row marginals are this close to `a` in L1 (the columns are exact after
    /// each sweep; the total mass is 1).
    pub tolerance: f64,
    /// The most sweeps (one `f` and one `g` update) at the final ε.
    pub max_iterations: usize,
}

impl Default for SinkhornOptions {
    fn default() -> Self {
        Self {
            tolerance: 1e-4,
            max_iterations: 5000,
        }
    }
}

/// An entropic transport plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Rows (the first marginal's points).
    pub n: usize,
    /// Columns (the second marginal's points).
    pub m: usize,
    /// `P`, row-major `[n, m]`, summing to 1.
    pub weights: Vec<f64>,
    /// Sweeps taken at the final ε.
    pub iterations: usize,
    /// The final L1 distance of the row sums from `1/n`.
    pub marginal_error: f64,
}

impl Plan {
    /// `⟨P, C⟩`: the expected cost of a pair drawn from the plan.
    pub fn transport_cost(&self, cost: &[f64]) -> f64 {
        self.weights.iter().zip(cost).map(|(p, c)| p * c).sum()
    }

    /// Row sums `[n]`.
    pub fn row_sums(&self) -> Vec<f64> {
        self.weights
            .chunks_exact(self.m)
            .map(|r| r.iter().sum())
            .collect()
    }

    /// Column sums `[m]`.
    pub fn column_sums(&self) -> Vec<f64> {
        let mut sums = vec![0.0; self.m];
        for row in self.weights.chunks_exact(self.m) {
            for (s, p) in sums.iter_mut().zip(row) {
                *s += p;
            }
        }
        sums
    }
}

/// Solves the entropic OT problem for `cost: [n, m]` (finite, row-major) at regularisation
/// `epsilon > 0`, in the cost's own units.
pub fn solve(cost: &[f64], n: usize, m: usize, epsilon: f64, options: SinkhornOptions) -> Plan {
    assert_eq!(cost.len(), n * m, "cost must be an n×m matrix");
    assert!(n > 0 && m > 0, "Sinkhorn needs non-empty marginals");
    assert!(
        epsilon > 0.0 && epsilon.is_finite(),
        "ε must be positive, got {epsilon}"
    );
    let log_a = -(n as f64).ln();
    let log_b = -(m as f64).ln();
    let mut f = vec![0.0f64; n];
    let mut g = vec![0.0f64; m];
    let mut scratch = vec![0.0f64; n.max(m)];

    // ε-scaling from the cost's range down to ε, halving each stage.
    let c_max = cost.iter().fold(0.0f64, |a, &c| a.max(c.abs()));
    let mut stages = Vec::new();
    let mut e = c_max.max(epsilon);
    while e > epsilon {
        stages.push(e);
        e *= 0.5;
    }
    stages.push(epsilon);

    let mut iterations = 0;
    let mut error = f64::INFINITY;
    for (k, &eps) in stages.iter().enumerate() {
        let last = k + 1 == stages.len();
        let (tol, max) = if last {
            (options.tolerance, options.max_iterations.max(1))
        } else {
            // Intermediate stages only need to land near their plan.
            (options.tolerance.max(1e-2), 50)
        };
        iterations = 0;
        loop {
            // The f-update's log-sum-exps also give the current plan's row sums:
            // r_i = a_i·exp((f_i − f_i')/ε), where f_i' is the updated potential.
            let mut new_f = Vec::with_capacity(n);
            let mut row_error = 0.0;
            for (i, &fi) in f.iter().enumerate() {
                let row = &cost[i * m..(i + 1) * m];
                for (s, (&gj, &c)) in scratch.iter_mut().zip(g.iter().zip(row)) {
                    *s = (gj - c) / eps;
                }
                let updated = eps * (log_a - log_sum_exp(&scratch[..m]));
                row_error += (((fi - updated) / eps).exp() - 1.0).abs() / n as f64;
                new_f.push(updated);
            }
            // Before the first g-update the rows say nothing about this stage's plan.
            if iterations > 0 {
                error = row_error;
                if error <= tol || iterations >= max {
                    break;
                }
            }
            f = new_f;
            for (j, gj) in g.iter_mut().enumerate() {
                for (i, s) in scratch[..n].iter_mut().enumerate() {
                    *s = (f[i] - cost[i * m + j]) / eps;
                }
                *gj = eps * (log_b - log_sum_exp(&scratch[..n]));
            }
            iterations += 1;
        }
    }

    let mut weights = Vec::with_capacity(n * m);
    for i in 0..n {
        for j in 0..m {
            weights.push(((f[i] + g[j] - cost[i * m + j]) / epsilon).exp());
        }
    }
    Plan {
        n,
        m,
        weights,
        iterations,
        marginal_error: error,
    }
}

/// `log Σ exp(x)`, shifted by the maximum.
fn log_sum_exp(x: &[f64]) -> f64 {
    let max = x.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + x.iter().map(|&v| (v - max).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_by_two_plan_matches_its_closed_form() {
        // C = [[0, 1], [1, 0]], a = b = ½: by symmetry P = [[p, ½ − p], [½ − p, p]] with
        // p/(½ − p) = exp(1/ε) (the ratio of the kernel entries), so p = ½·σ(1/ε).
        let cost = [0.0, 1.0, 1.0, 0.0];
        for eps in [0.05, 0.3, 1.0, 5.0] {
            let plan = solve(&cost, 2, 2, eps, SinkhornOptions::default());
            let p = 0.5 / (1.0 + (-1.0 / eps).exp());
            assert!((plan.weights[0] - p).abs() < 1e-6, "ε={eps}: {plan:?}");
            assert!((plan.weights[1] - (0.5 - p)).abs() < 1e-6, "ε={eps}");
        }
    }
}
