//! The velocity network: an MLP on `[x, y, γ(t)]` with a sinusoidal time embedding `γ`.
//!
//! ```text
//! γ(t) = [sin(ω₁t), …, sin(ω_h t), cos(ω₁t), …, cos(ω_h t)],  ω_k = 100^((k−1)/(h−1)),  h = E/2
//! h₀ = [x, γ(t)]                 shape [n, 2 + E]   (E = 0: h₀ = [x, t], shape [n, 3])
//! h_ℓ = act(W_ℓ h_{ℓ−1} + b_ℓ)    shape [n, width], ℓ = 1..depth
//! out = W_out h_depth + b_out    shape [n, 2]
//! ```
//!
//! Two optional inputs extend `h₀`, in this order after `γ(t)`:
//!
//! - a **shortcut** model also sees its step size `d` as `γ(d)` (the same embedding as the time,
//!   so `d = 0`, the instantaneous velocity, is the smooth limit of small steps);
//! - a **class-conditional** model sees a learned embedding `e(c)` of its label `c`, one row of a
//!   `[K + 1, C]` table whose last row is the null label ∅ ("no class", what classifier-free
//!   guidance contrasts against). Labels enter as one-hot rows `[n, K + 1]`, so the lookup is a
//!   matrix product with the table.
//!
//! Weights are initialised on the host from a seed (PyTorch's default `U(±1/√fan_in)`), so a
//! seed gives the same network on every backend.

use std::fmt;
use std::str::FromStr;

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::{activation, Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::rng::Rng;
use crate::silu;

/// The hidden-layer non-linearity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// `x·sigmoid(x)`.
    #[default]
    Silu,
    /// `max(x, 0)`.
    Relu,
    /// Gaussian error linear unit.
    Gelu,
    /// Hyperbolic tangent.
    Tanh,
}

impl Activation {
    /// Every activation, in menu order.
    pub const ALL: [Activation; 4] = [
        Activation::Silu,
        Activation::Relu,
        Activation::Gelu,
        Activation::Tanh,
    ];

    /// The name used on the command line, in URLs and in saved configs.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Silu => "silu",
            Activation::Relu => "relu",
            Activation::Gelu => "gelu",
            Activation::Tanh => "tanh",
        }
    }

    /// `act(x)`, element-wise. SiLU is one fused operation on the flex CPU backend
    /// ([`crate::silu`]), Burn's composition elsewhere.
    fn apply(self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Activation::Silu => silu::silu(x),
            Activation::Relu => activation::relu(x),
            Activation::Gelu => activation::gelu(x),
            Activation::Tanh => activation::tanh(x),
        }
    }

    /// `(act(z), act'(z))`, element-wise, for the forward-mode pass
    /// ([`VelocityMlp::forward_with_tangents`]):
    ///
    /// ```text
    /// silu:  act' = σ(z)·(1 + z·(1 − σ(z)))
    /// relu:  act' = [z > 0]
    /// gelu:  act' = Φ(z) + z·φ(z) = ½(1 + erf(z/√2)) + z·exp(−z²/2)/√(2π)
    /// tanh:  act' = 1 − tanh²(z)
    /// ```
    ///
    /// Burn's `gelu` is the exact, erf-based one (`x·Φ(x)`), so its derivative is too.
    fn apply_with_derivative(self, z: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        match self {
            Activation::Silu => silu::silu_with_derivative(z),
            Activation::Relu => {
                let d = z.clone().greater_elem(0.0).float();
                (activation::relu(z), d)
            }
            Activation::Gelu => {
                let cdf = z
                    .clone()
                    .mul_scalar(std::f32::consts::FRAC_1_SQRT_2)
                    .erf()
                    .add_scalar(1.0)
                    .mul_scalar(0.5);
                let pdf = (z.clone().square().mul_scalar(-0.5)).exp().mul_scalar(
                    0.5 * std::f32::consts::FRAC_2_SQRT_PI * std::f32::consts::FRAC_1_SQRT_2,
                );
                (z.clone() * cdf.clone(), cdf + z * pdf)
            }
            Activation::Tanh => {
                let y = activation::tanh(z);
                let d = y.clone().square().neg().add_scalar(1.0);
                (y, d)
            }
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Activation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Activation::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| {
                format!("unknown activation '{s}' (expected one of: silu, relu, gelu, tanh)")
            })
    }
}

