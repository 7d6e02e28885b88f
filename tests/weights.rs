//! Saved weights: exact round trips and clear refusals.

use burn::tensor::Device;
use flow_playground::data::{Dataset, Distribution};
use flow_playground::flow::{to_host, Flow};
use flow_playground::model::VelocityMlpConfig;
use flow_playground::rng::Rng;
use flow_playground::solver::{SolveOptions, Solver};
use flow_playground::train::{TrainConfig, Trainer};
use flow_playground::weights::{self, WeightsError};

fn trained_flow() -> Flow {
    let device = Device::flex();
    let config = TrainConfig::new(VelocityMlpConfig::new().with_width(24).with_depth(2));
    let mut trainer = Trainer::new(
        config,
        Dataset::Gaussian.into(),
        Dataset::Circles.into(),
        &device,
    )
    .unwrap();
    for _ in 0..30 {
        trainer.step();
    }
    trainer.flow()
}

fn draw(flow: &Flow) -> Vec<u32> {
    let source: Distribution = Dataset::Gaussian.into();
    let s = flow.sample(
        &source,
        200,
        Solver::Rk4,
        &SolveOptions::forward(5),
        &mut Rng::new(3),
        &Device::flex(),
    );
    to_host(s.x).into_iter().map(f32::to_bits).collect()
}

#[test]
fn save_then_load_reproduces_samples_bit_for_bit() {
    let flow = trained_flow();
    let bytes = weights::to_bytes(&flow).unwrap();
    let loaded = weights::from_bytes(&bytes, &Device::flex()).unwrap();
    assert_eq!(loaded.config, flow.config);
    assert_eq!(draw(&loaded), draw(&flow));
    assert_eq!(weights::read_config(&bytes).unwrap().steps, 30);
}

#[test]
fn truncated_or_foreign_files_are_clear_errors() {
    let bytes = weights::to_bytes(&trained_flow()).unwrap();
    let device = Device::flex();
    for cut in [0, 5, 10, 40, bytes.len() / 2, bytes.len() - 1] {
        let err = weights::from_bytes(&bytes[..cut], &device).unwrap_err();
        let message = err.to_string();
        assert!(
            matches!(
                err,
                WeightsError::Truncated(_) | WeightsError::NotAWeightsFile
            ),
            "cut at {cut}: {message}"
        );
        assert!(
            message.contains("truncated") || message.contains("not a Flow Playground"),
            "{message}"
        );
    }
    let err = weights::from_bytes(b"PK\x03\x04 this is a zip file", &device).unwrap_err();
    assert_eq!(err, WeightsError::NotAWeightsFile);
}

#[test]
fn a_config_that_does_not_fit_the_weights_is_a_mismatch() {
    let flow = trained_flow();
    let mut other = flow.clone();
    other.config.model = VelocityMlpConfig::new().with_width(32).with_depth(2);
    // Graft the wider config onto the narrower weights.
    let good = weights::to_bytes(&flow).unwrap();
    let fake_header = weights::to_bytes(&Flow {
        config: other.config.clone(),
        model: other.config.model.init(0, &Device::flex()),
    })
    .unwrap();
    let config_len = |b: &[u8]| u32::from_le_bytes(b[8..12].try_into().unwrap()) as usize;
    let mut grafted = fake_header[..12 + config_len(&fake_header)].to_vec();
    grafted.extend_from_slice(&good[12 + config_len(&good)..]);
    let err = weights::from_bytes(&grafted, &Device::flex()).unwrap_err();
    assert!(matches!(err, WeightsError::Mismatch(_)), "{err}");

    let mut bad_json = good.clone();
    bad_json[12] = b'!';
    assert!(matches!(
        weights::from_bytes(&bad_json, &Device::flex()).unwrap_err(),
        WeightsError::BadConfig(_)
    ));
}

