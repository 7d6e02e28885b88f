//! Two-dimensional toy distributions, sampled in seedable batches on the host.
//!
//! Every sampler returns a flat `Vec<f32>` of shape `[n, 2]` (row-major: `x₀, y₀, x₁, y₁, …`).
//! Shapes and scales follow torchcfm / FFJORD so numbers compare with the literature; the figures
//! live in roughly `[-5, 5]²`. Any distribution can serve as the data (t = 1) or as the source
//! (t = 0).
//!
//! Datasets with natural classes also label their points ([`Dataset::classes`],
//! [`Dataset::sample_labelled`]): the mode of 8gaussians and 25gaussians, the moon, the circle
//! or ring, the spiral or pinwheel arm, the checkerboard square. A labelled draw uses the same
//! random numbers as an unlabelled one, so a seed gives the same points either way. User point
//! clouds may carry a label column.
//!
//! Each dataset's Gaussian noise is its **spread**, a standard deviation in data units. The
//! literature's noise ([`Dataset::literature_spread`]: moons 0.6, i.e. scikit-learn's 0.2 × 3)
//! blurs some shapes into one cloud at a glance, so the default ([`Dataset::default_spread`]) is
//! chosen for legibility; the literature value is one `spread` away:
//!
//! | dataset | default | literature |
//! |---|---|---|
//! | gaussian | 1 | 1 |
//! | 8gaussians | 0.4 | 0.5623 (covariance √0.1·I) |
//! | 25gaussians | 0.1 | 0.1 |
//! | moons | 0.15 | 0.6 |
//! | circles | 0.1 | 0.1 |
//! | checkerboard | 0 | 0 |
//! | spirals | 0.1 | 0.1 |
//! | swissroll | 0.1 | 0.2 |
//! | pinwheel | 0.12 | 0.2 (tangential; radial is the arm's length) |
//! | rings | 0.08 | 0.08 |

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// A named toy distribution. Each variant's doc is its one-line definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dataset {
    /// Normal N(0, spread²·I), standard by default: the usual source.
    #[serde(rename = "gaussian")]
    Gaussian,
    /// Centres 5·(cos kπ/4, sin kπ/4), k = 0..8, each N(centre, spread²·I) (torchcfm: covariance √0.1·I).
    #[serde(rename = "8gaussians")]
    EightGaussians,
    /// Centres 2·(i, j), i, j ∈ {−2, …, 2}, each with standard deviation `spread`.
    #[serde(rename = "25gaussians")]
    TwentyFiveGaussians,
    /// scikit-learn two moons, then ×3 − 1, plus noise N(0, spread²) (torchcfm: sklearn noise 0.2).
    #[serde(rename = "moons")]
    Moons,
    /// Two concentric circles of radius 3 and 1.5 (equally likely), noise N(0, spread²·I).
    #[serde(rename = "circles")]
    Circles,
    /// Uniform on the 8 squares of side 2 in [−4, 4]² where ⌊x/2⌋ + ⌊y/2⌋ is even (blurred by
    /// N(0, spread²·I), 0 by default).
    #[serde(rename = "checkerboard")]
    Checkerboard,
    /// Two interleaved Archimedean spirals, radius up to 3π/3, noise N(0, spread²) (FFJORD 2spirals).
    #[serde(rename = "spirals")]
    Spirals,
    /// Swiss roll (t cos t, t sin t)/5, t ~ U[1.5π, 4.5π], noise N(0, spread²) (FFJORD: 0.2).
    #[serde(rename = "swissroll")]
    SwissRoll,
    /// Five arms: radius 1 + 0.3·z, tangent (spread/2)·z, rotated by 2πk/5 + 0.25·e^radius, then ×2
    /// (FFJORD: tangent 0.1·z).
    #[serde(rename = "pinwheel")]
    Pinwheel,
    /// Four concentric rings of radius 3, 2.25, 1.5, 0.75 (equally likely), noise N(0, spread²·I).
    #[serde(rename = "rings")]
    Rings,
}

impl Dataset {
    /// Every named dataset, in menu order.
    pub const ALL: [Dataset; 10] = [
        Dataset::Gaussian,
        Dataset::EightGaussians,
        Dataset::TwentyFiveGaussians,
        Dataset::Moons,
        Dataset::Circles,
        Dataset::Checkerboard,
        Dataset::Spirals,
        Dataset::SwissRoll,
        Dataset::Pinwheel,
        Dataset::Rings,
    ];

