//! The exact marginal field, density and score of an empirical target under a Gaussian-mixture
//! source.
//!
//! For data points `d₁…d_M` (each with mass 1/M), a source `x₀ ~ Σ_k π_k·N(μ_k, s_k²·I)` (the
//! standard normal is `K = 1`, see [`crate::mixture`]) and an affine path `x_t = α·x₁ + σ·x₀`, the
//! marginal at time t is itself a mixture of M·K Gaussians, and the posterior over which pair
//! `(i, k)` a particle at `x` came from is a softmax:
//!
//! ```text
//! p_t(x)     = Σ_{i,k} (π_k/M)·N(x; m_ik, σ²s_k²·I),       m_ik = α·d_i + σ·μ_k
//! w_ik(x, t) = softmax_{ik}( log π_k − log(σ²s_k²) − ‖x − m_ik‖²/(2σ²s_k²) ),   w_i = Σ_k w_ik
//! x̂₁(x, t)   = Σ_i w_i·d_i                                  (the optimal x₁-predictor)
//! u(x, t)    = Σ_i w_i·(α̇·d_i + σ̇·(x − α·d_i)/σ)  = (σ̇/σ)·x + (α̇ − σ̇α/σ)·x̂₁
//! ```
//!
//! (the conditional velocity towards `d_i` does not depend on `k`). Differentiating the softmax
//! (`∇w_ik = w_ik·(g_ik − ḡ)` with `g_ik = ∇log N_ik = −(x − m_ik)/(σ²s_k²)`):
//!
//! ```text
//! ∇·u        = 2σ̇/σ + (α̇ − σ̇α/σ)·∇·x̂₁,    ∇·x̂₁ = Σ_ik w_ik (d_i − x̂₁)·g_ik
//! ∇log p_t   = ḡ = Σ_ik w_ik·g_ik                                     (the score)
//! ```
//!
//! (`∇·x̂₁` is the trace of the posterior covariance of `d` and `g`, written centred so that no
//! two large numbers cancel as σ → 0.) This is the field flow matching regresses onto — what an
//! infinitely large network trained forever on these M points would learn — drawn beside the
//! learned field and used as a test oracle. Integrating it carries the source onto the M points
//! exactly (it memorises them). Every batch method works on tensors, on any backend; batches are
//! cut into chunks so that no intermediate exceeds ≈ 2²¹ numbers per `[rows, K·M]` tensor.

use burn::tensor::{activation::softmax, Device, Tensor, TensorData};

use crate::mixture::{log_sum_exp_rows, row, GaussianMixture, LN_2PI};
use crate::param::Parameterization;
use crate::path::Path;
use crate::solver::VelocityField;

/// Closed-form marginal quantities for `data: [M, 2]` under `path` and a Gaussian-mixture source.
#[derive(Clone, Debug)]
pub struct ExactField {
    path: Path,
    source: GaussianMixture,
    /// The data points `[M, 2]` on the host (for [`ExactField::posterior_weights`]).
    data_host: Vec<f32>,
    /// Data points `[M, 2]`.
    data: Tensor<2>,
    /// Their x and y coordinates as rows `[1, M]`.
    data_x: Tensor<2>,
    data_y: Tensor<2>,
}

/// The smallest σ used: at t = 1 the posterior is a nearest-neighbour pick, kept finite.
pub const MIN_SIGMA: f64 = 1e-3;

/// The most numbers in one `[rows, K·M]` intermediate.
const CHUNK: usize = 1 << 21;

/// The path's schedule at one time, with σ clamped to [`MIN_SIGMA`].
#[derive(Clone, Copy)]
struct Frame {
    alpha: f64,
    sigma: f64,
}

impl ExactField {
    /// The field of the points `data` (flat `[M, 2]`, M ≥ 1) under `path` with a standard normal
    /// source, on `device`.
    pub fn new(path: Path, data: &[f32], device: &Device) -> Self {
        Self::with_source(path, data, GaussianMixture::standard_normal(), device)
    }

