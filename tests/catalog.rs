//! One source of truth for names: the page's parameter registry (`www/state.js`) offers exactly
//! the names of the core's catalog, in the core's menu order, and the core parses every one of
//! them. A dataset, path, coupling, solver, … added on one side only fails here. The page's
//! menus are read by importing `www/state.js` in Node (the module the page itself loads).

use std::process::Command;

use flow_playground::catalog::catalog;
use flow_playground::coupling::Coupling;
use flow_playground::data::Dataset;
use flow_playground::model::Activation;
use flow_playground::param::Parameterization;
use flow_playground::path::Path;
use flow_playground::solver::Solver;
use flow_playground::time::TimeSampling;
use serde_json::Value;

/// Each `enum` parameter's options (`{name: [option, …]}`) and the spread's upper bound
/// (`maxSpread`), as `www/state.js` declares them.
fn page_registry() -> Value {
    let script = "import { PARAMS } from './www/state.js';
        const out = Object.fromEntries(Object.entries(PARAMS)
          .filter(([, spec]) => spec.type === 'enum').map(([name, spec]) => [name, spec.options]));
        out.maxSpread = PARAMS.spread.max;
        console.log(JSON.stringify(out));";
    let output = Command::new("node")
        .args(["--input-type=module", "-e", script])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("node runs (it reads www/state.js)");
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the registry as JSON")
}

fn names(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("{value} is not a list"))
        .iter()
        .map(|v| v.as_str().expect("a name").to_string())
        .collect()
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_page_offers_exactly_the_cores_names() {
    let page = page_registry();
    let core = catalog();
    // Every dataset is a source, then the user's own points; the data menu offers all but the
    // Gaussian (the source's own shape), then the user's own points.
    let mut sources = strings(&core.datasets);
    sources.push("points".into());
    assert_eq!(names(&page["source"]), sources, "sources");
    let mut data: Vec<String> = core
        .datasets
        .iter()
        .filter(|&&d| d != "gaussian")
        .map(|d| d.to_string())
        .collect();
    data.push("points".into());
    assert_eq!(names(&page["dataset"]), data, "datasets");
    for (param, list) in [
        ("path", &core.paths),
        ("param", &core.parameterizations),
        ("coupling", &core.couplings),
        ("time", &core.time_samplings),
        ("solver", &core.solvers),
        ("activation", &core.activations),
    ] {
        assert_eq!(names(&page[param]), strings(list), "{param}");
    }
    assert_eq!(page["maxSpread"].as_f64(), Some(core.max_spread));
}

#[test]
fn the_core_parses_every_name_of_its_catalog() {
    let core = catalog();
    for name in &core.datasets {
        let dataset: Dataset = name.parse().unwrap();
        assert_eq!(dataset.name(), *name);
        let spread = core.spreads[name];
        assert_eq!(spread.default, dataset.default_spread());
        assert!(
            (0.0..=core.max_spread).contains(&spread.literature),
            "{name}"
        );
    }
    assert_eq!(core.spreads.len(), core.datasets.len());
    // A bridge carries its σ and Sinkhorn its ε: the names parse alone or with the number the
    // page appends.
    for name in &core.paths {
        let path: Path = name
            .parse()
            .or_else(|_| format!("{name}:0.5").parse())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(path.name(), *name);
    }
    for name in &core.couplings {
        assert_eq!(name.parse::<Coupling>().unwrap().name(), *name);
    }
    for name in &core.parameterizations {
        assert_eq!(name.parse::<Parameterization>().unwrap().name(), *name);
    }
    for name in &core.time_samplings {
        assert_eq!(name.parse::<TimeSampling>().unwrap().name(), *name);
    }
    for name in &core.solvers {
        assert_eq!(name.parse::<Solver>().unwrap().name(), *name);
    }
    for name in &core.activations {
        assert_eq!(name.parse::<Activation>().unwrap().name(), *name);
    }
}
