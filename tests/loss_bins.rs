//! Where the loss lives: per-sample training losses summed by training time.

use burn::tensor::Device;
use flow_playground::data::Dataset;
use flow_playground::model::VelocityMlpConfig;
use flow_playground::time::TimeSampling;
use flow_playground::train::{time_bin, TrainConfig, Trainer};

fn trainer(time_sampling: TimeSampling) -> Trainer {
    let config = TrainConfig::new(VelocityMlpConfig::new().with_width(16))
        .with_batch_size(200)
        .with_time_sampling(time_sampling)
        .with_seed(4);
    Trainer::new(
        config,
        Dataset::Gaussian.into(),
        Dataset::Moons.into(),
        &Device::flex(),
    )
    .unwrap()
}

#[test]
fn bin_sums_add_up_to_the_batch_loss_and_counts_to_the_batch() {
    let mut run = trainer(TimeSampling::Uniform);
    for _ in 0..5 {
        let (loss, binned) = run.step_binned(20);
        let loss = loss.into_scalar::<f32>() as f64;
        let sums: Vec<f32> = binned.sums.into_data().try_into_vec().unwrap();
        assert_eq!(sums.len(), 20);
        assert_eq!(binned.counts.iter().sum::<u32>(), 200);
        // The loss is the mean of the per-sample losses: Σ_bins = B·loss.
        let total: f64 = sums.iter().map(|&v| v as f64).sum();
        assert!(
            (total - 200.0 * loss).abs() < 1e-4 * total,
            "Σ bins {total} vs B·loss {}",
            200.0 * loss
        );
        // An empty bin sums to exactly zero; a filled one to something positive.
        for (s, c) in sums.iter().zip(&binned.counts) {
            assert_eq!(*c == 0, *s == 0.0, "bin sum {s} with {c} samples");
        }
    }
}

#[test]
fn binning_does_not_change_training() {
    let mut plain = trainer(TimeSampling::Uniform);
    let mut binned = trainer(TimeSampling::Uniform);
    for _ in 0..5 {
        let a = plain.step().into_scalar::<f32>();
        let b = binned.step_binned(7).0.into_scalar::<f32>();
        assert_eq!(a, b);
    }
}

#[test]
fn bins_fill_in_proportion_to_the_time_density() {
    let sampling = TimeSampling::LogitNormal {
        mean: 0.0,
        std: 1.0,
    };
    let mut run = trainer(sampling);
    let bins = 10;
    let mut counts = vec![0u32; bins];
    let steps = 50;
    for _ in 0..steps {
        let (_, b) = run.step_binned(bins);
        for (c, n) in counts.iter_mut().zip(b.counts) {
            *c += n;
        }
    }
    let total = (steps * 200) as f64;
    for (j, &c) in counts.iter().enumerate() {
        // The bin's probability mass under π(t), by the midpoint rule.
        let mass: f64 = (0..1000)
            .map(|i| sampling.density((j as f64 + (i as f64 + 0.5) / 1000.0) / bins as f64))
            .sum::<f64>()
            / 1000.0
            / bins as f64;
        let expected = mass * total;
        assert!(
            (c as f64 - expected).abs() < 5.0 * expected.sqrt() + 1.0,
            "bin {j}: {c} vs {expected}"
        );
    }
    assert_eq!(time_bin(0.0, 20), 0);
    assert_eq!(time_bin(0.999, 20), 19);
    assert_eq!(time_bin(1.0, 20), 19);
    assert_eq!(time_bin(0.05, 20), 1);
}
