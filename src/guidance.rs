//! Classifier-free guidance (Ho & Salimans 2022) for class-conditional flows, learned and exact.
//!
//! A conditional network learns `v(x, t, c)` and, through label dropout, the unconditional
//! `v(x, t, ∅)` (see [`crate::train`]). Guidance with scale `w` samples along
//!
//! ```text
//! v_w(x, t, c) = v(x, t, ∅) + w·(v(x, t, c) − v(x, t, ∅))
//! ```
//!
//! `w = 0` is the unconditional flow, `w = 1` the conditional one, `w > 1` over-guides: samples
//! move away from the other classes and concentrate where class `c` is most typical.
//!
//! For an empirical target the exact conditional field of class `c` is the exact field
//! ([`ExactField`]) of class `c`'s points alone — the softmax average restricted to the class —
//! and the exact unconditional field that of all the points; [`ExactGuidedField`] combines them
//! as above, the oracle the learned guidance is tested against.

use std::fmt;
use std::str::FromStr;

use burn::tensor::{Device, Tensor, TensorData};

use crate::data::Distribution;
use crate::exact::ExactField;
use crate::flow::Flow;
use crate::path::Path;
use crate::rng::Rng;
use crate::solver::VelocityField;

/// Which classes guided particles are drawn for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassChoice {
    /// Every particle of this class.
    One(u32),
    /// Each particle's class drawn from the data's class frequencies.
    All,
}

impl ClassChoice {
    /// The class of each of `n` particles: `[n]`. `All` draws the labels of `n` fresh samples
    /// of `target`, so the classes come in the data's proportions.
    pub fn draw(self, target: &Distribution, n: usize, rng: &mut Rng) -> Vec<u32> {
        match self {
            ClassChoice::One(c) => vec![c; n],
            ClassChoice::All => target.sample_labelled(n, rng).1,
        }
    }

    /// Checks the choice against `classes` classes.
    pub fn validate(self, classes: usize) -> Result<(), String> {
        match self {
            ClassChoice::One(c) if c as usize >= classes => Err(format!(
                "class {c} is out of range: the model has {classes} classes (0..{})",
                classes.saturating_sub(1)
            )),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for ClassChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClassChoice::One(c) => write!(f, "{c}"),
            ClassChoice::All => f.write_str("all"),
        }
    }
}

impl FromStr for ClassChoice {
    type Err = String;

    /// `all` or a class number.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "all" {
            return Ok(ClassChoice::All);
        }
        s.parse::<u32>()
            .map(ClassChoice::One)
            .map_err(|_| format!("class must be 'all' or a class number, got '{s}'"))
    }
}

/// Checks a guidance scale: finite and in `[0, 100]`.
pub fn validate_scale(scale: f64) -> Result<(), String> {
    if scale.is_finite() && (0.0..=100.0).contains(&scale) {
        Ok(())
    } else {
        Err(format!("guidance scale must be in 0..=100, got {scale}"))
    }
}

/// A conditional flow guided towards per-particle classes with scale `w` (and, for a shortcut
/// network, at a fixed step size). An unconditional flow ignores classes and scale.
#[derive(Clone, Debug)]
pub struct GuidedFlow<'a> {
    flow: &'a Flow,
    /// One-hot classes `[n, K + 1]`.
    labels: Option<Tensor<2>>,
    /// `[labels; ∅]`, `[2n, K + 1]`: both branches in one network call.
    both: Option<Tensor<2>>,
    scale: f64,
    step: f64,
}

impl<'a> GuidedFlow<'a> {
    /// Guides `flow` towards `classes` (`[n]`, one per particle) with scale `scale`.
    pub fn new(
        flow: &'a Flow,
        classes: &[u32],
        scale: f64,
        device: &Device,
    ) -> Result<Self, String> {
        validate_scale(scale)?;
        let Some(c) = flow.config.model.conditioning else {
            return Ok(Self {
                flow,
                labels: None,
                both: None,
                scale,
                step: 0.0,
            });
        };
        if let Some(&bad) = classes.iter().find(|&&k| k as usize >= c.classes) {
            return Err(format!(
                "class {bad} is out of range: the model has {} classes",
                c.classes
            ));
        }
        let labels = c.one_hot(classes, device);
        let null = c.one_hot(&vec![c.null_label(); classes.len()], device);
        Ok(Self {
            flow,
            both: Some(Tensor::cat(vec![labels.clone(), null], 0)),
            labels: Some(labels),
            scale,
            step: 0.0,
        })
    }

