//! Entropic OT: the plan's marginals, its cost between the exact-OT and independent extremes,
//! and the Sinkhorn coupling drawn from it.

use flow_playground::assignment;
use flow_playground::coupling::{sinkhorn_plan, Coupling};
use flow_playground::data::Dataset;
use flow_playground::rng::Rng;
use flow_playground::sinkhorn::{self, SinkhornOptions};

fn normalised_cost(x1: &[f32], x0: &[f32]) -> Vec<f64> {
    let cost = assignment::squared_distances(x1, x0);
    let mean = cost.iter().sum::<f64>() / cost.len() as f64;
    cost.into_iter().map(|c| c / mean).collect()
}

#[test]
fn plan_marginals_are_uniform() {
    let mut rng = Rng::new(1);
    let n = 128;
    let x1 = Dataset::Moons.sample(n, &mut rng);
    let x0 = Dataset::Gaussian.sample(n, &mut rng);
    for eps in [1.0, 0.1, 0.01] {
        let plan = sinkhorn_plan(&x1, &x0, eps);
        let total: f64 = plan.weights.iter().sum();
        assert!((total - 1.0).abs() < 1e-9, "ε={eps}: mass {total}");
        // The coupling stops at an L1 row error of 1e-3; the columns are exact after a sweep.
        let rows: f64 = plan
            .row_sums()
            .iter()
            .map(|r| (r - 1.0 / n as f64).abs())
            .sum();
        let cols: f64 = plan
            .column_sums()
            .iter()
            .map(|c| (c - 1.0 / n as f64).abs())
            .sum();
        println!(
            "ε={eps}: {} sweeps, row L1 error {rows:.2e}, column {cols:.2e}",
            plan.iterations
        );
        assert!(rows <= 1e-3 + 1e-12, "ε={eps}: rows {rows}");
        assert!(cols < 1e-9, "ε={eps}: columns {cols}");
        assert!(plan.weights.iter().all(|w| w.is_finite() && *w >= 0.0));
    }
}

#[test]
fn transport_cost_runs_from_exact_ot_to_independent_as_epsilon_grows() {
    let mut rng = Rng::new(2);
    let n = 100;
    let x1 = Dataset::EightGaussians.sample(n, &mut rng);
    let x0 = Dataset::Gaussian.sample(n, &mut rng);
    let cost = normalised_cost(&x1, &x0);
    // The extremes: the optimal assignment (mass 1/n per matched pair), and the independent
    // plan, whose cost is the mean of C — 1 after normalisation.
    let perm = assignment::solve(&cost, n);
    let exact: f64 = perm
        .iter()
        .enumerate()
        .map(|(i, &j)| cost[i * n + j])
        .sum::<f64>()
        / n as f64;
    let independent = 1.0;
    let options = SinkhornOptions::default();
    let epsilons = [100.0, 10.0, 1.0, 0.3, 0.1, 0.03, 0.01, 0.003];
    let costs: Vec<f64> = epsilons
        .iter()
        .map(|&e| sinkhorn::solve(&cost, n, n, e, options).transport_cost(&cost))
        .collect();
    println!("exact OT {exact:.4}, independent {independent}");
    for (e, c) in epsilons.iter().zip(&costs) {
        println!("ε = {e:<6} ⟨P, C⟩ = {c:.4}");
    }
    // ⟨P_ε, C⟩ is non-decreasing in ε (entropic OT theory) and bounded by the two extremes.
    for w in costs.windows(2) {
        assert!(w[1] <= w[0] + 1e-6, "{costs:?}");
    }
    for &c in &costs {
        assert!(c >= exact - 1e-6 && c <= independent + 1e-6, "{c}");
    }
    // Large ε: within 1% of the independent cost. Small ε: within 2% of exact OT (the gap
    // shrinks like ε·log n).
    assert!((costs[0] - independent).abs() < 0.01, "{}", costs[0]);
    let last = *costs.last().unwrap();
    assert!((last - exact) / exact < 0.02, "{last} vs {exact}");
}

