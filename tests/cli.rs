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
    let cases: [(&[&str], &str); 11] = [
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
        (
            &[
                "train",
                "--out",
                out,
                "--conditional",
                "--dataset",
                "swissroll",
            ],
            "has no classes",
        ),
        (
            &["train", "--out", out, "--coupling", "sinkhorn:0"],
            "epsilon",
        ),
        (&["train", "--out", out, "--path", "bridge:-2"], "sigma"),
        (
            &["train", "--out", out, "--shortcut", "--path", "cosine"],
            "shortcut model",
        ),
        (
            &[
                "reflow",
                "--weights",
                "/nonexistent.fpw",
                "--steps",
                "1",
                "--out",
                out,
            ],
            "cannot read",
        ),
    ];
    for (args, needle) in cases {
        let (ok, _, stderr) = run(args);
        assert!(!ok, "{args:?} succeeded");
        assert!(stderr.contains(needle), "{args:?}: stderr was {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
    }
}

#[test]
fn conditional_train_sample_reflow_and_nfe_sweep() {
    let dir = std::env::temp_dir().join(format!("fp-cli-guide-{}", std::process::id()));
    let out = dir.join("train");
    let (ok, stdout, stderr) = run(&[
        "train",
        "--dataset",
        "8gaussians",
        "--conditional",
        "--label-dropout",
        "0.2",
        "--steps",
        "60",
        "--batch",
        "64",
        "--width",
        "16",
        "--eval-samples",
        "100",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("conditional on 8 classes"), "{stdout}");
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    assert!(
        metrics["straightness"].as_f64().unwrap() >= 0.0,
        "{metrics}"
    );
    assert_eq!(metrics["classes"], 8);
    let weights = out.join("model.fpw");
    let weights = weights.to_str().unwrap();

    // One class, over-guided: every row carries that class.
    let samples = dir.join("s.csv");
    let (ok, stdout, stderr) = run(&[
        "sample",
        "--weights",
        weights,
        "--class",
        "2",
        "--guidance",
        "3",
        "--n",
        "7",
        "--straightness",
        "--out",
        samples.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("straightness"), "{stdout}");
    let text = std::fs::read_to_string(&samples).unwrap();
    assert!(text.starts_with("x,y,class\n"), "{text}");
    assert_eq!(text.lines().count(), 8);
    assert!(text.lines().skip(1).all(|l| l.ends_with(",2")), "{text}");
    for (args, needle) in [
        (&["--class", "8"][..], "out of range"),
        (&["--guidance", "-1"][..], "guidance scale"),
    ] {
        let mut all = vec![
            "sample",
            "--weights",
            weights,
            "--out",
            samples.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        let (ok, _, stderr) = run(&all);
        assert!(!ok && stderr.contains(needle), "{args:?}: {stderr}");
    }

    let rectified = dir.join("reflow");
    let (ok, stdout, stderr) = run(&[
        "reflow",
        "--weights",
        weights,
        "--steps",
        "30",
        "--pairs",
        "200",
        "--solver",
        "euler",
        "--nfe",
        "4",
        "--batch",
        "64",
        "--eval-samples",
        "100",
        "--out",
        rectified.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("1-rectified"), "{stdout}");
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(rectified.join("metrics.json")).unwrap())
            .unwrap();
    for key in [
        "straightness",
        "straightness_before",
        "w2_euler1",
        "w2_euler1_before",
    ] {
        assert!(
            metrics[key].as_f64().unwrap().is_finite(),
            "{key}: {metrics}"
        );
    }
    assert_eq!(metrics["reflows"], 1);

    let (ok, stdout, stderr) = run(&[
        "bench-nfe",
        "--weights",
        rectified.join("model.fpw").to_str().unwrap(),
        "--n",
        "50",
        "--nfe",
        "1,4",
        "--tolerances",
        "1e-2",
    ]);
    assert!(ok, "{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // euler at 1 and 4, midpoint and heun at 4, rk4 at 4, one dopri5.
    let solvers: Vec<&str> = lines
        .iter()
        .map(|l| l["solver"].as_str().unwrap())
        .collect();
    assert_eq!(
        solvers,
        [
            "euler",
            "euler",
            "midpoint",
            "heun",
            "rk4",
            "dopri5:0.01:0.01"
        ],
        "{stdout}"
    );
    for l in &lines {
        assert!(l["w2"].as_f64().unwrap().is_finite() && l["w2_floor"].as_f64().unwrap() > 0.0);
    }
    std::fs::remove_dir_all(&dir).ok();
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

#[test]
fn nll_and_sde_sampling_from_saved_weights() {
    let dir = std::env::temp_dir().join(format!("fp-cli-nll-{}", std::process::id()));
    let out = dir.to_str().unwrap();
    let (ok, stdout, stderr) = run(&[
        "train",
        "--dataset",
        "checkerboard",
        "--steps",
        "40",
        "--batch",
        "64",
        "--width",
        "16",
        "--eval-samples",
        "100",
        "--out",
        out,
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("NLL"), "{stdout}");
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("metrics.json")).unwrap()).unwrap();
    assert!(metrics["nll"].as_f64().unwrap().is_finite(), "{metrics}");

    let weights = dir.join("model.fpw");
    let weights = weights.to_str().unwrap();
    let (ok, stdout, stderr) = run(&["nll", "--weights", weights, "--n", "300", "--nfe", "8"]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "one JSON line: {stdout}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(report["nll"].as_f64().unwrap().is_finite(), "{report}");
    assert!((report["entropy"].as_f64().unwrap() - 3.4657).abs() < 1e-4);
    assert_eq!(report["n"].as_u64(), Some(300));
    // Another dataset, whose entropy is not known in closed form.
    let (ok, stdout, stderr) = run(&[
        "nll",
        "--weights",
        weights,
        "--dataset",
        "moons",
        "--n",
        "50",
        "--nfe",
        "4",
    ]);
    assert!(ok, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(report["entropy"].is_null(), "{report}");

    let samples = dir.join("sde.csv");
    let (ok, stdout, stderr) = run(&[
        "sample",
        "--weights",
        weights,
        "--sampler",
        "sde",
        "--noise",
        "0.5",
        "--nfe",
        "20",
        "--n",
        "30",
        "--out",
        samples.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("SDE"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&samples).unwrap().lines().count(),
        31
    );

    for (args, needle) in [
        (
            vec!["sample", "--weights", weights, "--sampler", "langevin"],
            "langevin",
        ),
        (
            vec![
                "sample",
                "--weights",
                weights,
                "--sampler",
                "sde",
                "--noise",
                "-1",
            ],
            "noise",
        ),
        (
            vec![
                "sample",
                "--weights",
                weights,
                "--sampler",
                "sde",
                "--backward",
            ],
            "forward only",
        ),
        (
            vec!["nll", "--weights", weights, "--dataset", "moon"],
            "moon",
        ),
        (vec!["nll", "--weights", weights, "--n", "0"], "--n"),
        (
            vec!["nll", "--weights", weights, "--solver", "rk4", "--nfe", "2"],
            "at least 4",
        ),
    ] {
        let output = cli().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn nll_of_a_model_without_a_source_density_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("fp-cli-nll-moons-{}", std::process::id()));
    let out = dir.to_str().unwrap();
    let (ok, _, stderr) = run(&[
        "train",
        "--source",
        "moons",
        "--dataset",
        "8gaussians",
        "--steps",
        "5",
        "--width",
        "8",
        "--eval-samples",
        "20",
        "--out",
        out,
    ]);
    assert!(ok, "{stderr}");
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("metrics.json")).unwrap()).unwrap();
    assert!(metrics["nll"].is_null(), "{metrics}");
    let weights = dir.join("model.fpw");
    for args in [
        vec!["nll", "--weights", weights.to_str().unwrap()],
        vec![
            "sample",
            "--weights",
            weights.to_str().unwrap(),
            "--sampler",
            "sde",
        ],
    ] {
        let output = cli().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("no closed-form density"),
            "{args:?}: {stderr}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
