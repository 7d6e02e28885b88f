//! The SDE sampler keeps the flow's marginals: with the exact field its samples at t = ½ and
//! t = 1 are as close to the closed-form p_t as a second sample of p_t is (the two-sample W₂
//! floor), while dropping the score correction visibly is not; a trained moons model samples as
//! well with noise as without.

use burn::tensor::{Device, Tensor};
use flow_playground::data::{Dataset, Distribution};
use flow_playground::exact::ExactField;
use flow_playground::flow::{to_host, to_tensor, Flow};
use flow_playground::metrics::{w2_above_floor, wasserstein2};
use flow_playground::mixture::GaussianMixture;
use flow_playground::model::VelocityMlpConfig;
use flow_playground::path::Path;
use flow_playground::rng::Rng;
use flow_playground::score::{LearnedScore, ScoreField};
use flow_playground::sde::sample_sde;
use flow_playground::solver::{integrate, SolveOptions, Solver, VelocityField};
use flow_playground::train::{TrainConfig, Trainer};

/// Points of the closed-form p_t of the exact field from N(0, I): `α·d_i + σ·z`.
fn marginal_points(data: &[f32], path: Path, t: f64, n: usize, rng: &mut Rng) -> Vec<f32> {
    let c = path.coefficients(t);
    let mut out = Vec::with_capacity(2 * n);
    for _ in 0..n {
        let i = rng.below(data.len() / 2);
        for d in 0..2 {
            out.push((c.alpha * data[2 * i + d] as f64 + c.sigma * rng.normal()) as f32);
        }
    }
    out
}

/// The exact field with the score correction dropped: dX = v dt + g dW spreads the marginals.
struct NoScore<'a>(&'a ExactField);

impl VelocityField for NoScore<'_> {
    fn velocity(&self, x: Tensor<2>, t: f64) -> Tensor<2> {
        self.0.velocity(x, t)
    }
}

impl ScoreField for NoScore<'_> {
    fn path(&self) -> &Path {
        self.0.path()
    }
    fn velocity_scaled_score(&self, x: Tensor<2>, t: f64) -> (Tensor<2>, Tensor<2>) {
        let v = self.0.velocity(x, t);
        let zero = v.zeros_like();
        (v, zero)
    }
}

/// Pearson's χ² of the counts of `x`'s points on the atoms `data` (uniform weights); panics if
/// a point is not within 0.05 of an atom.
fn atom_chi_square(x: &[f32], data: &[f32]) -> f64 {
    let m = data.len() / 2;
    let mut counts = vec![0usize; m];
    for p in x.chunks_exact(2) {
        let (i, d) = data
            .chunks_exact(2)
            .map(|d| ((p[0] - d[0]).powi(2) + (p[1] - d[1]).powi(2)).sqrt())
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        assert!(d < 0.05, "a sample ended {d} from the nearest data point");
        counts[i] += 1;
    }
    let expected = (x.len() / 2) as f64 / m as f64;
    counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum()
}

/// The mean of `−log p_t` over a cloud, by the closed form.
fn cross_entropy(field: &ExactField, xy: &[f32], t: f64, device: &Device) -> f64 {
    let n = xy.len() / 2;
    let log_p: f32 = field
        .log_density(to_tensor(xy, device), t)
        .sum()
        .into_scalar();
    -(log_p as f64) / n as f64
}

