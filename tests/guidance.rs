//! Classifier-free guidance: the exact guided field as oracle, then a trained conditional model
//! against the same specification (class accuracy at w = 1, spread shrinking as w grows).

use std::f64::consts::{FRAC_PI_4, PI};

use burn::tensor::Device;
use flow_playground::data::{Dataset, Distribution};
use flow_playground::exact::ExactField;
use flow_playground::flow::{to_host, to_tensor, Flow};
use flow_playground::guidance::{ClassChoice, ExactGuidedField, GuidedFlow};
use flow_playground::model::{ClassConditioning, VelocityMlpConfig};
use flow_playground::path::Path;
use flow_playground::rng::Rng;
use flow_playground::solver::{integrate, SolveOptions, Solver, VelocityField};
use flow_playground::train::{TrainConfig, Trainer};

/// 8gaussians: the index of the nearest centre 5·(cos kπ/4, sin kπ/4).
fn nearest_mode(p: &[f32]) -> u32 {
    (((p[1] as f64).atan2(p[0] as f64) / FRAC_PI_4).round() as i64).rem_euclid(8) as u32
}

/// Moons: 0 when the upper arc is nearer, 1 for the lower (arcs as in `data.rs`).
fn nearer_moon(p: &[f32]) -> u32 {
    let distance = |upper: bool| {
        (0..=200)
            .map(|i| {
                let th = PI * i as f64 / 200.0;
                let (x, y) = if upper {
                    (th.cos(), th.sin())
                } else {
                    (1.0 - th.cos(), 0.5 - th.sin())
                };
                (p[0] as f64 - (3.0 * x - 1.0)).hypot(p[1] as f64 - (3.0 * y - 1.0))
            })
            .fold(f64::INFINITY, f64::min)
    };
    u32::from(distance(false) < distance(true))
}

fn accuracy(xy: &[f32], classes: &[u32], region: impl Fn(&[f32]) -> u32) -> f64 {
    xy.chunks_exact(2)
        .zip(classes)
        .filter(|(p, &c)| region(p) == c)
        .count() as f64
        / classes.len() as f64
}

/// The root mean squared distance of each sample from its class's sample mean.
fn within_class_spread(xy: &[f32], classes: &[u32]) -> f64 {
    let k = *classes.iter().max().unwrap() as usize + 1;
    let mut sum = vec![[0.0f64; 2]; k];
    let mut count = vec![0usize; k];
    for (p, &c) in xy.chunks_exact(2).zip(classes) {
        sum[c as usize][0] += p[0] as f64;
        sum[c as usize][1] += p[1] as f64;
        count[c as usize] += 1;
    }
    let mut sq = 0.0;
    for (p, &c) in xy.chunks_exact(2).zip(classes) {
        let m = count[c as usize] as f64;
        let (mx, my) = (sum[c as usize][0] / m, sum[c as usize][1] / m);
        sq += (p[0] as f64 - mx).powi(2) + (p[1] as f64 - my).powi(2);
    }
    (sq / classes.len() as f64).sqrt()
}

#[test]
fn exact_conditional_field_of_one_point_is_its_conditional_field() {
    // A class with one point d: v(x, t, c) = (d − x)/(1 − t) on the linear path, whatever the
    // other classes hold; guidance mixes it with the all-points field linearly.
    let device = Device::flex();
    let data = [1.5f32, -0.5, -2.0, 1.0, -1.0, 2.0];
    let labels = [0u32, 1, 1];
    let x = [0.2f32, 0.3, -1.0, 2.0];
    let classes = [0u32, 0];
    let all = ExactField::new(Path::Linear, &data, &device);
    for w in [0.0, 1.0, 3.0] {
        let field =
            ExactGuidedField::new(Path::Linear, &data, &labels, &classes, w, &device).unwrap();
        for &t in &[0.0, 0.4, 0.8] {
            let v = to_host(field.velocity(to_tensor(&x, &device), t));
            let u = to_host(all.velocity(to_tensor(&x, &device), t));
            for i in 0..4 {
                let conditional = (data[i % 2] - x[i]) / (1.0 - t as f32);
                let expected = u[i] + w as f32 * (conditional - u[i]);
                assert!((v[i] - expected).abs() < 1e-4, "w={w} t={t}: {v:?}");
            }
        }
    }
    assert!(ExactGuidedField::new(Path::Linear, &data, &labels, &[2], 1.0, &device).is_err());
}