/// Class conditioning: `K` classes plus the null label ∅, embedded in `C` dimensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassConditioning {
    /// The number of classes `K` (labels `0..K`; label `K` is ∅).
    pub classes: usize,
    /// The embedding size `C`.
    pub embedding: usize,
}

impl ClassConditioning {
    /// `K` classes with the default embedding size (16).
    pub fn new(classes: usize) -> Self {
        Self {
            classes,
            embedding: 16,
        }
    }

    /// The null label ∅ (= `K`).
    pub fn null_label(&self) -> u32 {
        self.classes as u32
    }

    /// One-hot rows `[n, K + 1]` for `labels` (each `≤ K`; `K` is ∅), on `device`.
    pub fn one_hot(&self, labels: &[u32], device: &Device) -> Tensor<2> {
        let width = self.classes + 1;
        let mut data = vec![0.0f32; labels.len() * width];
        for (row, &label) in labels.iter().enumerate() {
            let column = (label as usize).min(self.classes);
            data[row * width + column] = 1.0;
        }
        Tensor::from_data(TensorData::new(data, [labels.len(), width]), device)
    }
}

/// The step-size input of a shortcut model: trained for steps `1, ½, …, 2^−(levels−1)`, the
/// finest bootstrapped from the instantaneous velocity (`d = 0`) at half that step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortcut {
    /// The number of step sizes trained by self-consistency (1..=12).
    pub levels: usize,
}

impl Default for Shortcut {
    /// Seven levels: steps 1 down to 1/64, bootstrapped from 1/128 (as in Frans et al. 2024).
    fn default() -> Self {
        Self { levels: 7 }
    }
}

impl Shortcut {
    /// The step-size input for sampling in `steps` equal steps: `1/steps` while that is a
    /// trained step or coarser, else 0 (the instantaneous velocity).
    pub fn step_input(&self, steps: usize) -> f64 {
        if steps.max(1) < (1usize << self.levels) {
            1.0 / steps.max(1) as f64
        } else {
            0.0
        }
    }
}

/// Hyperparameters of [`VelocityMlp`].
#[derive(Config, Debug, PartialEq)]
pub struct VelocityMlpConfig {
    /// Units per hidden layer.
    #[config(default = 64)]
    pub width: usize,
    /// Number of hidden layers.
    #[config(default = 3)]
    pub depth: usize,
    /// Hidden non-linearity.
    #[config(default = "Activation::Silu")]
    pub activation: Activation,
    /// Size `E` of the sinusoidal time embedding (even); 0 feeds the raw `t` instead.
    #[config(default = 16)]
    pub time_embedding: usize,
    /// Class conditioning (`None`: unconditional). Absent from older weights files.
    pub conditioning: Option<ClassConditioning>,
    /// The shortcut step-size input (`None`: a plain flow). Absent from older weights files.
    pub shortcut: Option<Shortcut>,
}

/// Limits that keep a config (possibly read from a file or a URL) interactive.
pub const MAX_WIDTH: usize = 1024;
/// The deepest network accepted.
pub const MAX_DEPTH: usize = 16;
/// The largest time embedding accepted.
pub const MAX_TIME_EMBEDDING: usize = 128;
/// The most classes a conditional model accepts.
pub const MAX_CLASSES: usize = 256;
/// The largest class embedding accepted.
pub const MAX_CLASS_EMBEDDING: usize = 128;
/// The most shortcut levels accepted (finest step 2⁻¹²).
pub const MAX_SHORTCUT_LEVELS: usize = 12;

/// The velocity MLP. Input `x: [n, 2]`, `t: [n, 1]` (and optionally `d: [n, 1]`, one-hot
/// labels `[n, K + 1]`); output `[n, 2]`.
#[derive(Module, Debug)]
pub struct VelocityMlp {
    hidden: Vec<Linear>,
    output: Linear,
    /// Angular frequencies `ω`, shape `[1, E/2]`; absent when the raw `t` is the input.
    frequencies: Option<Tensor<2>>,
    /// The label embedding table `[K + 1, C]` (a bias-free linear map of one-hot rows).
    class_table: Option<Linear>,
    #[module(skip)]
    activation: Activation,
    #[module(skip)]
    conditioning: Option<ClassConditioning>,
    #[module(skip)]
    shortcut: bool,
}

