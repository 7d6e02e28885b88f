//! The velocity network: an MLP on `[x, y, γ(t)]` with a sinusoidal time embedding `γ`.
//!
//! ```text
//! γ(t) = [sin(ω₁t), …, sin(ω_h t), cos(ω₁t), …, cos(ω_h t)],  ω_k = 100^((k−1)/(h−1)),  h = E/2
//! h₀ = [x, γ(t)]                 shape [n, 2 + E]   (E = 0: h₀ = [x, t], shape [n, 3])
//! h_ℓ = act(W_ℓ h_{ℓ−1} + b_ℓ)    shape [n, width], ℓ = 1..depth
//! out = W_out h_depth + b_out    shape [n, 2]
//! ```
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

    fn apply(self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Activation::Silu => activation::silu(x),
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
            Activation::Silu => {
                let s = activation::sigmoid(z.clone());
                let d = s.clone() * (z.clone() * (s.clone().neg().add_scalar(1.0))).add_scalar(1.0);
                (z * s, d)
            }
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
}

/// Limits that keep a config (possibly read from a file or a URL) interactive.
pub const MAX_WIDTH: usize = 1024;
/// The deepest network accepted.
pub const MAX_DEPTH: usize = 16;
/// The largest time embedding accepted.
pub const MAX_TIME_EMBEDDING: usize = 128;

/// The velocity MLP. Input `x: [n, 2]`, `t: [n, 1]`; output `[n, 2]`.
#[derive(Module, Debug)]
pub struct VelocityMlp {
    hidden: Vec<Linear>,
    output: Linear,
    /// Angular frequencies `ω`, shape `[1, E/2]`; absent when the raw `t` is the input.
    frequencies: Option<Tensor<2>>,
    #[module(skip)]
    activation: Activation,
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
        Ok(())
    }

    /// Width of the first layer's input: `2 + E`, or 3 with the raw time.
    pub fn input_size(&self) -> usize {
        if self.time_embedding == 0 {
            3
        } else {
            2 + self.time_embedding
        }
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
        VelocityMlp {
            hidden,
            output,
            frequencies,
            activation: self.activation,
        }
    }
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
    /// The network output for points `x: [n, 2]` at times `t: [n, 1]`; shape `[n, 2]`.
    pub fn forward(&self, x: Tensor<2>, t: Tensor<2>) -> Tensor<2> {
        let input = match &self.frequencies {
            Some(omega) => {
                // [n, 1] · [1, E/2] broadcasts to the phases [n, E/2].
                let phase = t * omega.clone();
                Tensor::cat(vec![x, phase.clone().sin(), phase.cos()], 1)
            }
            None => Tensor::cat(vec![x, t], 1),
        };
        let mut h = input;
        for layer in &self.hidden {
            h = self.activation.apply(layer.forward(h));
        }
        self.output.forward(h)
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
    /// T_{j,0} = e_j (the input is [x, γ(t)] and γ does not depend on x), so T_{j,1} = act'(z₁) ⊙ W₁[j, :]
    /// ∂f/∂x_j = W_out T_{j,depth}
    /// ```
    ///
    /// From the second layer on, `h`, `T₁` and `T₂` go through one matmul stacked as `[3n, width]`.
    pub fn forward_with_tangents(&self, x: Tensor<2>, t: f64) -> (Tensor<2>, Tensor<2>, Tensor<2>) {
        let [n, _] = x.dims();
        let device = x.device();
        let input = match &self.frequencies {
            Some(omega) => {
                let phase = omega.clone().mul_scalar(t as f32).repeat_dim(0, n);
                Tensor::cat(vec![x, phase.clone().sin(), phase.cos()], 1)
            }
            None => Tensor::cat(vec![x, Tensor::full([n, 1], t as f32, &device)], 1),
        };
        let first = &self.hidden[0];
        let w1 = first.weight.val();
        let [_, width] = w1.dims();
        let (h, d) = self.activation.apply_with_derivative(first.forward(input));
        // W₁[j, :] is the tangent of z₁ along x_j, the same for every point.
        let mut t1 = d.clone() * w1.clone().slice([0..1, 0..width]);
        let mut t2 = d * w1.slice([1..2, 0..width]);
        let mut h = h;
        for layer in &self.hidden[1..] {
            let w = layer.weight.val();
            let stacked = Tensor::cat(vec![h, t1, t2], 0).matmul(w);
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
        let stacked = Tensor::cat(vec![h, t1, t2], 0).matmul(w_out);
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
            activation: self.activation,
        }
    }
}
