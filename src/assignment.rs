//! Exact linear assignment: the permutation that minimises a total cost.
//!
//! Shortest augmenting paths with dual potentials (the Hungarian method in its O(n³) form,
//! Jonker–Volgenant style). Runs on the host in f64; the callers are minibatch optimal transport
//! (≤ 1024 pairs per batch) and the exact W₂ metric (≈ 1k points).

/// The largest problem accepted: cost grows as n³ (1024 takes ≈ 0.5 s natively).
pub const MAX_SIZE: usize = 2048;

/// Solves `min_σ Σᵢ cost[i·n + σ(i)]` over permutations σ of `0..n`.
///
/// `cost` is a row-major `[n, n]` matrix of finite values. Returns `σ` as `row → column`.
pub fn solve(cost: &[f64], n: usize) -> Vec<usize> {
    assert_eq!(cost.len(), n * n, "cost must be an n×n matrix");
    assert!(n <= MAX_SIZE, "assignment of {n} exceeds {MAX_SIZE}");
    if n == 0 {
        return Vec::new();
    }
    // Index 0 is a virtual column/row that seeds each augmentation; real ones are 1..=n.
    let mut u = vec![0.0f64; n + 1]; // row potentials
    let mut v = vec![0.0f64; n + 1]; // column potentials
    let mut row_of = vec![0usize; n + 1]; // row_of[j]: the row matched to column j (0 = none)
    let mut way = vec![0usize; n + 1]; // predecessor column on the shortest path
    let mut min_reduced = vec![0.0f64; n + 1];
    let mut used = vec![false; n + 1];

    for i in 1..=n {
        row_of[0] = i;
        let mut j0 = 0usize;
        min_reduced.fill(f64::INFINITY);
        used.fill(false);
        loop {
            used[j0] = true;
            let i0 = row_of[j0];
            let row = &cost[(i0 - 1) * n..i0 * n];
            let ui0 = u[i0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0usize;
            for j in 1..=n {
                if !used[j] {
                    let reduced = row[j - 1] - ui0 - v[j];
                    if reduced < min_reduced[j] {
                        min_reduced[j] = reduced;
                        way[j] = j0;
                    }
                    if min_reduced[j] < delta {
                        delta = min_reduced[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[row_of[j]] += delta;
                    v[j] -= delta;
                } else {
                    min_reduced[j] -= delta;
                }
            }
            j0 = j1;
            if row_of[j0] == 0 {
                break;
            }
        }
        // Flip the matching along the augmenting path.
        loop {
            let j1 = way[j0];
            row_of[j0] = row_of[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }

    let mut column_of = vec![0usize; n];
    for j in 1..=n {
        column_of[row_of[j] - 1] = j - 1;
    }
    column_of
}

/// Squared Euclidean distances between two `[n, 2]` clouds: row-major `[n, n]`.
pub fn squared_distances(a: &[f32], b: &[f32]) -> Vec<f64> {
    let n = a.len() / 2;
    let m = b.len() / 2;
    let mut cost = Vec::with_capacity(n * m);
    for i in 0..n {
        let (ax, ay) = (a[2 * i] as f64, a[2 * i + 1] as f64);
        for j in 0..m {
            let dx = ax - b[2 * j] as f64;
            let dy = ay - b[2 * j + 1] as f64;
            cost.push(dx * dx + dy * dy);
        }
    }
    cost
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn total(cost: &[f64], n: usize, perm: &[usize]) -> f64 {
        (0..n).map(|i| cost[i * n + perm[i]]).sum()
    }

    fn next_permutation(p: &mut [usize]) -> bool {
        let n = p.len();
        let Some(i) = (0..n.saturating_sub(1)).rev().find(|&i| p[i] < p[i + 1]) else {
            return false;
        };
        let j = (i + 1..n).rev().find(|&j| p[j] > p[i]).unwrap();
        p.swap(i, j);
        p[i + 1..].reverse();
        true
    }

    #[test]
    fn matches_brute_force_on_small_random_problems() {
        let mut rng = Rng::new(3);
        for n in 1..=7 {
            for _ in 0..20 {
                let cost: Vec<f64> = (0..n * n).map(|_| rng.uniform_range(-5.0, 5.0)).collect();
                let perm = solve(&cost, n);
                let mut p: Vec<usize> = (0..n).collect();
                let mut best = f64::INFINITY;
                loop {
                    best = best.min(total(&cost, n, &p));
                    if !next_permutation(&mut p) {
                        break;
                    }
                }
                assert!((total(&cost, n, &perm) - best).abs() < 1e-9, "n={n}");
            }
        }
    }
}