    /// The same guidance at the shortcut step size for `steps` equal steps (see
    /// [`Flow::stepped`]).
    pub fn stepped(mut self, steps: usize) -> Self {
        self.step = self.flow.stepped(steps).step;
        self
    }
}

impl VelocityField for GuidedFlow<'_> {
    /// `v_∅ + w·(v_c − v_∅)`; one network call at `w = 0` or `w = 1`, one of twice the batch
    /// otherwise.
    fn velocity(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        let (Some(labels), Some(both)) = (&self.labels, &self.both) else {
            return self.flow.velocity_conditioned(x, t, None, self.step);
        };
        if self.scale == 0.0 {
            return self.flow.velocity_conditioned(x, t, None, self.step);
        }
        if self.scale == 1.0 {
            return self
                .flow
                .velocity_conditioned(x, t, Some(labels.clone()), self.step);
        }
        let [n, _] = x.dims();
        let doubled = Tensor::cat(vec![x.clone(), x], 0);
        let v = self
            .flow
            .velocity_conditioned(doubled, t, Some(both.clone()), self.step);
        let conditional = v.clone().narrow(0, 0, n);
        let unconditional = v.narrow(0, n, n);
        unconditional.clone() + (conditional - unconditional).mul_scalar(self.scale as f32)
    }
}

/// The exact guided field of labelled data points under a standard normal source.
#[derive(Clone, Debug)]
pub struct ExactGuidedField {
    unconditional: ExactField,
    /// Per class present among the particles: its exact field and its particles' mask `[n, 1]`.
    classes: Vec<(ExactField, Tensor<2>)>,
    scale: f64,
}

impl ExactGuidedField {
    /// The field of `data: [M, 2]` with `labels: [M]` under `path`, guided with `scale` towards
    /// the class of each particle, `particle_classes: [n]`.
    pub fn new(
        path: Path,
        data: &[f32],
        labels: &[u32],
        particle_classes: &[u32],
        scale: f64,
        device: &Device,
    ) -> Result<Self, String> {
        validate_scale(scale)?;
        if data.len() != 2 * labels.len() || labels.is_empty() {
            return Err(format!(
                "exact guidance needs one label per point, got {} numbers and {} labels",
                data.len(),
                labels.len()
            ));
        }
        let mut present: Vec<u32> = particle_classes.to_vec();
        present.sort_unstable();
        present.dedup();
        let n = particle_classes.len();
        let mut classes = Vec::with_capacity(present.len());
        for &class in &present {
            let points: Vec<f32> = data
                .chunks_exact(2)
                .zip(labels)
                .filter(|(_, &l)| l == class)
                .flat_map(|(p, _)| [p[0], p[1]])
                .collect();
            if points.is_empty() {
                return Err(format!("class {class} has no data points"));
            }
            let mask: Vec<f32> = particle_classes
                .iter()
                .map(|&k| if k == class { 1.0 } else { 0.0 })
                .collect();
            classes.push((
                ExactField::new(path, &points, device),
                Tensor::from_data(TensorData::new(mask, [n, 1]), device),
            ));
        }
        Ok(Self {
            unconditional: ExactField::new(path, data, device),
            classes,
            scale,
        })
    }

    /// The exact conditional field `v(x, t, c)`, each particle under its own class.
    pub fn conditional(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        let mut total: Option<Tensor<2>> = None;
        for (field, mask) in &self.classes {
            let v = field.velocity(x.clone(), t) * mask.clone();
            total = Some(match total {
                Some(sum) => sum + v,
                None => v,
            });
        }
        total.unwrap_or_else(|| x.zeros_like())
    }
}

impl VelocityField for ExactGuidedField {
    fn velocity(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        if self.scale == 0.0 {
            return self.unconditional.velocity(x, t);
        }
        let conditional = self.conditional(x.clone(), t);
        if self.scale == 1.0 {
            return conditional;
        }
        let unconditional = self.unconditional.velocity(x, t);
        unconditional.clone() + (conditional - unconditional).mul_scalar(self.scale as f32)
    }
}