#[test]
fn sde_with_the_exact_field_samples_the_closed_form_marginals() {
    let device = Device::flex();
    let data = Dataset::EightGaussians.sample(40, &mut Rng::new(2));
    let n = 1000;
    // W₂ between two 1000-point samples of one p_t moves by ≈ ±10% from draw to draw, so every
    // distance is the mean over three draws.
    let draws = 3;
    for path in [Path::Linear, Path::Cosine] {
        let field = ExactField::new(path, &data, &device);
        for t in [0.5, 1.0] {
            let mut rng = Rng::new(31);
            let reference = marginal_points(&data, path, t, n, &mut rng);
            let floor = (0..draws)
                .map(|_| wasserstein2(&marginal_points(&data, path, t, n, &mut rng), &reference))
                .map(Result::unwrap)
                .sum::<f64>()
                / draws as f64;
            // E[−log p_t] under p_t itself (the entropy of p_t), from 20 000 points.
            let entropy = cross_entropy(
                &field,
                &marginal_points(&data, path, t, 20_000, &mut rng),
                t,
                &device,
            );
            let mut options = SolveOptions::forward(200);
            options.t1 = t;
            let mut run = |field: &dyn Fn(Tensor<2>, u64) -> Tensor<2>| {
                let (mut w2, mut ce) = (0.0, 0.0);
                let mut clouds = Vec::new();
                for seed in 0..draws {
                    let x0 = to_tensor(&Dataset::Gaussian.sample(n, &mut rng), &device);
                    let x = to_host(field(x0, seed as u64));
                    w2 += wasserstein2(&x, &reference).unwrap() / draws as f64;
                    ce += cross_entropy(&ExactField::new(path, &data, &device), &x, t, &device)
                        / draws as f64;
                    clouds.push(x);
                }
                (w2, ce, clouds)
            };
            for noise in [1.0, 2.0] {
                let (w2, ce, clouds) =
                    run(&|x0, seed| sample_sde(&field, x0, &options, noise, seed).unwrap().x);
                println!(
                    "{path} t={t} γ={noise}: W2(SDE, p_t) {w2:.4}, floor {floor:.4}; \
                     E[−log p_t] {ce:.4} vs {entropy:.4}"
                );
                // Euler–Maruyama with 200 steps: within 15% of the distance between two
                // independent samples of p_t (the ODE stepped the same way is 6–10% above it).
                // At t = 1 p_t is 40 atoms and W₂ measures the multinomial noise of their
                // counts, which varies more between draws: 25%, with the χ² test below.
                let tolerance = if t < 1.0 { 1.15 } else { 1.25 };
                assert!(
                    w2 < tolerance * floor,
                    "{path} t={t} γ={noise}: W2 {w2} vs floor {floor}"
                );
                if t < 1.0 {
                    // The closed-form log-density of the samples is within 0.1 nats of its mean
                    // under p_t (standard error ≈ 0.03).
                    assert!(
                        (ce - entropy).abs() < 0.1,
                        "{path} t={t} γ={noise}: E[−log p_t] {ce} vs {entropy}"
                    );
                } else {
                    // p₁ is the 40 data points, equally likely: every sample sits on one, and
                    // the counts pass Pearson's χ² test (39 degrees of freedom: mean 39,
                    // standard deviation 8.8; 80 is exceeded with probability 1e-4).
                    for x in &clouds {
                        let chi2 = atom_chi_square(x, &data);
                        println!("  χ² {chi2:.1}");
                        assert!(chi2 < 80.0, "{path} γ={noise}: χ² {chi2}");
                    }
                }
            }
            if t < 1.0 {
                // The control: without the score term the same noise spreads the marginal.
                let (w2, ce, _) = run(&|x0, seed| {
                    sample_sde(&NoScore(&field), x0, &options, 2.0, seed)
                        .unwrap()
                        .x
                });
                println!("{path} t={t} without the score: W2 {w2:.4}, E[−log p_t] {ce:.4}");
                assert!(
                    w2 > 1.5 * floor,
                    "{path} t={t}: score-free W2 {w2} vs {floor}"
                );
                assert!(
                    ce - entropy > 0.3,
                    "{path} t={t}: score-free E[−log p_t] {ce}"
                );
            }
        }
    }
}

