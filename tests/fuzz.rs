//! Property-based tests of everything that parses outside input — CSV points, weights files,
//! distribution labels, the names of paths, solvers, couplings and time samplings — with fixed
//! seeds and thousands of cases: never a panic, always a clear message, and valid input
//! round-trips.

use std::sync::OnceLock;

use burn::tensor::Device;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use flow_playground::coupling::Coupling;
use flow_playground::data::{Dataset, Distribution, PointCloud, MAX_CLOUD_POINTS};
use flow_playground::model::VelocityMlpConfig;
use flow_playground::path::Path;
use flow_playground::solver::Solver;
use flow_playground::time::TimeSampling;
use flow_playground::train::{TrainConfig, Trainer};
use flow_playground::weights;

/// A fixed seed, so a run is the same on every machine; no regression files.
fn config(cases: u32, seed: u64) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    }
}

/// A small valid weights file, made once.
fn weights_file() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let device = Device::flex();
        let config = TrainConfig::new(VelocityMlpConfig::new().with_width(8).with_depth(1));
        let trainer = Trainer::new(
            config,
            Dataset::Gaussian.into(),
            Dataset::Moons.into(),
            &device,
        )
        .unwrap();
        weights::to_bytes(&trainer.flow()).unwrap()
    })
}

/// Text made mostly of the characters a CSV of points is made of, with some of anything.
fn csv_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => prop::sample::select(vec![
                "0", "1", "2.5", "-3", "1e3", "1e40", "-0", ".", ",", "\n", "\r\n", " ", "#", "x",
                "y", "label", "NaN", "inf", "-inf", "e", "+",
            ])
            .prop_map(str::to_string),
            1 => any::<char>().prop_map(String::from),
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(config(4000, 0xC5F))]

    #[test]
    fn csv_text_is_points_or_a_clear_error(text in csv_like()) {
        match PointCloud::from_csv(&text) {
            Ok(cloud) => {
                prop_assert!((1..=MAX_CLOUD_POINTS).contains(&cloud.len()));
                prop_assert!(cloud.as_slice().iter().all(|v| v.is_finite()));
                if let Some(labels) = cloud.labels() {
                    prop_assert_eq!(labels.len(), cloud.len());
                }
            }
            Err(message) => prop_assert!(message.len() > 8, "terse message {:?}", message),
        }
    }

    #[test]
    fn written_points_read_back_exactly(
        points in prop::collection::vec((-1e6f32..1e6, -1e6f32..1e6), 1..200),
        header in any::<bool>(),
    ) {
        let mut text = if header { String::from("x,y\n") } else { String::new() };
        for (x, y) in &points {
            text.push_str(&format!("{x},{y}\n"));
        }
        let cloud = PointCloud::from_csv(&text).unwrap();
        let flat: Vec<f32> = points.iter().flat_map(|&(x, y)| [x, y]).collect();
        prop_assert_eq!(cloud.as_slice(), flat.as_slice());
    }
}

proptest! {
    #![proptest_config(config(3000, 0xF11E))]

    #[test]
    fn damaged_weights_files_are_refused_or_load_finite(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = weights_file().to_vec();
        for (at, value) in &edits {
            let i = at.index(bytes.len());
            bytes[i] = *value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        match weights::from_bytes(&bytes, &Device::flex()) {
            // A flip inside the weights' bytes can still be a valid file: then it loads whole.
            Ok(flow) => prop_assert!(flow.config.model.validate().is_ok()),
            Err(error) => prop_assert!(error.to_string().len() > 8, "terse error {}", error),
        }
    }

    #[test]
    fn arbitrary_bytes_are_never_a_weights_file(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        prop_assert!(weights::from_bytes(&bytes, &Device::flex()).is_err());
    }
}

proptest! {
    #![proptest_config(config(5000, 0x1ABE1))]

    #[test]
    fn names_parse_or_say_what_they_expected(text in "[a-z0-9:.\\-]{0,16}|\\PC{0,12}") {
        // Each parser either accepts or names the bad input; none panics.
        for result in [
            text.parse::<Path>().map(|_| ()),
            text.parse::<Solver>().map(|_| ()),
            text.parse::<Coupling>().map(|_| ()),
            text.parse::<TimeSampling>().map(|_| ()),
            Distribution::from_label(&text).map(|_| ()),
        ] {
            if let Err(message) = result {
                prop_assert!(message.len() > 8, "terse message {:?}", message);
            }
        }
    }

    #[test]
    fn labels_round_trip_at_any_valid_spread(
        index in 0..Dataset::ALL.len(),
        spread in 0.0f64..=Dataset::MAX_SPREAD,
    ) {
        let named = Distribution::with_spread(Dataset::ALL[index], spread).unwrap();
        prop_assert_eq!(Distribution::from_label(&named.label()).unwrap(), named);
    }
}
