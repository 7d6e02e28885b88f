//! Isotropic Gaussian mixtures: the sources whose density is known in closed form.
//!
//! ```text
//! p(x) = Σ_k π_k · N(x; μ_k, s_k²·I),     log N(x; μ, s²I) = −‖x − μ‖²/(2s²) − log(2π s²)   (2-D)
//! ```
//!
//! Three named datasets are such mixtures (see [`GaussianMixture::of_dataset`]); their component
//! standard deviation is an argument, so the same description serves any noise level the data
//! sampler is given.

use burn::tensor::{Device, Tensor, TensorData};

use crate::data::{Dataset, Distribution};

/// `log(2π)`.
pub const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// A mixture of isotropic 2-D Gaussians with weights `π_k`, means `μ_k` and deviations `s_k`.
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianMixture {
    weights: Vec<f64>,
    means: Vec<[f64; 2]>,
    stds: Vec<f64>,
}

impl GaussianMixture {
    /// The mixture `Σ_k weights[k]·N(means[k], stds[k]²·I)`; the weights are normalised.
    /// Needs at least one component, positive finite weights and deviations, finite means.
    pub fn new(weights: Vec<f64>, means: Vec<[f64; 2]>, stds: Vec<f64>) -> Result<Self, String> {
        let k = weights.len();
        if k == 0 || means.len() != k || stds.len() != k {
            return Err(format!(
                "a Gaussian mixture needs as many weights, means and deviations (≥ 1), got {}, {}, {}",
                k,
                means.len(),
                stds.len()
            ));
        }
        if weights.iter().any(|w| !(w.is_finite() && *w > 0.0)) {
            return Err("mixture weights must be positive and finite".into());
        }
        if stds.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return Err("mixture deviations must be positive and finite".into());
        }
        if means.iter().flatten().any(|m| !m.is_finite()) {
            return Err("mixture means must be finite".into());
        }
        let total: f64 = weights.iter().sum();
        Ok(Self {
            weights: weights.iter().map(|w| w / total).collect(),
            means,
            stds,
        })
    }

    /// One isotropic Gaussian `N(mean, std²·I)`.
    pub fn isotropic(mean: [f64; 2], std: f64) -> Result<Self, String> {
        Self::new(vec![1.0], vec![mean], vec![std])
    }

    /// The standard normal `N(0, I)`.
    pub fn standard_normal() -> Self {
        Self::isotropic([0.0, 0.0], 1.0).expect("valid")
    }

    /// The mixture a named dataset samples from, with component deviation `component_std`
    /// (for `gaussian`, its deviation); an error for the datasets that are not mixtures:
    ///
    /// ```text
    /// gaussian     N(0, s²·I)
    /// 8gaussians   Σ_{k<8} ⅛·N(5·(cos kπ/4, sin kπ/4), s²·I)
    /// 25gaussians  Σ_{i,j ∈ {−2..2}} (1/25)·N(2·(i, j), s²·I)
    /// ```
    pub fn of_dataset(dataset: Dataset, component_std: f64) -> Result<Self, String> {
        let s = component_std;
        match dataset {
            Dataset::Gaussian => Self::isotropic([0.0, 0.0], s),
            Dataset::EightGaussians => {
                let means = (0..8)
                    .map(|k| {
                        let (y, x) = (k as f64 * std::f64::consts::FRAC_PI_4).sin_cos();
                        [5.0 * x, 5.0 * y]
                    })
                    .collect();
                Self::new(vec![1.0; 8], means, vec![s; 8])
            }
            Dataset::TwentyFiveGaussians => {
                let means = (0..25)
                    .map(|k| [2.0 * (k / 5) as f64 - 4.0, 2.0 * (k % 5) as f64 - 4.0])
                    .collect();
                Self::new(vec![1.0; 25], means, vec![s; 25])
            }
            other => Err(no_density(other.name())),
        }
    }

    /// The component deviation the sampler in [`crate::data`] draws `dataset` with at its
    /// default spread, for the mixtures among the datasets (the spread is that deviation).
    pub fn dataset_component_std(dataset: Dataset) -> Option<f64> {
        match dataset {
            Dataset::Gaussian | Dataset::EightGaussians | Dataset::TwentyFiveGaussians => {
                Some(dataset.default_spread())
            }
            _ => None,
        }
    }

    /// The mixture of a distribution, or a clear error when it has no closed-form density.
    pub fn of_distribution(distribution: &Distribution) -> Result<Self, String> {
        match distribution {
            Distribution::Named { dataset, spread } => {
                Self::dataset_component_std(*dataset).ok_or_else(|| no_density(dataset.name()))?;
                Self::of_dataset(*dataset, *spread)
            }
            Distribution::Points(_) => Err(no_density(&distribution.label())),
        }
    }

    /// Number of components `K`.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Always false: a mixture has at least one component.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The normalised weights `π_k`.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The means `μ_k`.
    pub fn means(&self) -> &[[f64; 2]] {
        &self.means
    }

    /// The deviations `s_k`.
    pub fn stds(&self) -> &[f64] {
        &self.stds
    }

    /// `(mean, std)` when the mixture is a single isotropic Gaussian.
    pub fn as_isotropic(&self) -> Option<([f64; 2], f64)> {
        (self.len() == 1).then(|| (self.means[0], self.stds[0]))
    }

    /// `log p(x)` at one point, in f64 (log-sum-exp over the components).
    pub fn log_density_at(&self, x: [f64; 2]) -> f64 {
        let terms: Vec<f64> = (0..self.len())
            .map(|k| {
                let s2 = self.stds[k] * self.stds[k];
                let dx = x[0] - self.means[k][0];
                let dy = x[1] - self.means[k][1];
                self.weights[k].ln() - (dx * dx + dy * dy) / (2.0 * s2) - LN_2PI - s2.ln()
            })
            .collect();
        log_sum_exp(&terms)
    }

    /// `log p(x)` for a batch `x: [n, 2]`; shape `[n]`, computed on `x`'s device.
    pub fn log_density(&self, x: Tensor<2>) -> Tensor<1> {
        let [n, _] = x.dims();
        let device = x.device();
        let k = self.len();
        let host = |values: Vec<f32>| row(&values, &device);
        let mx = host(self.means.iter().map(|m| m[0] as f32).collect());
        let my = host(self.means.iter().map(|m| m[1] as f32).collect());
        let scale = host(self.stds.iter().map(|s| (-0.5 / (s * s)) as f32).collect());
        let offset = host(
            (0..k)
                .map(|i| (self.weights[i].ln() - LN_2PI - 2.0 * self.stds[i].ln()) as f32)
                .collect(),
        );
        let dx = x.clone().slice([0..n, 0..1]) - mx;
        let dy = x.slice([0..n, 1..2]) - my;
        let logits = (dx.square() + dy.square()) * scale + offset;
        log_sum_exp_rows(logits)
    }
}

fn no_density(name: &str) -> String {
    format!(
        "the source '{name}' has no closed-form density (densities need a gaussian, 8gaussians \
         or 25gaussians source)"
    )
}

/// `log Σ_i exp(v_i)` of a non-empty slice, stably.
pub fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

/// Row-wise `log Σ_j exp(v_ij)` of `v: [n, m]`; shape `[n]`.
pub fn log_sum_exp_rows(v: Tensor<2>) -> Tensor<1> {
    let [n, _] = v.dims();
    let max = v.clone().max_dim(1);
    let sum = (v - max.clone()).exp().sum_dim(1);
    (sum.log() + max).reshape([n])
}

/// A `[1, k]` row of host values on `device`.
pub(crate) fn row(values: &[f32], device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values.to_vec(), [1, values.len()]), device)
}