impl VelocityMlpConfig {
    /// Checks the sizes: `1 ≤ width ≤ 1024`, `1 ≤ depth ≤ 16`, `E` even and `≤ 128`.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_WIDTH).contains(&self.width) {
            return Err(format!(
                "width must be in 1..={MAX_WIDTH}, got {}",
                self.width
            ));
        }
        if !(1..=MAX_DEPTH).contains(&self.depth) {
            return Err(format!(
                "depth must be in 1..={MAX_DEPTH}, got {}",
                self.depth
            ));
        }
        if !self.time_embedding.is_multiple_of(2) || self.time_embedding > MAX_TIME_EMBEDDING {
            return Err(format!(
                "time embedding must be even and at most {MAX_TIME_EMBEDDING}, got {}",
                self.time_embedding
            ));
        }
        if let Some(c) = self.conditioning {
            if !(1..=MAX_CLASSES).contains(&c.classes) {
                return Err(format!(
                    "a conditional model needs 1..={MAX_CLASSES} classes, got {}",
                    c.classes
                ));
            }
            if !(1..=MAX_CLASS_EMBEDDING).contains(&c.embedding) {
                return Err(format!(
                    "class embedding must be in 1..={MAX_CLASS_EMBEDDING}, got {}",
                    c.embedding
                ));
            }
        }
        if let Some(s) = self.shortcut {
            if !(1..=MAX_SHORTCUT_LEVELS).contains(&s.levels) {
                return Err(format!(
                    "shortcut levels must be in 1..={MAX_SHORTCUT_LEVELS}, got {}",
                    s.levels
                ));
            }
        }
        Ok(())
    }

    /// The size of one scalar's embedding: `E`, or 1 for the raw value.
    fn scalar_embedding(&self) -> usize {
        self.time_embedding.max(1)
    }

    /// Width of the first layer's input: `2 + E` (3 with the raw time), plus `E` (or 1) for a
    /// shortcut's step size, plus `C` for a class embedding.
    pub fn input_size(&self) -> usize {
        let mut size = 2 + self.scalar_embedding();
        if self.shortcut.is_some() {
            size += self.scalar_embedding();
        }
        if let Some(c) = self.conditioning {
            size += c.embedding;
        }
        size
    }

    /// The network with weights drawn from `seed` on `device`.
    pub fn init(&self, seed: u64, device: &Device) -> VelocityMlp {
        let mut rng = Rng::new(seed);
        let mut fan_in = self.input_size();
        let mut hidden = Vec::with_capacity(self.depth);
        for _ in 0..self.depth {
            hidden.push(linear(fan_in, self.width, &mut rng, device));
            fan_in = self.width;
        }
        let output = linear(fan_in, 2, &mut rng, device);
        let half = self.time_embedding / 2;
        let frequencies = (half > 0).then(|| {
            let omegas: Vec<f32> = (0..half)
                .map(|k| {
                    let frac = if half > 1 {
                        k as f32 / (half - 1) as f32
                    } else {
                        0.0
                    };
                    100f32.powf(frac)
                })
                .collect();
            Tensor::from_data(TensorData::new(omegas, [1, half]), device)
        });
        // Drawn after every other weight, so an unconditional network of a seed is unchanged.
        let class_table = self.conditioning.map(|c| {
            // N(0, 1) entries, as for an embedding table.
            let rows = c.classes + 1;
            let table: Vec<f32> = (0..rows * c.embedding)
                .map(|_| rng.normal() as f32)
                .collect();
            Linear {
                weight: Param::from_data(TensorData::new(table, [rows, c.embedding]), device),
                bias: None,
            }
        });
        VelocityMlp {
            hidden,
            output,
            frequencies,
            class_table,
            activation: self.activation,
            conditioning: self.conditioning,
            shortcut: self.shortcut.is_some(),
        }
    }
}

/// `h·W + b` for `h: [n, fan_in]`, `W: [fan_in, fan_out]` → `[n, fan_out]`: `Linear::forward`,
/// except that on WebGPU the product runs through [`crate::gpu_matmul`].
fn affine(layer: &Linear, h: Tensor<2>) -> Tensor<2> {
    #[cfg(feature = "webgpu")]
    {
        let z = product(h, layer.weight.val());
        match &layer.bias {
            Some(b) => z + b.val().unsqueeze::<2>(),
            None => z,
        }
    }
    #[cfg(not(feature = "webgpu"))]
    layer.forward(h)
}

