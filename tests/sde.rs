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
use flow_playground::solver::{SolveOptions, Solver, VelocityField};
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

#[test]
fn sde_with_the_exact_field_samples_the_closed_form_marginals() {
    let device = Device::flex();
    let data = Dataset::EightGaussians.sample(40, &mut Rng::new(2));
    let n = 1000;
    for path in [Path::Linear, Path::Cosine] {
        let field = ExactField::new(path, &data, &device);
        for t in [0.5, 1.0] {
            let mut rng = Rng::new(31);
            let reference = marginal_points(&data, path, t, n, &mut rng);
            let second = marginal_points(&data, path, t, n, &mut rng);
            let floor = wasserstein2(&second, &reference).unwrap();
            let x0 = to_tensor(&Dataset::Gaussian.sample(n, &mut rng), &device);
            let mut options = SolveOptions::forward(200);
            options.t1 = t;
            let sde = to_host(sample_sde(&field, x0.clone(), &options, 1.0, 5).unwrap().x);
            let broken = to_host(sample_sde(&NoScore(&field), x0, &options, 1.0, 5).unwrap().x);
            let w2 = wasserstein2(&sde, &reference).unwrap();
            let w2_broken = wasserstein2(&broken, &reference).unwrap();
            println!(
                "{path} t={t}: W2(SDE, p_t) {w2:.4}, floor {floor:.4}, without the score \
                 {w2_broken:.4}"
            );
            // Euler–Maruyama with 200 steps: within 15% of the two-sample floor; the same SDE
            // without its score term is well outside it.
            assert!(w2 < 1.15 * floor, "{path} t={t}: W2 {w2} vs floor {floor}");
            assert!(
                w2_broken > 1.5 * floor,
                "{path} t={t}: the score-free SDE is too close ({w2_broken} vs {floor})"
            );
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
    let ode = flow_playground::solver::integrate(
        &field,
        Solver::Euler,
        to_tensor(&x0, &device),
        &options,
    );
    let sde0 = sample_sde(&field, to_tensor(&x0, &device), &options, 0.0, 9).unwrap();
    assert_eq!(to_host(ode.x), to_host(sde0.x));
    let a = to_host(sample_sde(&field, to_tensor(&x0, &device), &options, 0.8, 9).unwrap().x);
    let b = to_host(sample_sde(&field, to_tensor(&x0, &device), &options, 0.8, 9).unwrap().x);
    let c = to_host(sample_sde(&field, to_tensor(&x0, &device), &options, 0.8, 10).unwrap().x);
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
    let n = 1000;
    let mut rng = Rng::new(8);
    let data = Dataset::Moons.sample(n, &mut rng);
    let reference = Dataset::Moons.sample(n, &mut rng);
    let floor = wasserstein2(&reference, &data).unwrap();
    let ode = to_host(
        flow.sample(&source, n, Solver::Rk4, &SolveOptions::forward(25), &mut rng, &device)
            .x,
    );
    let score = LearnedScore::new(&flow, &GaussianMixture::standard_normal()).unwrap();
    let x0 = to_tensor(&source.sample(n, &mut rng), &device);
    let sde = to_host(sample_sde(&score, x0, &SolveOptions::forward(100), 1.0, 3).unwrap().x);
    let w2_ode = wasserstein2(&ode, &data).unwrap();
    let w2_sde = wasserstein2(&sde, &data).unwrap();
    println!(
        "moons W2: ODE {w2_ode:.4} ({:.4} above the floor), SDE γ=1 {w2_sde:.4} ({:.4}), \
         floor {floor:.4}",
        w2_above_floor(w2_ode, floor),
        w2_above_floor(w2_sde, floor)
    );
    // Margin 0.03 (≈ 10% of the floor): the two samplers see the same marginals, the SDE
    // adds Euler–Maruyama error.
    assert!(w2_sde < w2_ode + 0.03, "SDE {w2_sde} vs ODE {w2_ode}");
}
