//! Distances between point clouds (each a flat `[n, 2]` buffer), to score samples against data.

use crate::assignment;
use crate::rng::Rng;

/// Exact 2-Wasserstein distance between two clouds of equal size `n ≤ 2048`:
/// `W₂ = ( min_σ (1/n) Σᵢ ‖aᵢ − b_σ(i)‖² )^½`, by exact assignment.
pub fn wasserstein2(a: &[f32], b: &[f32]) -> Result<f64, String> {
    if a.len() != b.len() || !a.len().is_multiple_of(2) || a.is_empty() {
        return Err(format!(
            "W2 needs two non-empty clouds of equal size, got {} and {} numbers",
            a.len(),
            b.len()
        ));
    }
    let n = a.len() / 2;
    if n > assignment::MAX_SIZE {
        return Err(format!(
            "exact W2 handles up to {} points, got {n}",
            assignment::MAX_SIZE
        ));
    }
    let cost = assignment::squared_distances(a, b);
    let sigma = assignment::solve(&cost, n);
    let total: f64 = sigma
        .iter()
        .enumerate()
        .map(|(i, &j)| cost[i * n + j])
        .sum();
    Ok((total / n as f64).sqrt())
}

/// Sliced W₂: the root mean over `projections` random directions θ of the squared 1-D W₂
/// between the projections `⟨x, θ⟩` (sorted, quantile-matched). Sizes may differ; the
/// quantiles of the smaller cloud are matched by rank.
pub fn sliced_wasserstein2(a: &[f32], b: &[f32], projections: usize, rng: &mut Rng) -> f64 {
    let n = a.len() / 2;
    let m = b.len() / 2;
    assert!(n > 0 && m > 0, "sliced W2 needs non-empty clouds");
    let mut pa = vec![0.0f64; n];
    let mut pb = vec![0.0f64; m];
    let mut sum = 0.0;
    for _ in 0..projections {
        let (s, c) = (std::f64::consts::TAU * rng.uniform()).sin_cos();
        for (i, p) in pa.iter_mut().enumerate() {
            *p = c * a[2 * i] as f64 + s * a[2 * i + 1] as f64;
        }
        for (j, p) in pb.iter_mut().enumerate() {
            *p = c * b[2 * j] as f64 + s * b[2 * j + 1] as f64;
        }
        pa.sort_by(f64::total_cmp);
        pb.sort_by(f64::total_cmp);
        // Compare the two empirical quantile functions at K common levels.
        let k = n.max(m);
        let mut sq = 0.0;
        for q in 0..k {
            let level = (q as f64 + 0.5) / k as f64;
            let x = pa[((level * n as f64) as usize).min(n - 1)];
            let y = pb[((level * m as f64) as usize).min(m - 1)];
            sq += (x - y) * (x - y);
        }
        sum += sq / k as f64;
    }
    (sum / projections as f64).sqrt()
}

/// Squared maximum mean discrepancy with the RBF kernel `k(x, y) = exp(−‖x − y‖²/(2h²))`,
/// the unbiased U-statistic estimate (it can be slightly negative when the clouds agree).
pub fn mmd2_rbf(a: &[f32], b: &[f32], bandwidth: f64) -> f64 {
    let n = a.len() / 2;
    let m = b.len() / 2;
    assert!(n > 1 && m > 1, "MMD needs at least two points per cloud");
    let gamma = 1.0 / (2.0 * bandwidth * bandwidth);
    let k = |p: &[f32], i: usize, q: &[f32], j: usize| {
        let dx = p[2 * i] as f64 - q[2 * j] as f64;
        let dy = p[2 * i + 1] as f64 - q[2 * j + 1] as f64;
        (-(dx * dx + dy * dy) * gamma).exp()
    };
    let mut kaa = 0.0;
    for i in 0..n {
        for j in (i + 1)..n {
            kaa += k(a, i, a, j);
        }
    }
    let mut kbb = 0.0;
    for i in 0..m {
        for j in (i + 1)..m {
            kbb += k(b, i, b, j);
        }
    }
    let mut kab = 0.0;
    for i in 0..n {
        for j in 0..m {
            kab += k(a, i, b, j);
        }
    }
    2.0 * kaa / (n * (n - 1)) as f64 + 2.0 * kbb / (m * (m - 1)) as f64 - 2.0 * kab / (n * m) as f64
}

/// Per-coordinate mean and standard deviation of an `[n, 2]` cloud: `([μx, μy], [sx, sy])`.
pub fn mean_std(a: &[f32]) -> ([f64; 2], [f64; 2]) {
    let n = (a.len() / 2).max(1) as f64;
    let mut mean = [0.0; 2];
    for p in a.chunks_exact(2) {
        mean[0] += p[0] as f64;
        mean[1] += p[1] as f64;
    }
    mean = [mean[0] / n, mean[1] / n];
    let mut var = [0.0; 2];
    for p in a.chunks_exact(2) {
        var[0] += (p[0] as f64 - mean[0]).powi(2);
        var[1] += (p[1] as f64 - mean[1]).powi(2);
    }
    (mean, [(var[0] / n).sqrt(), (var[1] / n).sqrt()])
}

/// W₂ above the finite-sample floor: `√max(0, W₂(samples, data)² − W₂(reference, data)²)`,
/// where `reference` is a second independent draw from the data distribution of the same size.
///
/// Two independent n-point samples of one 2-D distribution sit a distance ≈ √(log n / n) apart
/// (≈ 0.27 for 1000 moons points), which would hide how close a model really is; subtracting the
/// floor in squares leaves the part of the distance the model is responsible for.
pub fn w2_above_floor(w2_samples: f64, w2_reference: f64) -> f64 {
    (w2_samples * w2_samples - w2_reference * w2_reference)
        .max(0.0)
        .sqrt()
}