/// `a·b` for `a: [m, k]`, `b: [k, n]` → `[m, n]`: through [`crate::gpu_matmul`] in a build with
/// WebGPU (which routes only WebGPU tensors), `Tensor::matmul` otherwise.
fn product(a: Tensor<2>, b: Tensor<2>) -> Tensor<2> {
    #[cfg(feature = "webgpu")]
    return crate::gpu_matmul::matmul(a, b);
    #[cfg(not(feature = "webgpu"))]
    a.matmul(b)
}

/// A linear layer `[fan_in] → [fan_out]` with `U(±1/√fan_in)` weights and biases.
fn linear(fan_in: usize, fan_out: usize, rng: &mut Rng, device: &Device) -> Linear {
    let bound = 1.0 / (fan_in as f64).sqrt();
    let mut draw = |n: usize| -> Vec<f32> {
        (0..n)
            .map(|_| rng.uniform_range(-bound, bound) as f32)
            .collect()
    };
    let weight = draw(fan_in * fan_out);
    let bias = draw(fan_out);
    Linear {
        weight: Param::from_data(TensorData::new(weight, [fan_in, fan_out]), device),
        bias: Some(Param::from_data(TensorData::new(bias, [fan_out]), device)),
    }
}

impl VelocityMlp {
    /// The network output for points `x: [n, 2]` at times `t: [n, 1]`; shape `[n, 2]`. A
    /// conditional network sees the null label ∅, a shortcut network the step `d = 0`.
    pub fn forward(&self, x: Tensor<2>, t: Tensor<2>) -> Tensor<2> {
        self.forward_conditioned(x, t, None, None)
    }

    /// The output with the optional inputs: `labels` one-hot `[n, K + 1]` (∅ when `None`;
    /// ignored by an unconditional network) and the step size `d: [n, 1]` (0 when `None`;
    /// ignored by a network without the shortcut input). Shape `[n, 2]`.
    pub fn forward_conditioned(
        &self,
        x: Tensor<2>,
        t: Tensor<2>,
        labels: Option<Tensor<2>>,
        step: Option<Tensor<2>>,
    ) -> Tensor<2> {
        let mut h = self.input(x, t, labels, step);
        for layer in &self.hidden {
            h = self.activation.apply(affine(layer, h));
        }
        affine(&self.output, h)
    }

    /// The first layer's input `[x, γ(t), γ(d), e(c)]` (`γ(d)` for a shortcut network, `e(c)`
    /// for a conditional one, with the defaults of [`forward_conditioned`](Self::forward_conditioned));
    /// shape `[n, input_size]`. `x` comes first, which the tangent pass relies on.
    fn input(
        &self,
        x: Tensor<2>,
        t: Tensor<2>,
        labels: Option<Tensor<2>>,
        step: Option<Tensor<2>>,
    ) -> Tensor<2> {
        let [n, _] = x.dims();
        let device = x.device();
        let mut parts = vec![x];
        parts.extend(self.embed_scalar(t));
        if self.shortcut {
            let d = step.unwrap_or_else(|| Tensor::zeros([n, 1], &device));
            parts.extend(self.embed_scalar(d));
        }
        if let (Some(table), Some(c)) = (&self.class_table, &self.conditioning) {
            let one_hot = labels.unwrap_or_else(|| c.one_hot(&vec![c.null_label(); n], &device));
            parts.push(table.forward(one_hot));
        }
        Tensor::cat(parts, 1)
    }

    /// `γ(s)` for a column of scalars `s: [n, 1]`: `[sin(ωs), cos(ωs)]`, or `s` itself.
    fn embed_scalar(&self, s: Tensor<2>) -> Vec<Tensor<2>> {
        match &self.frequencies {
            Some(omega) => {
                // [n, 1] · [1, E/2] broadcasts to the phases [n, E/2].
                let phase = s * omega.clone();
                vec![phase.clone().sin(), phase.cos()]
            }
            None => vec![s],
        }
    }

    /// The class conditioning, when the network has one.
    pub fn conditioning(&self) -> Option<ClassConditioning> {
        self.conditioning
    }

    /// True for a network with the shortcut step-size input.
    pub fn is_shortcut(&self) -> bool {
        self.shortcut
    }

    /// The output at one shared time `t` for all points `x: [n, 2]`.
    pub fn forward_at(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        let [n, _] = x.dims();
        let times = Tensor::full([n, 1], t as f32, &x.device());
        self.forward(x, times)
    }

