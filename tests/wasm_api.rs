//! The wasm API as JavaScript sees it, run in headless Chromium by `wasm-bindgen-test-runner`
//! (`scripts/test.sh`): bad input of every kind is a catchable error that leaves the module
//! and the playground working, training lowers the loss, samples have their documented shapes,
//! and weights survive an export → import round trip bit for bit. CPU backend, in the CPU-only
//! module (the crate without its `webgpu` feature): the WebGPU module is covered by the page
//! scenarios in `tests/browser/`.
#![cfg(target_arch = "wasm32")]

use flow_playground::web::{backends, Playground};
use js_sys::{Float32Array, Float64Array, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A config object: the base settings with `overrides` (JSON text) laid over them.
fn config(overrides: &str) -> JsValue {
    let mut base: serde_json::Value = serde_json::from_str(
        r#"{"dataset":"moons","source":"gaussian","path":"linear","param":"velocity",
            "coupling":"independent","timeSampling":"uniform","width":32,"depth":2,
            "activation":"silu","timeEmbedding":8,"lr":0.003,"batch":128,"warmup":0,
            "ema":0,"clip":0,"seed":3}"#,
    )
    .unwrap();
    let extra: serde_json::Value = serde_json::from_str(overrides).unwrap();
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    js(&base.to_string())
}

/// The JavaScript value of JSON text.
fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("valid JSON")
}

fn message(error: JsError) -> String {
    let value: JsValue = error.into();
    value.unchecked_into::<js_sys::Error>().message().into()
}

async fn resolve(promise: Promise) -> JsValue {
    JsFuture::from(promise).await.expect("the promise rejected")
}

async fn cpu(overrides: &str) -> Playground {
    match Playground::create("cpu".into(), config(overrides), None, None, None).await {
        Ok(pg) => pg,
        Err(e) => panic!("create failed: {}", message(e)),
    }
}

fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &name.into()).unwrap()
}

async fn samples(pg: &Playground, n: u32, record: bool) -> JsValue {
    resolve(
        pg.sample(n, "rk4", 8, 7, record, None, None, None, None)
            .map_err(message)
            .unwrap(),
    )
    .await
}