#[test]
fn non_finite_weights_are_refused() {
    let flow = trained_flow();
    let poisoned = Flow {
        config: flow.config.clone(),
        model: flow.model.clone().lerp_towards(&flow.model, f64::NAN),
    };
    let bytes = weights::to_bytes(&poisoned).unwrap();
    let err = weights::from_bytes(&bytes, &Device::flex()).unwrap_err();
    assert!(matches!(err, WeightsError::NonFinite(_)), "{err}");
}

/// The config JSON of a weights file and the bytes after it.
fn split_file(bytes: &[u8]) -> (serde_json::Value, Vec<u8>) {
    let n = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    (
        serde_json::from_slice(&bytes[12..12 + n]).unwrap(),
        bytes[12 + n..].to_vec(),
    )
}

fn join_file(config: &serde_json::Value, record: &[u8]) -> Vec<u8> {
    let json = serde_json::to_vec(config).unwrap();
    let mut out = b"FLOWPG\0\x01".to_vec();
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(record);
    out
}

#[test]
fn files_from_before_conditioning_still_load_as_plain_flows() {
    // The format before class, shortcut and reflow settings: the same record, a config without
    // those keys (as the writer of that time produced it).
    let flow = trained_flow();
    let (mut config, record) = split_file(&weights::to_bytes(&flow).unwrap());
    for key in ["conditioning", "shortcut"] {
        assert!(config["model"]
            .as_object_mut()
            .unwrap()
            .remove(key)
            .is_some());
    }
    for key in ["label_dropout", "reflows"] {
        assert!(config.get(key).is_none(), "{config}");
    }
    let old = join_file(&config, &record);
    let loaded = weights::from_bytes(&old, &Device::flex()).unwrap();
    assert_eq!(loaded.config.model.conditioning, None);
    assert_eq!(loaded.config.model.shortcut, None);
    assert_eq!(loaded.config.label_dropout, None);
    assert_eq!(loaded.config.reflows, 0);
    assert_eq!(loaded.config, flow.config);
    assert_eq!(draw(&loaded), draw(&flow));
    // A conditional config over plain weights lacks the class table: a mismatch.
    config["model"]["conditioning"] = serde_json::json!({"classes": 8, "embedding": 16});
    let err = weights::from_bytes(&join_file(&config, &record), &Device::flex()).unwrap_err();
    assert!(matches!(err, WeightsError::Mismatch(_)), "{err}");
}

#[test]
fn conditional_shortcut_flows_round_trip_with_their_settings() {
    use flow_playground::guidance::GuidedFlow;
    use flow_playground::model::{ClassConditioning, Shortcut};
    let device = Device::flex();
    let model = VelocityMlpConfig::new()
        .with_width(16)
        .with_conditioning(Some(ClassConditioning::new(8)))
        .with_shortcut(Some(Shortcut { levels: 5 }));
    let mut trainer = Trainer::new(
        TrainConfig::new(model).with_label_dropout(0.2),
        Dataset::Gaussian.into(),
        Dataset::EightGaussians.into(),
        &device,
    )
    .unwrap();
    for _ in 0..20 {
        trainer.step();
    }
    let flow = trainer.flow();
    assert_eq!(flow.config.label_dropout, Some(0.2));
    let loaded = weights::from_bytes(&weights::to_bytes(&flow).unwrap(), &device).unwrap();
    assert_eq!(loaded.config, flow.config);
    let classes: Vec<u32> = (0..64).map(|i| i % 8).collect();
    let x0 = Dataset::Gaussian.sample(64, &mut Rng::new(2));
    let run = |f: &Flow| {
        let field = GuidedFlow::new(f, &classes, 2.5, &device)
            .unwrap()
            .stepped(2);
        let x = flow_playground::solver::integrate(
            &field,
            Solver::Euler,
            flow_playground::flow::to_tensor(&x0, &device),
            &SolveOptions::forward(2),
        )
        .x;
        to_host(x).into_iter().map(f32::to_bits).collect::<Vec<_>>()
    };
    assert_eq!(run(&loaded), run(&flow));
    // An out-of-range class is an error, not a panic.
    assert!(GuidedFlow::new(&flow, &[8], 1.0, &device).is_err());
}