#[test]
fn exact_guidance_at_w1_puts_eight_gaussians_particles_in_their_mode() {
    let device = Device::flex();
    let mut rng = Rng::new(1);
    let (data, labels) = Distribution::from(Dataset::EightGaussians).sample_labelled(800, &mut rng);
    let n = 400;
    let classes = ClassChoice::All.draw(&Dataset::EightGaussians.into(), n, &mut rng);
    let x0 = Dataset::Gaussian.sample(n, &mut rng);
    let mut options = SolveOptions::forward(0);
    options.t1 = 0.999; // the exact field is singular at t = 1
    let run = |w: f64| {
        let field =
            ExactGuidedField::new(Path::Linear, &data, &labels, &classes, w, &device).unwrap();
        let x = to_host(integrate(&field, Solver::dopri5(), to_tensor(&x0, &device), &options).x);
        accuracy(&x, &classes, nearest_mode)
    };
    let (unguided, conditional) = (run(0.0), run(1.0));
    println!("exact field, 8gaussians: class accuracy w=0 {unguided:.3}, w=1 {conditional:.3}");
    assert!(conditional >= 0.99, "w = 1: {conditional}");
    // Unguided particles ignore their class: about 1/8 land in it by chance.
    assert!(unguided < 0.25, "w = 0: {unguided}");
}

fn train_conditional(dataset: Dataset, steps: usize, seed: u64) -> Flow {
    let device = Device::flex();
    let classes = dataset.classes().unwrap();
    let config = TrainConfig::new(
        VelocityMlpConfig::new().with_conditioning(Some(ClassConditioning::new(classes))),
    )
    .with_learning_rate(2e-3)
    .with_decay_steps(Some(steps))
    .with_seed(seed);
    let mut trainer =
        Trainer::new(config, Dataset::Gaussian.into(), dataset.into(), &device).unwrap();
    for _ in 0..steps {
        trainer.step();
    }
    trainer.flow()
}

/// Guided samples for classes drawn like the data's, at each scale of `scales`.
fn guided_samples(
    flow: &Flow,
    dataset: Dataset,
    n: usize,
    scales: &[f64],
) -> (Vec<u32>, Vec<Vec<f32>>) {
    let device = Device::flex();
    let mut rng = Rng::new(5);
    let classes = ClassChoice::All.draw(&dataset.into(), n, &mut rng);
    let x0 = Dataset::Gaussian.sample(n, &mut rng);
    let samples = scales
        .iter()
        .map(|&w| {
            let field = GuidedFlow::new(flow, &classes, w, &device).unwrap();
            to_host(
                integrate(
                    &field,
                    Solver::Rk4,
                    to_tensor(&x0, &device),
                    &SolveOptions::forward(10),
                )
                .x,
            )
        })
        .collect();
    (classes, samples)
}

#[test]
fn trained_conditional_model_follows_its_class_and_guidance_sharpens_it() {
    // Measured (seed 0, 2500 steps, 1000 particles): class accuracy 0.12 at w = 0 and 1.000 at
    // w = 1, 2, 4; within-class spread 0.54 (the data's 0.4·√2 = 0.57), 0.16, 0.04.
    let flow = train_conditional(Dataset::EightGaussians, 2500, 0);
    let scales = [0.0, 1.0, 2.0, 4.0];
    let (classes, samples) = guided_samples(&flow, Dataset::EightGaussians, 1000, &scales);
    let mut spreads = Vec::new();
    for (w, x) in scales.iter().zip(&samples) {
        let acc = accuracy(x, &classes, nearest_mode);
        let spread = within_class_spread(x, &classes);
        println!("8gaussians w = {w}: class accuracy {acc:.3}, within-class spread {spread:.3}");
        spreads.push(spread);
        if *w >= 1.0 {
            assert!(acc >= 0.95, "w = {w}: accuracy {acc}");
        } else {
            assert!(acc < 0.3, "w = 0 ignores the class: {acc}");
        }
    }
    // Over-guidance concentrates each class: the spread falls over w = 1, 2, 4.
    assert!(
        spreads[2] < spreads[1] && spreads[3] < spreads[2],
        "{spreads:?}"
    );
}

#[test]
fn trained_conditional_moons_put_each_class_on_its_moon() {
    let flow = train_conditional(Dataset::Moons, 6000, 0);
    let scales = [1.0, 2.0, 4.0];
    let (classes, samples) = guided_samples(&flow, Dataset::Moons, 1000, &scales);
    // The data's own labels agree with the nearer arc only as often as the noise allows.
    let (data, labels) = Distribution::from(Dataset::Moons).sample_labelled(4000, &mut Rng::new(9));
    let ceiling = accuracy(&data, &labels, nearer_moon);
    println!(
        "moons data: within-class spread {:.3}",
        within_class_spread(&data, &labels)
    );
    let mut spreads = Vec::new();
    for (w, x) in scales.iter().zip(&samples) {
        let acc = accuracy(x, &classes, nearer_moon);
        let spread = within_class_spread(x, &classes);
        println!("moons w = {w}: class accuracy {acc:.3} (data {ceiling:.3}), within-class spread {spread:.3}");
        // At w = 1 the samples may cross to the other arc where the data's noise would (measured
        // 0.998 against the data's 1.000 at the default spread, 0.939 against 0.967 at the
        // literature's); over-guided, they stay on their own arc.
        let bound = if *w == 1.0 { ceiling - 0.05 } else { ceiling };
        assert!(acc >= bound, "w = {w}: accuracy {acc} vs data {ceiling}");
        spreads.push(spread);
    }
    assert!(
        spreads[1] < spreads[0] && spreads[2] < spreads[1],
        "{spreads:?}"
    );
}