#[wasm_bindgen_test]
async fn bad_configs_are_errors_that_name_the_problem() {
    // Configs are objects: text (the JSON of one, even), null or a number is refused.
    for (value, expected) in [
        (JsValue::from_str(r#"{"dataset":"moons"}"#), "got string"),
        (JsValue::NULL, "got null"),
        (JsValue::from_f64(3.0), "got number"),
        (js(r#"{"dataset":"moons"}"#), "missing field `source`"),
    ] {
        let error = Playground::create("cpu".into(), value, None, None, None)
            .await
            .err();
        let text = message(error.expect("a malformed config was accepted"));
        assert!(text.starts_with("bad config: "), "{text}");
        assert!(text.contains(expected), "{text}");
    }
    for (overrides, expected) in [
        (r#"{"dataset":"nope"}"#, "nope"),
        (r#"{"width":0}"#, "width"),
        (r#"{"batch":0}"#, "batch"),
        (r#"{"lr":-1}"#, "learning rate"),
        (r#"{"path":"spline"}"#, "spline"),
        (r#"{"dataset":"points"}"#, "point cloud"),
        (r#"{"spread":-0.5}"#, "spread"),
        (r#"{"spread":9}"#, "spread"),
        (r#"{"spread":"wide"}"#, "bad config: spread: invalid type"),
        (r#"{"width":"64"}"#, "bad config: width: invalid type"),
        (r#"{"width":32.5}"#, "bad config: width:"),
        (
            r#"{"conditional":1}"#,
            "bad config: conditional: invalid type",
        ),
        (r#"{"widht":64}"#, "unknown field `widht`"),
        (r#"{"dataset":"swissroll","conditional":true}"#, "labelled"),
        (r#"{"conditional":true,"labelDropout":1.5}"#, "dropout"),
    ] {
        let error = Playground::create("cpu".into(), config(overrides), None, None, None)
            .await
            .err();
        let text = message(error.unwrap_or_else(|| panic!("{overrides} was accepted")));
        assert!(
            text.to_lowercase().contains(expected),
            "{overrides}: {text}"
        );
    }
    // The module is intact: a good config still starts.
    let pg = cpu("{}").await;
    assert_eq!(pg.backend(), "cpu");
}

/// The CPU-only module knows it has no WebGPU: asking for it is an error that says so, and the
/// module goes on working.
#[cfg(not(feature = "webgpu"))]
#[wasm_bindgen_test]
async fn the_cpu_only_module_refuses_webgpu_with_a_message() {
    assert_eq!(backends(), r#"["cpu"]"#);
    let error = Playground::create("webgpu".into(), config("{}"), None, None, None)
        .await
        .err();
    let text = message(error.expect("the CPU-only module started a WebGPU playground"));
    assert!(text.contains("CPU-only module"), "{text}");
    assert_eq!(cpu("{}").await.backend(), "cpu");
}

#[cfg(feature = "webgpu")]
#[wasm_bindgen_test]
fn the_webgpu_module_has_both_backends() {
    assert_eq!(backends(), r#"["cpu","webgpu"]"#);
}

#[wasm_bindgen_test]
async fn bad_calls_leave_the_playground_working() {
    let mut pg = cpu("{}").await;
    assert!(pg
        .sample(0, "euler", 4, 1, false, None, None, None, None)
        .is_err());
    assert!(pg
        .sample(10, "leapfrog", 4, 1, false, None, None, None, None)
        .is_err());
    assert!(pg
        .field("learned", 1.5, vec![-1.0, 1.0, -1.0, 1.0], 8)
        .is_err());
    assert!(pg.field("learned", 0.5, vec![-1.0, 1.0], 8).is_err());
    assert!(pg
        .field("guessed", 0.5, vec![-1.0, 1.0, -1.0, 1.0], 8)
        .is_err());
    assert!(pg.configure(js("{}"), None, None, None).is_err());
    assert!(pg.configure(JsValue::UNDEFINED, None, None, None).is_err());
    assert!(pg.data_points(3_000_000, 1).is_err());
    assert!(pg.data_labelled(u32::MAX, 1).is_err());
    assert!(pg.pairs(0).is_err());
    assert!(pg.pairs(100_000).is_err());
    assert!(pg.average(f32::NAN, 0.0, 0.5, 10).is_err());
    assert!(pg.average(0.0, 0.0, 1.5, 10).is_err());
    assert!(pg.average(0.0, 0.0, 0.5, 0).is_err());
    assert!(pg.average(0.0, 0.0, 0.5, 100_000).is_err());
    let good = resolve(pg.export_weights())
        .await
        .unchecked_into::<Uint8Array>()
        .to_vec();
    for (what, bytes) in [
        ("empty", Vec::new()),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("wrong magic", [b"NOTAFLOW".as_slice(), &good[8..]].concat()),
    ] {
        let text = message(pg.import_weights(&bytes).expect_err(what));
        assert!(!text.is_empty(), "{what}: empty message");
    }
    // Still trains and samples after all of that.
    pg.train(5);
    let loss = resolve(pg.read_loss()).await.as_f64().unwrap();
    assert!(loss.is_finite(), "loss {loss}");
    assert_eq!(pg.steps(), 5);
    let x = field(&samples(&pg, 50, false).await, "x").unchecked_into::<Float32Array>();
    assert_eq!(x.length(), 100);
}

#[wasm_bindgen_test]
async fn training_through_the_api_lowers_the_loss() {
    let mut pg = cpu("{}").await;
    pg.train(20);
    let early = resolve(pg.read_loss()).await.as_f64().unwrap();
    pg.train(400);
    let _ = resolve(pg.read_loss()).await;
    pg.train(50);
    let late = resolve(pg.read_loss()).await.as_f64().unwrap();
    assert_eq!(pg.steps(), 470);
    // The conditional-flow-matching loss of moons falls by about half from its start.
    assert!(late < 0.75 * early, "loss {early} → {late}");
    // Reading twice without steps in between has nothing to report.
    assert!(resolve(pg.read_loss()).await.as_f64().unwrap().is_nan());
}

#[wasm_bindgen_test]
async fn a_point_cloud_source_is_where_every_particle_starts() {
    // Source `points` needs its cloud, and a bad cloud is named as the source's.
    let missing = Playground::create(
        "cpu".into(),
        config(r#"{"source":"points"}"#),
        None,
        None,
        None,
    )
    .await
    .err();
    let text = message(missing.expect("source 'points' without a cloud was accepted"));
    assert!(
        text.contains("source 'points' needs a point cloud"),
        "{text}"
    );
    let odd = Playground::create(
        "cpu".into(),
        config(r#"{"source":"points"}"#),
        None,
        None,
        Some(vec![1.0, 2.0, 3.0]),
    )
    .await
    .err();
    let text = message(odd.expect("an odd source cloud was accepted"));
    assert!(text.starts_with("the source: "), "{text}");
    // Three source points: every particle's recorded start (state 0) is one of them.
    let cloud = vec![1.0, 1.0, -2.0, 0.5, 3.0, -1.0];
    let pg = match Playground::create(
        "cpu".into(),
        config(r#"{"source":"points"}"#),
        None,
        None,
        Some(cloud.clone()),
    )
    .await
    {
        Ok(pg) => pg,
        Err(e) => panic!("create failed: {}", message(e)),
    };
    let n = 60;
    let out = samples(&pg, n, true).await;
    let trajectory = field(&out, "trajectory")
        .unchecked_into::<Float32Array>()
        .to_vec();
    let starts = &trajectory[..2 * n as usize];
    let mut seen = [false; 3];
    for p in starts.chunks(2) {
        let k = cloud
            .chunks(2)
            .position(|q| q == p)
            .unwrap_or_else(|| panic!("a particle starts at {p:?}, not on the source's cloud"));
        seen[k] = true;
    }
    assert!(
        seen.iter().all(|&s| s),
        "60 draws missed a source point: {seen:?}"
    );
}

#[wasm_bindgen_test]
async fn samples_have_their_documented_shapes() {
    let pg = cpu("{}").await;
    let n = 64;
    let out = samples(&pg, n, true).await;
    let x = field(&out, "x").unchecked_into::<Float32Array>().to_vec();
    let trajectory = field(&out, "trajectory")
        .unchecked_into::<Float32Array>()
        .to_vec();
    let times = field(&out, "times")
        .unchecked_into::<Float64Array>()
        .to_vec();
    assert_eq!(field(&out, "nfe").as_f64(), Some(8.0)); // RK4: 2 steps × 4 evaluations
    assert_eq!(x.len(), 2 * n as usize);
    assert_eq!(times.len(), 3);
    assert_eq!((times[0], times[2]), (0.0, 1.0));
    assert_eq!(trajectory.len(), times.len() * x.len());
    // The last recorded state is the result; every value is finite.
    assert_eq!(&trajectory[trajectory.len() - x.len()..], x.as_slice());
    assert!(trajectory.iter().all(|v| v.is_finite()));
    let grid = resolve(
        pg.field("exact", 0.5, vec![-2.0, 2.0, -2.0, 2.0], 5)
            .unwrap(),
    )
    .await;
    assert_eq!(grid.unchecked_into::<Float32Array>().length(), 2 * 25);
}

#[wasm_bindgen_test]
async fn exported_weights_import_to_identical_samples() {
    let mut trained = cpu("{}").await;
    trained.train(30);
    let _ = resolve(trained.read_loss()).await;
    let bytes = resolve(trained.export_weights())
        .await
        .unchecked_into::<Uint8Array>()
        .to_vec();
    assert_eq!(&bytes[..8], b"FLOWPG\0\x01");
    let mut fresh = cpu(r#"{"seed":99}"#).await;
    let before = field(&samples(&fresh, 32, false).await, "x")
        .unchecked_into::<Float32Array>()
        .to_vec();
    // The file's config comes back as a plain object.
    let file = fresh.import_weights(&bytes).map_err(message).unwrap();
    assert_eq!(field(&file, "steps").as_f64(), Some(30.0));
    assert_eq!(field(&file, "target").as_string().as_deref(), Some("moons"));
    assert_eq!(field(&field(&file, "model"), "width").as_f64(), Some(32.0));
    let a = field(&samples(&trained, 32, false).await, "x")
        .unchecked_into::<Float32Array>()
        .to_vec();
    let b = field(&samples(&fresh, 32, false).await, "x")
        .unchecked_into::<Float32Array>()
        .to_vec();
    assert_eq!(a, b, "imported weights sample differently");
    assert_ne!(a, before, "the import changed nothing");
}

#[wasm_bindgen_test]
async fn the_averaging_picture_has_its_documented_shapes() {
    let pg = cpu(r#"{"spread":0.3}"#).await;
    let k = 12;
    let out = resolve(pg.average(0.5, -0.25, 0.5, k).map_err(message).unwrap()).await;
    assert_eq!(field(&out, "supported").as_bool(), Some(true));
    let len = |name: &str| field(&out, name).unchecked_into::<Float32Array>().length();
    let s = field(&out, "samplesPerCurve").as_f64().unwrap() as u32;
    assert_eq!(len("w"), k);
    for name in ["x0", "x1", "u"] {
        assert_eq!(len(name), 2 * k, "{name}");
    }
    assert_eq!(len("curves"), 2 * k * s);
    assert_eq!((len("exact"), len("learned")), (2, 2));
    let mass = field(&out, "mass").as_f64().unwrap();
    assert!(mass > 0.0 && mass <= 1.0 + 1e-6, "mass {mass}");
    // Paired by OT, the picture says why it has no exact average rather than failing.
    let ot = cpu(r#"{"coupling":"ot"}"#).await;
    let out = resolve(ot.average(0.5, -0.25, 0.5, k).map_err(message).unwrap()).await;
    assert_eq!(field(&out, "supported").as_bool(), Some(false));
    assert!(field(&out, "note").as_string().unwrap().contains("OT"));
}

fn floats(value: JsValue) -> Vec<f32> {
    value.unchecked_into::<Float32Array>().to_vec()
}

const BOUNDS: [f32; 4] = [-3.0, 3.0, -3.0, 3.0];

#[wasm_bindgen_test]
async fn densities_and_scores_have_their_documented_shapes() {
    let mut pg = cpu("{}").await;
    pg.train(20);
    let _ = resolve(pg.read_loss()).await;
    for which in ["learned", "exact"] {
        let logp = floats(
            resolve(
                pg.density(which, 0.5, BOUNDS.to_vec(), 6, None, Some(8))
                    .map_err(message)
                    .unwrap(),
            )
            .await,
        );
        assert_eq!(logp.len(), 36, "{which}");
        assert!(logp.iter().all(|v| v.is_finite()), "{which}: {logp:?}");
    }
    // At t = 0 both are the source's log-density: log N(0, I) at the lattice centre's corner
    // cells equals −(x² + y²)/2 − log 2π.
    let exact = floats(
        resolve(
            pg.density("exact", 0.0, BOUNDS.to_vec(), 6, None, None)
                .unwrap(),
        )
        .await,
    );
    let learned = floats(
        resolve(
            pg.density(
                "learned",
                0.0,
                BOUNDS.to_vec(),
                6,
                Some("euler".into()),
                Some(1),
            )
            .unwrap(),
        )
        .await,
    );
    let corner = -(2.5f32 * 2.5 * 2.0) / 2.0 - (2.0 * std::f32::consts::PI).ln();
    assert!((exact[0] - corner).abs() < 1e-4, "{}", exact[0]);
    assert!((learned[0] - corner).abs() < 1e-4, "{}", learned[0]);
    for which in ["score", "exact-score"] {
        let s = floats(resolve(pg.field(which, 0.5, BOUNDS.to_vec(), 5).unwrap()).await);
        assert_eq!(s.len(), 50, "{which}");
        assert!(s.iter().all(|v| v.is_finite()), "{which}");
    }
    let x = field(
        &resolve(
            pg.sample_sde(40, 10, 1, 1.0, true, None, None)
                .map_err(message)
                .unwrap(),
        )
        .await,
        "trajectory",
    );
    assert_eq!(floats(x).len(), 11 * 80);
}

#[wasm_bindgen_test]
async fn density_score_and_sde_requests_fail_clearly_and_leave_the_playground_working() {
    let pg = cpu("{}").await;
    let bad = |r: Result<Promise, JsError>| message(r.expect_err("accepted"));
    assert!(bad(pg.density("guessed", 0.5, BOUNDS.to_vec(), 4, None, None)).contains("guessed"));
    assert!(bad(pg.density("learned", 1.5, BOUNDS.to_vec(), 4, None, None)).contains("0 ≤ t ≤ 1"));
    assert!(bad(pg.density("learned", 0.5, vec![0.0, 1.0], 4, None, None)).contains("bounds"));
    assert!(bad(pg.density(
        "learned",
        0.5,
        BOUNDS.to_vec(),
        4,
        Some("leap".into()),
        None
    ))
    .contains("leap"));
    assert!(bad(pg.density("learned", 0.5, BOUNDS.to_vec(), 4, None, Some(0))).contains("nfe"));
    assert!(bad(pg.sample_sde(10, 10, 1, -1.0, false, None, None)).contains("noise"));
    assert!(bad(pg.sample_sde(10, 10, 1, f64::NAN, false, None, None)).contains("noise"));
    assert!(bad(pg.sample_sde(10, 0, 1, 1.0, false, None, None)).contains("steps"));
    assert!(bad(pg.sample_sde(0, 10, 1, 1.0, false, None, None)).contains("particle"));

    // A source without a closed-form density: every density, score and SDE call says so.
    let mut moons = cpu(r#"{"source":"moons","dataset":"8gaussians"}"#).await;
    for error in [
        bad(moons.density("learned", 0.5, BOUNDS.to_vec(), 4, None, None)),
        bad(moons.density("exact", 0.5, BOUNDS.to_vec(), 4, None, None)),
        bad(moons.field("score", 0.5, BOUNDS.to_vec(), 4)),
        bad(moons.field("exact-score", 0.5, BOUNDS.to_vec(), 4)),
        bad(moons.sample_sde(10, 10, 1, 1.0, false, None, None)),
    ] {
        assert!(error.contains("no closed-form density"), "{error}");
    }
    // A mixture source has a density but no score from the velocity.
    let eight = cpu(r#"{"source":"8gaussians"}"#).await;
    assert!(bad(eight.field("score", 0.5, BOUNDS.to_vec(), 4)).contains("Gaussian source"));
    let logp = floats(
        resolve(
            eight
                .density("exact", 0.5, BOUNDS.to_vec(), 4, None, None)
                .unwrap(),
        )
        .await,
    );
    assert_eq!(logp.len(), 16);

    // Both playgrounds still train and sample.
    moons.train(3);
    assert!(resolve(moons.read_loss())
        .await
        .as_f64()
        .unwrap()
        .is_finite());
    let x = field(&samples(&pg, 10, false).await, "x");
    assert_eq!(floats(x).len(), 20);
}

#[wasm_bindgen_test]
async fn loss_bins_sum_to_the_loss_and_come_with_the_time_density() {
    let mut pg = cpu(r#"{"timeSampling":"logit-normal"}"#).await;
    // Off by default: empty.
    let off = resolve(pg.read_loss_bins()).await;
    assert_eq!(floats(field(&off, "sums")).len(), 0);
    assert!(pg.set_loss_bins(5000).is_err());
    assert_eq!(pg.loss_bins(), 0);
    pg.set_loss_bins(20).map_err(message).unwrap();
    pg.train(10);
    let mean = resolve(pg.read_loss()).await.as_f64().unwrap();
    let bins = resolve(pg.read_loss_bins()).await;
    let sums = floats(field(&bins, "sums"));
    let counts = field(&bins, "counts")
        .unchecked_into::<js_sys::Uint32Array>()
        .to_vec();
    assert_eq!((sums.len(), counts.len()), (20, 20));
    assert_eq!(counts.iter().sum::<u32>(), 10 * 128);
    // Σ over bins of the per-sample losses = steps × batch × mean batch loss.
    let total: f64 = sums.iter().map(|&v| v as f64).sum();
    assert!(
        (total - 1280.0 * mean).abs() < 1e-3 * total,
        "{total} vs {}",
        1280.0 * mean
    );
    // A new window starts after each read.
    let again = resolve(pg.read_loss_bins()).await;
    let counts = field(&again, "counts")
        .unchecked_into::<js_sys::Uint32Array>()
        .to_vec();
    assert_eq!(counts.iter().sum::<u32>(), 0);
    let pi = pg.time_density(20).map_err(message).unwrap();
    assert_eq!(pi.len(), 20);
    // Logit-normal(0, 1) is symmetric about ½ and peaks there.
    assert!((pi[0] - pi[19]).abs() < 1e-9 && pi[9] > pi[0]);
    assert!(pg.time_density(0).is_err());
}

#[wasm_bindgen_test]
async fn guidance_reflow_straightness_and_the_sweep_have_their_documented_shapes() {
    let mut pg = cpu(r#"{"dataset":"8gaussians","conditional":true}"#).await;
    assert_eq!((pg.classes(), pg.data_classes()), (8, 8));
    pg.train(10);
    let _ = resolve(pg.read_loss()).await;
    let out = resolve(
        pg.sample(40, "euler", 4, 3, false, Some(2), Some(3.0), None, None)
            .map_err(message)
            .unwrap(),
    )
    .await;
    let classes = field(&out, "classes")
        .unchecked_into::<js_sys::Uint32Array>()
        .to_vec();
    assert_eq!(classes, vec![2; 40]);
    assert!(pg
        .sample(10, "euler", 4, 1, false, Some(8), None, None, None)
        .is_err());
    for which in ["learned", "exact"] {
        let v = resolve(
            pg.guided_field(which, 0.5, vec![-4.0, 4.0, -4.0, 4.0], 6, 1, 2.0)
                .map_err(message)
                .unwrap(),
        )
        .await;
        assert_eq!(v.unchecked_into::<Float32Array>().length(), 72, "{which}");
    }
    let labelled = pg.data_labelled(30, 1).map_err(message).unwrap();
    assert_eq!(
        field(&labelled, "labels")
            .unchecked_into::<js_sys::Uint32Array>()
            .length(),
        30
    );

    let nll = resolve(
        cpu(r#"{"dataset":"checkerboard"}"#)
            .await
            .nll(50, 1, "rk4", 8)
            .unwrap(),
    )
    .await;
    assert!(field(&nll, "nll").as_f64().unwrap().is_finite());
    assert!((field(&nll, "entropy").as_f64().unwrap() - 32f64.ln()).abs() < 1e-9);
    let s = resolve(pg.straightness("euler", 8, 64, 2).map_err(message).unwrap())
        .await
        .as_f64()
        .unwrap();
    assert!(s.is_finite() && s >= 0.0, "straightness {s}");
    let pairs = resolve(pg.reflow_pairs(64, "rk4", 8, 5).map_err(message).unwrap()).await;
    let x0 = floats(field(&pairs, "x0"));
    let x1 = floats(field(&pairs, "x1"));
    let labels = field(&pairs, "labels")
        .unchecked_into::<js_sys::Uint32Array>()
        .to_vec();
    assert_eq!((x0.len(), x1.len(), labels.len()), (128, 128, 64));
    assert_eq!(pg.reflows(), 0);
    pg.start_reflow(x0, x1, Some(labels))
        .map_err(message)
        .unwrap();
    assert_eq!(pg.reflows(), 1);
    pg.train(5);
    assert!(resolve(pg.read_loss()).await.as_f64().unwrap().is_finite());

    let mut plain = cpu("{}").await;
    let first = resolve(
        plain
            .sweep_point(0, 64, 1, Some(1.0))
            .map_err(message)
            .unwrap(),
    )
    .await;
    let count = field(&first, "count").as_f64().unwrap() as u32;
    assert!(field(&first, "w2").as_f64().unwrap() > 0.0);
    let last = resolve(
        plain
            .sweep_point(count - 1, 64, 1, Some(1.0))
            .map_err(message)
            .unwrap(),
    )
    .await;
    assert!(field(&last, "solver")
        .as_string()
        .unwrap()
        .starts_with("sde"));
    assert!(resolve(plain.sweep_point(count, 64, 1, Some(1.0)).unwrap())
        .await
        .is_null());
}

/// A batch sampled a slice at a time is the batch sampled at once: the same source points, the
/// same classes, the same SDE noise, so a page can draw a large batch in short pieces.
#[wasm_bindgen_test]
async fn a_batch_sampled_in_slices_is_the_batch_sampled_at_once() {
    let mut pg = cpu(r#"{"dataset":"8gaussians","conditional":true}"#).await;
    pg.train(20);
    let _ = resolve(pg.read_loss()).await;
    let ode = |from: Option<u32>, count: Option<u32>| {
        pg.sample(50, "rk4", 8, 5, true, Some(-1), Some(2.0), from, count)
            .map_err(message)
            .unwrap()
    };
    let sde = |from: Option<u32>, count: Option<u32>| {
        pg.sample_sde(50, 6, 5, 1.0, true, from, count)
            .map_err(message)
            .unwrap()
    };
    // One sampler per kind, each drawing rows `from..from + count` (None: the whole batch).
    type Draw<'a> = &'a dyn Fn(Option<u32>, Option<u32>) -> Promise;
    let samplers: [(&str, Draw); 2] = [("ode", &ode), ("sde", &sde)];
    for (kind, draw) in samplers {
        let whole = resolve(draw(None, None)).await;
        let mut parts = Vec::new();
        for (from, count) in [(0, 17), (17, 30), (47, 3)] {
            parts.push(resolve(draw(Some(from), Some(count))).await);
        }
        let x: Vec<f32> = parts.iter().flat_map(|p| floats(field(p, "x"))).collect();
        let all = floats(field(&whole, "x"));
        assert_eq!(x.len(), 100, "{kind}");
        let gap = x
            .iter()
            .zip(&all)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(gap < 1e-5, "{kind}: slices differ from the batch by {gap}");
        // Each step of the trajectory holds the slice's rows of the batch's step.
        let steps = field(&whole, "times")
            .unchecked_into::<js_sys::Float64Array>()
            .length() as usize;
        let trajectory = floats(field(&whole, "trajectory"));
        let mut from = 0;
        for part in &parts {
            let rows = floats(field(part, "x")).len() / 2;
            let piece = floats(field(part, "trajectory"));
            assert_eq!(piece.len(), steps * rows * 2, "{kind}");
            for s in 0..steps {
                for r in 0..2 * rows {
                    let (a, b) = (piece[s * 2 * rows + r], trajectory[s * 100 + 2 * from + r]);
                    assert!(
                        (a - b).abs() < 1e-5,
                        "{kind}: step {s}, value {r}: {a} vs {b}"
                    );
                }
            }
            from += rows;
        }
        if kind == "ode" {
            let classes = |p: &JsValue| {
                field(p, "classes")
                    .unchecked_into::<js_sys::Uint32Array>()
                    .to_vec()
            };
            let sliced: Vec<u32> = parts.iter().flat_map(classes).collect();
            assert_eq!(sliced, classes(&whole));
        }
    }
    // A slice outside the batch, or an empty one, is an error that says so.
    for (from, count) in [(Some(40), Some(11)), (Some(0), Some(0)), (Some(51), None)] {
        let text = message(
            pg.sample(50, "euler", 4, 1, false, None, None, from, count)
                .expect_err("a bad slice was accepted"),
        );
        assert!(text.contains("slice"), "{text}");
        assert!(pg.sample_sde(50, 4, 1, 1.0, false, from, count).is_err());
    }
}