    /// The field of the points `data` (flat `[M, 2]`, M ≥ 1) under `path` from the mixture
    /// `source`, on `device`.
    pub fn with_source(path: Path, data: &[f32], source: GaussianMixture, device: &Device) -> Self {
        assert!(
            data.len() >= 2 && data.len().is_multiple_of(2),
            "data must be [M, 2], M ≥ 1"
        );
        let m = data.len() / 2;
        let xs: Vec<f32> = data.chunks_exact(2).map(|p| p[0]).collect();
        let ys: Vec<f32> = data.chunks_exact(2).map(|p| p[1]).collect();
        Self {
            path,
            source,
            data_host: data.to_vec(),
            data: Tensor::from_data(TensorData::new(data.to_vec(), [m, 2]), device),
            data_x: row(&xs, device),
            data_y: row(&ys, device),
        }
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The source mixture.
    pub fn source(&self) -> &GaussianMixture {
        &self.source
    }

    fn frame(&self, t: f64) -> Frame {
        let c = self.path.coefficients(t);
        Frame {
            alpha: c.alpha,
            sigma: c.sigma.max(MIN_SIGMA),
        }
    }

    fn m(&self) -> usize {
        self.data_host.len() / 2
    }

    /// `x − m_ik` for component `k`: two `[n, M]` tensors.
    fn residuals(&self, x: &Tensor<2>, k: usize, f: Frame) -> (Tensor<2>, Tensor<2>) {
        let [n, _] = x.dims();
        let mu = self.source.means()[k];
        let mx = self
            .data_x
            .clone()
            .mul_scalar(f.alpha as f32)
            .add_scalar((f.sigma * mu[0]) as f32);
        let my = self
            .data_y
            .clone()
            .mul_scalar(f.alpha as f32)
            .add_scalar((f.sigma * mu[1]) as f32);
        (
            x.clone().slice([0..n, 0..1]) - mx,
            x.clone().slice([0..n, 1..2]) - my,
        )
    }

    /// `1/(σ²s_k²)`.
    fn precision(&self, k: usize, f: Frame) -> f64 {
        let s = f.sigma * self.source.stds()[k];
        1.0 / (s * s)
    }

    /// `log((π_k/M)·N(x; m_ik, σ²s_k²·I))` for `x: [n, 2]`: shape `[n, K·M]`, block k first.
    fn log_joint(&self, x: &Tensor<2>, f: Frame) -> Tensor<2> {
        let m = self.m() as f64;
        let blocks = (0..self.source.len())
            .map(|k| {
                let (rx, ry) = self.residuals(x, k, f);
                let p = self.precision(k, f);
                let offset = self.source.weights()[k].ln() - m.ln() - LN_2PI + p.ln();
                (rx.square() + ry.square())
                    .mul_scalar((-0.5 * p) as f32)
                    .add_scalar(offset as f32)
            })
            .collect();
        Tensor::cat(blocks, 1)
    }

    /// `Σ_k w_ik` from the joint posterior `[n, K·M]`: shape `[n, M]`.
    fn sum_components(&self, w: Tensor<2>) -> Tensor<2> {
        let [n, _] = w.dims();
        let (k, m) = (self.source.len(), self.m());
        if k == 1 {
            return w;
        }
        w.reshape([n, k, m]).sum_dim(1).reshape([n, m])
    }

    /// Runs `f` on row chunks of `x: [n, 2]` small enough for the `[rows, K·M]` intermediates
    /// and concatenates the results along the rows.
    fn chunked<const D: usize>(
        &self,
        x: Tensor<2>,
        f: impl Fn(Tensor<2>) -> Tensor<D>,
    ) -> Tensor<D> {
        let [n, _] = x.dims();
        let rows = (CHUNK / (self.source.len() * self.m())).max(1);
        if n <= rows {
            return f(x);
        }
        Tensor::cat(x.split(rows, 0).into_iter().map(f).collect(), 0)
    }

    /// The posterior mean `x̂₁(x, t) = E[x₁ | x_t = x]` for `x: [n, 2]`; shape `[n, 2]`.
    pub fn posterior_mean(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        let f = self.frame(t);
        self.chunked(x, |x| self.posterior_mean_chunk(&x, f).1)
    }

    /// `(w [n, K·M], x̂₁ [n, 2])`.
    fn posterior_mean_chunk(&self, x: &Tensor<2>, f: Frame) -> (Tensor<2>, Tensor<2>) {
        let w = softmax(self.log_joint(x, f), 1);
        let mean = self.sum_components(w.clone()).matmul(self.data.clone());
        (w, mean)
    }

    /// The closed-form `log p_t(x)` for `x: [n, 2]`; shape `[n]` (σ clamped to [`MIN_SIGMA`]).
    pub fn log_density(&self, x: Tensor<2>, t: f64) -> Tensor<1> {
        let f = self.frame(t);
        self.chunked(x, |x| log_sum_exp_rows(self.log_joint(&x, f)))
    }

    /// The closed-form score `∇log p_t(x)` for `x: [n, 2]`; shape `[n, 2]`.
    pub fn score(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        let f = self.frame(t);
        self.chunked(x, |x| {
            let w = softmax(self.log_joint(&x, f), 1);
            self.weighted_residuals(&x, &w, f).mul_scalar(-1.0)
        })
    }

    /// The exact velocity and `σ·∇log p_t` for `x: [n, 2]` (σ clamped to [`MIN_SIGMA`]), both
    /// `[n, 2]`, from one posterior.
    pub fn velocity_scaled_score(&self, x: Tensor<2>, t: f64) -> (Tensor<2>, Tensor<2>) {
        let f = self.frame(t);
        let (a, b) = Parameterization::Data.to_velocity_coefficients(&self.path, t);
        let both = self.chunked(x, |x| {
            let (w, mean) = self.posterior_mean_chunk(&x, f);
            let scaled = self
                .weighted_residuals(&x, &w, f)
                .mul_scalar(-f.sigma as f32);
            let velocity = x.mul_scalar(a as f32) + mean.mul_scalar(b as f32);
            Tensor::cat(vec![velocity, scaled], 1)
        });
        let [n, _] = both.dims();
        (both.clone().slice([0..n, 0..2]), both.slice([0..n, 2..4]))
    }

    /// `Σ_ik w_ik·(x − m_ik)/(σ²s_k²)` = −ḡ: shape `[n, 2]`.
    fn weighted_residuals(&self, x: &Tensor<2>, w: &Tensor<2>, f: Frame) -> Tensor<2> {
        let [n, _] = x.dims();
        let m = self.m();
        let mut sum: Option<Tensor<2>> = None;
        for k in 0..self.source.len() {
            let wk = w.clone().slice([0..n, k * m..(k + 1) * m]);
            let (rx, ry) = self.residuals(x, k, f);
            let gx = (wk.clone() * rx).sum_dim(1);
            let gy = (wk * ry).sum_dim(1);
            let term = Tensor::cat(vec![gx, gy], 1).mul_scalar(self.precision(k, f) as f32);
            sum = Some(match sum {
                Some(s) => s + term,
                None => term,
            });
        }
        sum.expect("at least one component")
    }

    /// The exact velocity and its divergence for `x: [n, 2]`: `([n, 2], [n])`.
    pub fn velocity_divergence(&self, x: Tensor<2>, t: f64) -> (Tensor<2>, Tensor<1>) {
        let f = self.frame(t);
        let (a, b) = Parameterization::Data.to_velocity_coefficients(&self.path, t);
        let both = self.chunked(x, |x| {
            let [n, _] = x.dims();
            let m = self.m();
            let (w, mean) = self.posterior_mean_chunk(&x, f);
            // (d_i − x̂₁) as two [n, M] tensors.
            let ex = self.data_x.clone() - mean.clone().slice([0..n, 0..1]);
            let ey = self.data_y.clone() - mean.clone().slice([0..n, 1..2]);
            let mut div_mean: Option<Tensor<2>> = None;
            for k in 0..self.source.len() {
                let wk = w.clone().slice([0..n, k * m..(k + 1) * m]);
                let (rx, ry) = self.residuals(&x, k, f);
                // w_ik·(d_i − x̂₁)·g_ik with g_ik = −(x − m_ik)/(σ²s_k²).
                let term = (wk * (ex.clone() * rx + ey.clone() * ry))
                    .sum_dim(1)
                    .mul_scalar(-self.precision(k, f) as f32);
                div_mean = Some(match div_mean {
                    Some(s) => s + term,
                    None => term,
                });
            }
            let velocity = x.mul_scalar(a as f32) + mean.mul_scalar(b as f32);
            let divergence = div_mean
                .expect("at least one component")
                .mul_scalar(b as f32)
                .add_scalar((2.0 * a) as f32);
            Tensor::cat(vec![velocity, divergence], 1)
        });
        let [n, _] = both.dims();
        let velocity = both.clone().slice([0..n, 0..2]);
        let divergence = both.slice([0..n, 2..3]).reshape([n]);
        (velocity, divergence)
    }

    /// The posterior weights `w_i(x, t) = Σ_k w_ik` of the M data points for one point `x`
    /// (they sum to 1), computed on the host in f64 (no device read).
    pub fn posterior_weights(&self, x: [f32; 2], t: f64) -> Vec<f32> {
        let f = self.frame(t);
        let (k, m) = (self.source.len(), self.m());
        let mut logits = Vec::with_capacity(k * m);
        for c in 0..k {
            let mu = self.source.means()[c];
            let p = self.precision(c, f);
            let offset = self.source.weights()[c].ln() + p.ln();
            for d in self.data_host.chunks_exact(2) {
                let dx = x[0] as f64 - (f.alpha * d[0] as f64 + f.sigma * mu[0]);
                let dy = x[1] as f64 - (f.alpha * d[1] as f64 + f.sigma * mu[1]);
                logits.push(offset - 0.5 * p * (dx * dx + dy * dy));
            }
        }
        let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut w = vec![0.0f64; m];
        let mut total = 0.0;
        for (j, l) in logits.iter().enumerate() {
            let e = (l - max).exp();
            w[j % m] += e;
            total += e;
        }
        w.into_iter().map(|v| (v / total) as f32).collect()
    }
}

impl VelocityField for ExactField {
    /// `u(x, t)` for `x: [n, 2]`; shape `[n, 2]`.
    fn velocity(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        let x1_hat = self.posterior_mean(x.clone(), t);
        Parameterization::Data.to_velocity(&self.path, x, x1_hat, t)
    }
}