#[test]
fn zero_noise_is_the_euler_ode_and_a_seed_fixes_the_noise() {
    let device = Device::flex();
    let data = Dataset::Moons.sample(20, &mut Rng::new(1));
    let field = ExactField::new(Path::Linear, &data, &device);
    let x0 = Dataset::Gaussian.sample(50, &mut Rng::new(2));
    let options = SolveOptions::forward(30);
    let ode = integrate(&field, Solver::Euler, to_tensor(&x0, &device), &options);
    let sde0 = sample_sde(&field, to_tensor(&x0, &device), &options, 0.0, 9).unwrap();
    assert_eq!(to_host(ode.x), to_host(sde0.x));
    let a = to_host(
        sample_sde(&field, to_tensor(&x0, &device), &options, 0.8, 9)
            .unwrap()
            .x,
    );
    let b = to_host(
        sample_sde(&field, to_tensor(&x0, &device), &options, 0.8, 9)
            .unwrap()
            .x,
    );
    let c = to_host(
        sample_sde(&field, to_tensor(&x0, &device), &options, 0.8, 10)
            .unwrap()
            .x,
    );
    assert_eq!(a, b);
    assert_ne!(a, c);
    for bad in [-0.1, f64::NAN, 11.0] {
        assert!(sample_sde(&field, to_tensor(&x0, &device), &options, bad, 1).is_err());
    }
    assert!(sample_sde(
        &field,
        to_tensor(&x0, &device),
        &SolveOptions::backward(10),
        1.0,
        1
    )
    .is_err());
}

fn train_moons(steps: usize) -> Flow {
    let config = TrainConfig::new(VelocityMlpConfig::new())
        .with_learning_rate(2e-3)
        .with_decay_steps(Some(steps))
        .with_seed(1);
    let mut trainer = Trainer::new(
        config,
        Dataset::Gaussian.into(),
        Dataset::Moons.into(),
        &Device::flex(),
    )
    .unwrap();
    for _ in 0..steps {
        trainer.step();
    }
    trainer.flow()
}

#[test]
fn trained_moons_model_samples_as_well_with_noise_as_without() {
    let device = Device::flex();
    let flow = train_moons(4000);
    let source: Distribution = Dataset::Gaussian.into();
    let score = LearnedScore::new(&flow, &GaussianMixture::standard_normal()).unwrap();
    let n = 2000;
    // W₂ between n = 2000 points moves by ±0.04 from one draw to the next: average three.
    let (mut ode_sum, mut sde_sum, mut floor_sum) = (0.0, 0.0, 0.0);
    let draws = 3;
    for seed in 0..draws {
        let mut rng = Rng::new(100 + seed);
        let data = Dataset::Moons.sample(n, &mut rng);
        let reference = Dataset::Moons.sample(n, &mut rng);
        let x0 = source.sample(n, &mut rng);
        let ode = integrate(
            &flow,
            Solver::Rk4,
            to_tensor(&x0, &device),
            &SolveOptions::forward(25),
        );
        let sde = sample_sde(
            &score,
            to_tensor(&x0, &device),
            &SolveOptions::forward(100),
            1.0,
            seed,
        )
        .unwrap();
        let w2_ode = wasserstein2(&to_host(ode.x), &data).unwrap();
        let w2_sde = wasserstein2(&to_host(sde.x), &data).unwrap();
        let floor = wasserstein2(&reference, &data).unwrap();
        println!("draw {seed}: W2 ODE {w2_ode:.4}, SDE γ=1 {w2_sde:.4}, floor {floor:.4}");
        ode_sum += w2_ode;
        sde_sum += w2_sde;
        floor_sum += floor;
    }
    let (ode, sde, floor) = (
        ode_sum / draws as f64,
        sde_sum / draws as f64,
        floor_sum / draws as f64,
    );
    println!(
        "moons, n = {n}, mean of {draws}: W2 ODE (RK4, 100 NFE) {ode:.4} ({:.4} above the floor), \
         SDE (γ = 1, 100 Euler–Maruyama steps) {sde:.4} ({:.4}), floor {floor:.4}",
        w2_above_floor(ode, floor),
        w2_above_floor(sde, floor)
    );
    // Margin 0.04 (≈ 18% of the floor, 1.6 standard errors of the mean difference): the two
    // samplers share the marginals; the SDE adds Euler–Maruyama error.
    assert!(sde < ode + 0.04, "SDE {sde} vs ODE {ode}");
}
