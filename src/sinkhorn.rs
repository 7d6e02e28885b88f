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
//! Iterating on `exp(−C/ε)` directly underflows for small ε, and pure log-domain sweeps pay one
//! exponential per entry per sweep; this solver stabilises the kernel instead (Schmitzer 2019):
//! it keeps `K_ij = exp((f_i + g_j − C_ij)/ε)` for the current potentials, whose entries are of
//! the order of the plan's, iterates the cheap multiplicative updates `u = a/(Kv)`,
//! `v = b/(Kᵀu)` on it, and folds `u, v` into `f, g` (with one exact log-domain sweep) whenever
//! a scaling grows out of range. Convergence slows like 1/ε, so ε is reached by **ε-scaling**: a
//! geometric sequence of larger ε first (halving, so each stage's kernel is the square of the
//! previous plan), each warm-starting the next. As ε → 0 the plan tends to an optimal
//! assignment (exact OT); as ε → ∞ to the independent plan `a·bᵀ`.

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
    let a = 1.0 / n as f64;
    let b = 1.0 / m as f64;
    let mut f = vec![0.0f64; n];
    let mut g = vec![0.0f64; m];

    // ε-scaling: from ε·2^L ≥ the cost's range down to ε, halving each stage, so that the next
    // stage's kernel is the square of this stage's plan (no exponentials between stages).
    let c_max = cost.iter().fold(0.0f64, |acc, &c| acc.max(c.abs()));
    let levels = (c_max / epsilon).log2().ceil().clamp(0.0, 60.0) as i32;
    let mut eps = epsilon * 2f64.powi(levels);

    let mut kernel: Vec<f64> = cost.iter().map(|&c| (-c / eps).exp()).collect();
    let mut u = vec![1.0f64; n];
    let mut v = vec![1.0f64; m];
    let mut kv = vec![0.0f64; n];
    let mut ktu = vec![0.0f64; m];
    let mut iterations = 0;
    let mut error = f64::INFINITY;
    for stage in 0..=levels {
        let last = stage == levels;
        let (tol, max) = if last {
            (options.tolerance, options.max_iterations.max(1))
        } else {
            // Intermediate stages only need to land near their plan.
            (options.tolerance.max(1e-2), 50)
        };
        iterations = 0;
        loop {
            // The u-update's denominators give the current plan's row sums u_i·(Kv)_i.
            mat_vec(&kernel, m, &v, &mut kv);
            let row_error: f64 = u.iter().zip(&kv).map(|(ui, s)| (a - ui * s).abs()).sum();
            // Before the first v-update the rows say nothing about this stage's plan.
            if iterations > 0 {
                error = row_error;
                if error <= tol || iterations >= max {
                    break;
                }
            }
            if kv.iter().any(|&s| !(a / s).is_finite() || a / s > BIG) {
                // A scaling would leave the range the kernel can carry: move everything into
                // the potentials with exact log-domain sweeps and rebuild the kernel.
                absorb(cost, eps, &mut f, &mut g, &mut u, &mut v, &mut kernel);
                continue;
            }
            for (ui, &s) in u.iter_mut().zip(&kv) {
                *ui = a / s;
            }
            mat_t_vec(&kernel, m, &u, &mut ktu);
            for (vj, &s) in v.iter_mut().zip(&ktu) {
                *vj = b / s;
            }
            iterations += 1;
        }
        if !last {
            // Fold the scalings into the potentials; at ε/2 the kernel exp((f + g − C)/(ε/2)) is
            // the square of this stage's plan u_i·K_ij·v_j.
            for (fi, ui) in f.iter_mut().zip(&u) {
                *fi += eps * ui.ln();
            }
            for (gj, vj) in g.iter_mut().zip(&v) {
                *gj += eps * vj.ln();
            }
            for (row, &ui) in kernel.chunks_exact_mut(m).zip(&u) {
                for (k, &vj) in row.iter_mut().zip(&v) {
                    let p = ui * *k * vj;
                    *k = p * p;
                }
            }
            u.fill(1.0);
            v.fill(1.0);
            eps *= 0.5;
        }
    }

    let mut weights = kernel;
    for (row, &ui) in weights.chunks_exact_mut(m).zip(&u) {
        for (k, &vj) in row.iter_mut().zip(&v) {
            *k *= ui * vj;
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

/// Scalings above this are folded into the potentials.
const BIG: f64 = 1e100;

/// Folds the scalings `u, v` into the potentials, takes one exact log-domain sweep (so every
/// row and column of the kernel keeps entries of order its marginal, whatever ε), and rebuilds
/// the kernel `K_ij = exp((f_i + g_j − C_ij)/ε)` with `u = v = 1`.
fn absorb(
    cost: &[f64],
    eps: f64,
    f: &mut [f64],
    g: &mut [f64],
    u: &mut [f64],
    v: &mut [f64],
    kernel: &mut [f64],
) {
    let (n, m) = (f.len(), g.len());
    for (fi, ui) in f.iter_mut().zip(u.iter()) {
        *fi += eps * ui.ln();
    }
    for (gj, vj) in g.iter_mut().zip(v.iter()) {
        *gj += eps * vj.ln();
    }
    let mut scratch = vec![0.0f64; n.max(m)];
    let (log_a, log_b) = (-(n as f64).ln(), -(m as f64).ln());
    for (i, fi) in f.iter_mut().enumerate() {
        let row = &cost[i * m..(i + 1) * m];
        for (s, (&gj, &c)) in scratch.iter_mut().zip(g.iter().zip(row)) {
            *s = (gj - c) / eps;
        }
        *fi = eps * (log_a - log_sum_exp(&scratch[..m]));
    }
    for (j, gj) in g.iter_mut().enumerate() {
        for (i, s) in scratch[..n].iter_mut().enumerate() {
            *s = (f[i] - cost[i * m + j]) / eps;
        }
        *gj = eps * (log_b - log_sum_exp(&scratch[..n]));
    }
    for i in 0..n {
        for j in 0..m {
            kernel[i * m + j] = ((f[i] + g[j] - cost[i * m + j]) / eps).exp();
        }
    }
    u.fill(1.0);
    v.fill(1.0);
}

/// `out = K·x` for a row-major `K: [n, m]`.
fn mat_vec(kernel: &[f64], m: usize, x: &[f64], out: &mut [f64]) {
    for (o, row) in out.iter_mut().zip(kernel.chunks_exact(m)) {
        *o = row.iter().zip(x).map(|(k, x)| k * x).sum();
    }
}

/// `out = Kᵀ·x` for a row-major `K: [n, m]` (row by row, so memory is read in order).
fn mat_t_vec(kernel: &[f64], m: usize, x: &[f64], out: &mut [f64]) {
    out.fill(0.0);
    for (row, &xi) in kernel.chunks_exact(m).zip(x) {
        for (o, k) in out.iter_mut().zip(row) {
            *o += k * xi;
        }
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
