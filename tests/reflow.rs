//! Reflow: training on a flow's own pairs (x₀, ODE(x₀)) straightens its trajectories, so one
//! Euler step lands closer to the data.

use burn::tensor::Device;
use flow_playground::data::Dataset;
use flow_playground::flow::{to_host, to_tensor, Flow};
use flow_playground::metrics::wasserstein2;
use flow_playground::model::VelocityMlpConfig;
use flow_playground::reflow::generate_pairs;
use flow_playground::rng::Rng;
use flow_playground::solver::{integrate, SolveOptions, Solver};
use flow_playground::straightness::straightness;
use flow_playground::train::{TrainConfig, Trainer};

fn run(trainer: &mut Trainer, steps: usize) {
    for _ in 0..steps {
        trainer.step();
    }
}

/// (straightness on rk4 10-step trajectories, W₂ of one Euler step) on fixed draws.
fn scores(flow: &Flow) -> (f64, f64) {
    let device = Device::flex();
    let mut rng = Rng::new(77);
    let x0 = Dataset::Gaussian.sample(1000, &mut rng);
    let data = Dataset::Moons.sample(1000, &mut rng);
    let solution = integrate(
        flow,
        Solver::Rk4,
        to_tensor(&x0, &device),
        &SolveOptions::forward(10).recording(),
    );
    let s = straightness(flow, &solution).into_scalar::<f32>() as f64;
    let one = to_host(
        integrate(
            flow,
            Solver::Euler,
            to_tensor(&x0, &device),
            &SolveOptions::forward(1),
        )
        .x,
    );
    (s, wasserstein2(&one, &data).unwrap())
}

#[test]
fn one_reflow_lowers_straightness_and_one_step_euler_w2() {
    let device = Device::flex();
    let steps = 2500;
    let config = TrainConfig::new(VelocityMlpConfig::new())
        .with_learning_rate(2e-3)
        .with_decay_steps(Some(steps))
        .with_seed(0);
    let mut trainer = Trainer::new(
        config.clone(),
        Dataset::Gaussian.into(),
        Dataset::Moons.into(),
        &device,
    )
    .unwrap();
    run(&mut trainer, steps);
    let teacher = trainer.flow();

    let x0 = Dataset::Gaussian.sample(10_000, &mut Rng::new(3));
    let pairs = generate_pairs(&teacher, x0, None, Solver::Rk4, 10, &device).unwrap();
    assert_eq!(pairs.reflows, 1);
    let reflow_steps = 2000;
    let mut student = Trainer::on_pairs(
        config
            .with_learning_rate(1e-3)
            .with_decay_steps(Some(reflow_steps))
            .with_seed(1),
        Dataset::Gaussian.into(),
        Dataset::Moons.into(),
        pairs,
        teacher.model.clone(),
        &device,
    )
    .unwrap();
    run(&mut student, reflow_steps);
    let rectified = student.flow();
    assert_eq!(rectified.config.reflows, 1);

    let (s_before, w2_before) = scores(&teacher);
    let (s_after, w2_after) = scores(&rectified);
    println!(
        "straightness {s_before:.4} → {s_after:.4}; one Euler step W2 {w2_before:.4} → {w2_after:.4}"
    );
    assert!(
        s_after < 0.5 * s_before,
        "straightness {s_before} → {s_after}"
    );
    assert!(
        w2_after < 0.7 * w2_before,
        "1-step W2 {w2_before} → {w2_after}"
    );

    // Repeatable: the rectified flow's own pairs make a 2-rectified flow.
    let again = generate_pairs(
        &rectified,
        Dataset::Gaussian.sample(16, &mut Rng::new(4)),
        None,
        Solver::Euler,
        4,
        &device,
    )
    .unwrap();
    assert_eq!(again.reflows, 2);
}