    /// The name used on the command line, in URLs and in saved configs.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Gaussian => "gaussian",
            Dataset::EightGaussians => "8gaussians",
            Dataset::TwentyFiveGaussians => "25gaussians",
            Dataset::Moons => "moons",
            Dataset::Circles => "circles",
            Dataset::Checkerboard => "checkerboard",
            Dataset::Spirals => "spirals",
            Dataset::SwissRoll => "swissroll",
            Dataset::Pinwheel => "pinwheel",
            Dataset::Rings => "rings",
        }
    }

    /// The largest spread accepted (a config or URL may carry any number).
    pub const MAX_SPREAD: f64 = 3.0;

    /// The noise standard deviation of the literature's definition (torchcfm / FFJORD).
    pub fn literature_spread(self) -> f64 {
        match self {
            Dataset::Gaussian => 1.0,
            Dataset::EightGaussians => 0.1f64.sqrt().sqrt(),
            Dataset::TwentyFiveGaussians | Dataset::Circles | Dataset::Spirals => 0.1,
            Dataset::Moons => 0.6,
            Dataset::Checkerboard => 0.0,
            Dataset::SwissRoll | Dataset::Pinwheel => 0.2,
            Dataset::Rings => 0.08,
        }
    }

    /// The default noise standard deviation, chosen so the shape is unmistakable at a glance.
    pub fn default_spread(self) -> f64 {
        match self {
            Dataset::EightGaussians => 0.4,
            Dataset::Moons => 0.15,
            Dataset::SwissRoll => 0.1,
            Dataset::Pinwheel => 0.12,
            other => other.literature_spread(),
        }
    }

    /// Checks a spread: finite and in `[0, MAX_SPREAD]`.
    pub fn validate_spread(spread: f64) -> Result<(), String> {
        if spread.is_finite() && (0.0..=Self::MAX_SPREAD).contains(&spread) {
            Ok(())
        } else {
            Err(format!(
                "spread must be a number in 0..={}, got {spread}",
                Self::MAX_SPREAD
            ))
        }
    }

    /// The number of natural classes, or `None` for the unlabelled gaussian and swissroll.
    ///
    /// Labels: 8gaussians `k` for the centre at angle kπ/4; 25gaussians `5·(i + 2) + (j + 2)` for
    /// the centre 2·(i, j); moons 0 for the upper arc, 1 for the lower; circles and rings the
    /// index of the radius in the order listed (outermost first); spirals 0 and 1; pinwheel the
    /// arm `k` (rotated by 2πk/5); checkerboard `2·column + b` for the filled square in column
    /// `⌊(x + 4)/2⌋` and row `2b + column mod 2`.
    pub fn classes(self) -> Option<usize> {
        match self {
            Dataset::Gaussian | Dataset::SwissRoll => None,
            Dataset::EightGaussians => Some(8),
            Dataset::TwentyFiveGaussians => Some(25),
            Dataset::Moons | Dataset::Circles | Dataset::Spirals => Some(2),
            Dataset::Checkerboard => Some(8),
            Dataset::Pinwheel => Some(5),
            Dataset::Rings => Some(4),
        }
    }

    /// `n` samples at the default spread, shape `[n, 2]`.
    pub fn sample(self, n: usize, rng: &mut Rng) -> Vec<f32> {
        self.sample_spread(n, self.default_spread(), rng)
    }

    /// `n` samples with noise standard deviation `spread`, shape `[n, 2]`.
    pub fn sample_spread(self, n: usize, spread: f64, rng: &mut Rng) -> Vec<f32> {
        self.sample_labelled(n, spread, rng).0
    }

    /// `n` samples with noise standard deviation `spread` and their labels: points `[n, 2]`,
    /// labels `[n]` (all 0 for a dataset without classes). The points are those
    /// [`sample_spread`](Self::sample_spread) draws from the same `rng`.
    pub fn sample_labelled(self, n: usize, spread: f64, rng: &mut Rng) -> (Vec<f32>, Vec<u32>) {
        let mut out = Vec::with_capacity(2 * n);
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let ([x, y], label) = self.sample_one(spread, rng);
            out.push(x as f32);
            out.push(y as f32);
            labels.push(label);
        }
        (out, labels)
    }

    /// One point and its label.
    fn sample_one(self, s: f64, rng: &mut Rng) -> ([f64; 2], u32) {
        use std::f64::consts::{FRAC_PI_4, PI, TAU};
        match self {
            Dataset::Gaussian => ([s * rng.normal(), s * rng.normal()], 0),
            Dataset::EightGaussians => {
                let k = rng.below(8);
                let angle = k as f64 * FRAC_PI_4;
                (
                    [
                        5.0 * angle.cos() + s * rng.normal(),
                        5.0 * angle.sin() + s * rng.normal(),
                    ],
                    k as u32,
                )
            }
            Dataset::TwentyFiveGaussians => {
                let (i, j) = (rng.below(5), rng.below(5));
                let (x, y) = (i as f64 - 2.0, j as f64 - 2.0);
                (
                    [2.0 * x + s * rng.normal(), 2.0 * y + s * rng.normal()],
                    (5 * i + j) as u32,
                )
            }
            Dataset::Moons => {
                let theta = PI * rng.uniform();
                let moon = rng.below(2);
                let (x, y) = if moon == 0 {
                    (theta.cos(), theta.sin())
                } else {
                    (1.0 - theta.cos(), 0.5 - theta.sin())
                };
                (
                    [
                        3.0 * x - 1.0 + s * rng.normal(),
                        3.0 * y - 1.0 + s * rng.normal(),
                    ],
                    moon as u32,
                )
            }
            Dataset::Circles => ring(rng, &[3.0, 1.5], s),
            Dataset::Rings => ring(rng, &[3.0, 2.25, 1.5, 0.75], s),
            Dataset::Checkerboard => {
                let x = rng.uniform_range(-4.0, 4.0);
                let column = ((x + 4.0) / 2.0).floor() as usize;
                // Rows of the same parity as the column are the filled squares.
                let b = rng.below(2);
                let row = 2 * b + column % 2;
                let y = -4.0 + 2.0 * row as f64 + 2.0 * rng.uniform();
                (
                    [x + s * rng.normal(), y + s * rng.normal()],
                    (2 * column + b) as u32,
                )
            }
            Dataset::Spirals => {
                let n = rng.uniform().sqrt() * 3.0 * PI;
                let arm = rng.below(2);
                let sign = if arm == 0 { 1.0 } else { -1.0 };
                let x = sign * (-n.cos() * n + 0.5 * rng.uniform());
                let y = sign * (n.sin() * n + 0.5 * rng.uniform());
                (
                    [x / 3.0 + s * rng.normal(), y / 3.0 + s * rng.normal()],
                    arm as u32,
                )
            }
            Dataset::SwissRoll => {
                let t = 1.5 * PI * (1.0 + 2.0 * rng.uniform());
                (
                    [
                        (t * t.cos()) / 5.0 + s * rng.normal(),
                        (t * t.sin()) / 5.0 + s * rng.normal(),
                    ],
                    0,
                )
            }
            Dataset::Pinwheel => {
                let k = rng.below(5);
                let arm = k as f64 * TAU / 5.0;
                let radial = 1.0 + 0.3 * rng.normal();
                // ×2 below: a tangential std of s/2 here is s in data units.
                let tangential = 0.5 * s * rng.normal();
                let angle = arm + 0.25 * radial.exp();
                let (sn, c) = angle.sin_cos();
                (
                    [
                        2.0 * (c * radial - sn * tangential),
                        2.0 * (sn * radial + c * tangential),
                    ],
                    k as u32,
                )
            }
        }
    }
}