#[test]
fn sinkhorn_coupling_draws_pairs_from_the_plan_and_parses() {
    let mut rng = Rng::new(3);
    let n = 256;
    let x1 = Dataset::Moons.sample(n, &mut rng);
    let original = Dataset::Gaussian.sample(n, &mut rng);
    let cost = |x0: &[f32]| -> f64 {
        x0.chunks_exact(2)
            .zip(x1.chunks_exact(2))
            .map(|(a, b)| ((a[0] - b[0]) as f64).powi(2) + ((a[1] - b[1]) as f64).powi(2))
            .sum::<f64>()
            / n as f64
    };
    let mut ot = original.clone();
    Coupling::ExactOt.pair(&mut ot, &x1, &mut rng);
    let (independent, exact) = (cost(&original), cost(&ot));
    let mut previous = f64::INFINITY;
    for eps in [10.0, 0.1, 0.01] {
        let mut x0 = original.clone();
        Coupling::Sinkhorn { epsilon: eps }.pair(&mut x0, &x1, &mut rng);
        // Every paired noise point is one of the batch's.
        for p in x0.chunks_exact(2) {
            assert!(original.chunks_exact(2).any(|q| q == p));
        }
        let c = cost(&x0);
        println!("ε={eps}: pair cost {c:.3} (independent {independent:.3}, OT {exact:.3})");
        // Drawn pairs cost what the plan says up to sampling noise: decreasing in ε overall.
        assert!(c < previous, "ε={eps}: {c} ≥ {previous}");
        previous = c;
    }
    assert!(
        previous < exact * 1.15,
        "ε = 0.01: {previous} vs OT {exact}"
    );

    assert_eq!(
        "sinkhorn".parse::<Coupling>().unwrap(),
        Coupling::Sinkhorn {
            epsilon: Coupling::DEFAULT_EPSILON
        }
    );
    assert_eq!(
        "sinkhorn:0.2".parse::<Coupling>().unwrap(),
        Coupling::Sinkhorn { epsilon: 0.2 }
    );
    assert_eq!(
        "sinkhorn:0.2".parse::<Coupling>().unwrap().to_string(),
        "sinkhorn:0.2"
    );
    for bad in [
        "sinkhorn:0",
        "sinkhorn:-1",
        "sinkhorn:x",
        "ot:1",
        "entropic",
    ] {
        assert!(bad.parse::<Coupling>().is_err(), "{bad}");
    }
    assert!(Coupling::Sinkhorn { epsilon: 0.1 }
        .validate_batch(4096)
        .is_err());
}

#[test]
fn entropic_pairs_straighten_the_flow_with_and_without_bridge_noise() {
    use burn::tensor::Device;
    use flow_playground::flow::to_host;
    use flow_playground::metrics::wasserstein2;
    use flow_playground::model::VelocityMlpConfig;
    use flow_playground::path::Path;
    use flow_playground::solver::{SolveOptions, Solver};
    use flow_playground::train::{TrainConfig, Trainer};
    // As minibatch OT does (tests/training.rs), Sinkhorn pairs straighten 8gaussians → moons
    // enough for one Euler step; the Schrödinger bridge (the same pairs with Brownian-bridge
    // noise σ = 0.3) keeps that. Measured (batch 128, 1500 steps): one-step W2 independent
    // 1.65, sinkhorn:0.05 0.56, bridge 0.57.
    let device = Device::flex();
    let steps = 1500;
    let one_step_w2 = |coupling: Coupling, path: Path| {
        let config = TrainConfig::new(VelocityMlpConfig::new())
            .with_coupling(coupling)
            .with_path(path)
            .with_batch_size(128)
            .with_learning_rate(2e-3)
            .with_decay_steps(Some(steps))
            .with_seed(2);
        let mut trainer = Trainer::new(
            config,
            Dataset::EightGaussians.into(),
            Dataset::Moons.into(),
            &device,
        )
        .unwrap();
        let mut loss = None;
        for _ in 0..steps {
            loss = Some(trainer.step());
        }
        assert!(loss.unwrap().into_scalar::<f32>().is_finite());
        let solution = trainer.flow().sample(
            &Dataset::EightGaussians.into(),
            1024,
            Solver::Euler,
            &SolveOptions::forward(1),
            &mut Rng::new(3),
            &device,
        );
        let data = Dataset::Moons.sample(1024, &mut Rng::new(4));
        wasserstein2(&to_host(solution.x), &data).unwrap()
    };
    let independent = one_step_w2(Coupling::Independent, Path::Linear);
    let entropic = one_step_w2(Coupling::Sinkhorn { epsilon: 0.05 }, Path::Linear);
    let bridge = one_step_w2(
        Coupling::Sinkhorn { epsilon: 0.05 },
        Path::Bridge { sigma: 0.3 },
    );
    println!(
        "1-step Euler W2: independent {independent:.4}, sinkhorn {entropic:.4}, bridge {bridge:.4}"
    );
    assert!(entropic < 0.5 * independent, "{entropic} vs {independent}");
    assert!(bridge < 0.5 * independent, "{bridge} vs {independent}");
}
