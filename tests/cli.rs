//! The command line: outputs on success, a clear message and a non-zero exit on bad input.

use std::process::Command;

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_flow-playground"))
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = cli().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_flags_get_a_message_and_a_non_zero_exit() {
    let dir = std::env::temp_dir().join("fp-cli-bad");
    let out = dir.to_str().unwrap();
    let cases: [(&[&str], &str); 6] = [
        (
            &["train", "--out", out, "--dataset", "moon"],
            "unknown dataset 'moon'",
        ),
        (&["train", "--out", out, "--lr", "fast"], "--lr"),
        (
            &["train", "--out", out, "--path", "sigma-min:2"],
            "sigma_min",
        ),
        (&["train", "--out", out, "--width", "0"], "width must be"),
        (
            &["train", "--out", out, "--coupling", "ot", "--batch", "5000"],
            "exact OT",
        ),
        (&["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, needle) in cases {
        let (ok, _, stderr) = run(args);
        assert!(!ok, "{args:?} succeeded");
        assert!(stderr.contains(needle), "{args:?}: stderr was {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn train_then_sample_writes_weights_csvs_and_metrics() {
    let dir = std::env::temp_dir().join(format!("fp-cli-{}", std::process::id()));
    let out = dir.to_str().unwrap();
    let (ok, stdout, stderr) = run(&[
        "train",
        "--dataset",
        "8gaussians",
        "--steps",
        "60",
        "--batch",
        "64",
        "--width",
        "16",
        "--eval-samples",
        "100",
        "--log-every",
        "30",
        "--out",
        out,
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("steps/s"), "{stdout}");
    for file in ["samples.csv", "data.csv"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(text.starts_with("x,y\n"));
        assert_eq!(text.lines().count(), 101, "{file}");
    }
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("metrics.json")).unwrap()).unwrap();
    for key in [
        "final_loss",
        "steps_per_second",
        "w2",
        "w2_source",
        "w2_floor",
    ] {
        assert!(
            metrics[key].as_f64().unwrap().is_finite(),
            "{key}: {metrics}"
        );
    }

    let weights = dir.join("model.fpw");
    let samples = dir.join("s.csv");
    let traj = dir.join("t.csv");
    let (ok, _, stderr) = run(&[
        "sample",
        "--weights",
        weights.to_str().unwrap(),
        "--solver",
        "heun",
        "--nfe",
        "8",
        "--n",
        "10",
        "--out",
        samples.to_str().unwrap(),
        "--trajectories",
        traj.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&samples).unwrap().lines().count(),
        11
    );
    let traj_text = std::fs::read_to_string(&traj).unwrap();
    assert!(traj_text.starts_with("particle,step,t,x,y\n"));
    assert_eq!(traj_text.lines().count(), 1 + 10 * 5); // 4 Heun steps → 5 states each

    // A truncated weights file is reported, not a panic.
    let bytes = std::fs::read(&weights).unwrap();
    let cut = dir.join("cut.fpw");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let (ok, _, stderr) = run(&[
        "sample",
        "--weights",
        cut.to_str().unwrap(),
        "--out",
        samples.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(stderr.contains("truncated"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}