/// A point at a uniformly chosen radius of `radii`, uniform angle, radial noise of `std`; its
/// label is the radius's index.
fn ring(rng: &mut Rng, radii: &[f64], std: f64) -> ([f64; 2], u32) {
    let k = rng.below(radii.len());
    let r = radii[k];
    let (s, c) = (std::f64::consts::TAU * rng.uniform()).sin_cos();
    (
        [r * c + std * rng.normal(), r * s + std * rng.normal()],
        k as u32,
    )
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dataset {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dataset::ALL
            .into_iter()
            .find(|d| d.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Dataset::ALL.iter().map(|d| d.name()).collect();
                format!(
                    "unknown dataset '{s}' (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// A distribution to sample from: a named dataset at some spread, or a user's point cloud.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// One of the named toys, with its noise standard deviation.
    Named {
        /// Which toy.
        dataset: Dataset,
        /// Its noise standard deviation (see [`Dataset::default_spread`]).
        spread: f64,
    },
    /// The empirical distribution of user points (drawn or uploaded), sampled with replacement.
    Points(PointCloud),
}

impl Distribution {
    /// A named dataset at its default spread.
    pub fn named(dataset: Dataset) -> Self {
        Distribution::Named {
            dataset,
            spread: dataset.default_spread(),
        }
    }

    /// A named dataset at `spread` (validated).
    pub fn with_spread(dataset: Dataset, spread: f64) -> Result<Self, String> {
        Dataset::validate_spread(spread)?;
        Ok(Distribution::Named { dataset, spread })
    }

    /// `n` samples, shape `[n, 2]`.
    pub fn sample(&self, n: usize, rng: &mut Rng) -> Vec<f32> {
        match self {
            Distribution::Named { dataset, spread } => dataset.sample_spread(n, *spread, rng),
            Distribution::Points(cloud) => cloud.sample(n, rng),
        }
    }

    /// `n` samples and their labels (see [`Dataset::sample_labelled`]; a cloud without labels
    /// labels every point 0).
    pub fn sample_labelled(&self, n: usize, rng: &mut Rng) -> (Vec<f32>, Vec<u32>) {
        match self {
            Distribution::Named { dataset, spread } => dataset.sample_labelled(n, *spread, rng),
            Distribution::Points(cloud) => cloud.sample_labelled(n, rng),
        }
    }

    /// The number of classes, or `None` when the points carry no labels.
    pub fn classes(&self) -> Option<usize> {
        match self {
            Distribution::Named { dataset, .. } => dataset.classes(),
            Distribution::Points(cloud) => cloud.classes(),
        }
    }

    /// A short label: the dataset name (with `:spread` when it is not the default), or
    /// `points(N)`. Named labels parse back with [`Distribution::from_label`].
    pub fn label(&self) -> String {
        match self {
            Distribution::Named { dataset, spread } if *spread == dataset.default_spread() => {
                dataset.name().to_string()
            }
            Distribution::Named { dataset, spread } => format!("{}:{spread}", dataset.name()),
            Distribution::Points(cloud) => format!("points({})", cloud.len()),
        }
    }

    /// Parses a named label, `moons` or `moons:0.3` (a point-cloud label has no points to parse).
    pub fn from_label(label: &str) -> Result<Self, String> {
        match label.split_once(':') {
            None => Ok(Distribution::named(label.parse()?)),
            Some((name, spread)) => {
                let dataset: Dataset = name.parse()?;
                let spread: f64 = spread
                    .parse()
                    .map_err(|_| format!("spread '{spread}' is not a number"))?;
                Distribution::with_spread(dataset, spread)
            }
        }
    }
}

impl From<Dataset> for Distribution {
    /// The dataset at its default spread.
    fn from(d: Dataset) -> Self {
        Distribution::named(d)
    }
}

/// A validated, non-empty cloud of finite 2-D points, stored flat with shape `[n, 2]`, with an
/// optional class label per point.
#[derive(Clone, Debug, PartialEq)]
pub struct PointCloud {
    xy: Vec<f32>,
    labels: Option<Vec<u32>>,
}

/// The most classes a labelled cloud may have (labels `0..MAX_CLOUD_CLASSES`).
pub const MAX_CLOUD_CLASSES: u32 = 256;

/// The most points a user cloud may hold (keeps the exact field and metrics interactive).
pub const MAX_CLOUD_POINTS: usize = 100_000;

impl PointCloud {
    /// Validates a flat `[n, 2]` buffer: even length, 1 ≤ n ≤ [`MAX_CLOUD_POINTS`], all finite.
    pub fn new(xy: Vec<f32>) -> Result<Self, String> {
        if !xy.len().is_multiple_of(2) {
            return Err(format!(
                "a point cloud needs x,y pairs, got {} numbers",
                xy.len()
            ));
        }
        let n = xy.len() / 2;
        if n == 0 {
            return Err("a point cloud needs at least one point".into());
        }
        if n > MAX_CLOUD_POINTS {
            return Err(format!(
                "a point cloud may hold at most {MAX_CLOUD_POINTS} points, got {n}"
            ));
        }
        if let Some(i) = xy.iter().position(|v| !v.is_finite()) {
            return Err(format!("point {} has a non-finite coordinate", i / 2));
        }
        Ok(Self { xy, labels: None })
    }

    /// Validates a flat `[n, 2]` buffer (as [`new`](Self::new)) with one label `< 256` per point.
    pub fn with_labels(xy: Vec<f32>, labels: Vec<u32>) -> Result<Self, String> {
        let mut cloud = Self::new(xy)?;
        if labels.len() != cloud.len() {
            return Err(format!(
                "a labelled cloud needs one label per point, got {} labels for {} points",
                labels.len(),
                cloud.len()
            ));
        }
        if let Some(i) = labels.iter().position(|&l| l >= MAX_CLOUD_CLASSES) {
            return Err(format!(
                "point {i} has label {}, labels must be below {MAX_CLOUD_CLASSES}",
                labels[i]
            ));
        }
        cloud.labels = Some(labels);
        Ok(cloud)
    }

    /// Parses `x,y` or `x,y,label` lines (every line alike; an optional header such as `x,y` or
    /// `x,y,label`, blank lines and `#` comments skipped). Labels are integers `0..256`.
    pub fn from_csv(text: &str) -> Result<Self, String> {
        let mut xy = Vec::new();
        let mut labels = Vec::new();
        let mut columns = None;
        for (lineno, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            if columns.is_none()
                && matches!(fields.len(), 2 | 3)
                && fields[..2].iter().any(|f| f.parse::<f32>().is_err())
            {
                // A header line such as `x,y` or `x,y,label` before the first point.
                columns = Some(fields.len());
                continue;
            }
            let expected = *columns.get_or_insert(fields.len());
            if fields.len() != expected || !matches!(expected, 2 | 3) {
                let what = if expected == 3 {
                    "'x,y,label'"
                } else {
                    "two numbers 'x,y' (or 'x,y,label' on every line)"
                };
                return Err(format!(
                    "line {}: expected {what}, got '{line}'",
                    lineno + 1
                ));
            }
            for f in &fields[..2] {
                let v = f
                    .parse::<f32>()
                    .map_err(|_| format!("line {}: '{f}' is not a number", lineno + 1))?;
                xy.push(v);
            }
            if expected == 3 {
                let label = fields[2].parse::<u32>().map_err(|_| {
                    format!(
                        "line {}: label '{}' is not a whole number 0..{MAX_CLOUD_CLASSES}",
                        lineno + 1,
                        fields[2]
                    )
                })?;
                labels.push(label);
            }
        }
        if columns == Some(3) {
            Self::with_labels(xy, labels)
        } else {
            Self::new(xy)
        }
    }

    /// The labels `[n]`, when the cloud has them.
    pub fn labels(&self) -> Option<&[u32]> {
        self.labels.as_deref()
    }

    /// `max label + 1` for a labelled cloud, `None` otherwise.
    pub fn classes(&self) -> Option<usize> {
        self.labels
            .as_ref()
            .map(|l| l.iter().copied().max().unwrap_or(0) as usize + 1)
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.xy.len() / 2
    }

    /// Always false: a cloud holds at least one point.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The points, shape `[n, 2]`.
    pub fn as_slice(&self) -> &[f32] {
        &self.xy
    }

    /// `n` points drawn uniformly with replacement, shape `[n, 2]`.
    pub fn sample(&self, n: usize, rng: &mut Rng) -> Vec<f32> {
        self.sample_labelled(n, rng).0
    }

    /// `n` points drawn uniformly with replacement and their labels (0 without labels).
    pub fn sample_labelled(&self, n: usize, rng: &mut Rng) -> (Vec<f32>, Vec<u32>) {
        let m = self.len();
        let mut out = Vec::with_capacity(2 * n);
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let i = rng.below(m);
            out.extend_from_slice(&self.xy[2 * i..2 * i + 2]);
            labels.push(self.labels.as_ref().map_or(0, |l| l[i]));
        }
        (out, labels)
    }
}