    /// The output `f(x, t)` and its Jacobian in `x`, at one shared time `t` for `x: [n, 2]`, by
    /// forward-mode differentiation written out by hand (no autodiff, so any backend runs it).
    ///
    /// Returns `(f, ∂f/∂x₁, ∂f/∂x₂)`, each `[n, 2]`: row `i` of `∂f/∂x_j` is the column `j` of
    /// point `i`'s 2×2 Jacobian. Each hidden layer carries the two tangents `T_j = ∂h/∂x_j`
    /// (`[n, width]` each) beside `h`:
    ///
    /// ```text
    /// z_ℓ = W_ℓ h_{ℓ−1} + b_ℓ,   h_ℓ = act(z_ℓ),   T_{j,ℓ} = act'(z_ℓ) ⊙ (W_ℓ T_{j,ℓ−1})
    /// T_{j,0} = e_j (the input is [x, γ(t), …] and nothing after x depends on it), so
    /// T_{j,1} = act'(z₁) ⊙ W₁[j, :]
    /// ∂f/∂x_j = W_out T_{j,depth}
    /// ```
    ///
    /// From the second layer on, `h`, `T₁` and `T₂` go through one matmul stacked as `[3n, width]`.
    pub fn forward_with_tangents(&self, x: Tensor<2>, t: f64) -> (Tensor<2>, Tensor<2>, Tensor<2>) {
        let [n, _] = x.dims();
        let device = x.device();
        // The null label and d = 0, as in `forward_at`: only x varies.
        let input = self.input(x, Tensor::full([n, 1], t as f32, &device), None, None);
        let first = &self.hidden[0];
        let w1 = first.weight.val();
        let [_, width] = w1.dims();
        let (h, d) = self.activation.apply_with_derivative(affine(first, input));
        // W₁[j, :] is the tangent of z₁ along x_j, the same for every point.
        let mut t1 = d.clone() * w1.clone().slice([0..1, 0..width]);
        let mut t2 = d * w1.slice([1..2, 0..width]);
        let mut h = h;
        for layer in &self.hidden[1..] {
            let w = layer.weight.val();
            let stacked = product(Tensor::cat(vec![h, t1, t2], 0), w);
            let mut parts = stacked.split(n, 0).into_iter();
            let mut z = parts.next().expect("three parts");
            if let Some(b) = &layer.bias {
                z = z + b.val().unsqueeze_dim(0);
            }
            let (a, d) = self.activation.apply_with_derivative(z);
            h = a;
            t1 = parts.next().expect("three parts") * d.clone();
            t2 = parts.next().expect("three parts") * d;
        }
        let w_out = self.output.weight.val();
        let stacked = product(Tensor::cat(vec![h, t1, t2], 0), w_out);
        let mut parts = stacked.split(n, 0).into_iter();
        let mut out = parts.next().expect("three parts");
        if let Some(b) = &self.output.bias {
            out = out + b.val().unsqueeze_dim(0);
        }
        let j1 = parts.next().expect("three parts");
        let j2 = parts.next().expect("three parts");
        (out, j1, j2)
    }

    /// Moves every weight a fraction `rate` of the way towards `other`'s:
    /// `θ ← (1 − rate)·θ + rate·θ_other` (the exponential moving average update).
    pub fn lerp_towards(self, other: &VelocityMlp, rate: f64) -> VelocityMlp {
        let keep = (1.0 - rate) as f32;
        let take = rate as f32;
        let mix = |a: Linear, b: &Linear| Linear {
            weight: a
                .weight
                .map(|w| w.mul_scalar(keep) + b.weight.val().mul_scalar(take)),
            bias: match (a.bias, &b.bias) {
                (Some(x), Some(y)) => {
                    Some(x.map(|v| v.mul_scalar(keep) + y.val().mul_scalar(take)))
                }
                (x, _) => x,
            },
        };
        VelocityMlp {
            hidden: self
                .hidden
                .into_iter()
                .zip(&other.hidden)
                .map(|(a, b)| mix(a, b))
                .collect(),
            output: mix(self.output, &other.output),
            frequencies: self.frequencies,
            class_table: match (self.class_table, &other.class_table) {
                (Some(a), Some(b)) => Some(mix(a, b)),
                (a, _) => a,
            },
            activation: self.activation,
            conditioning: self.conditioning,
            shortcut: self.shortcut,
        }
    }
}
