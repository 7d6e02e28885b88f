//! The names the core accepts, in menu order: what the page's menus and URL registry offer
//! (`www/state.js` lists them too; `tests/catalog.rs` checks that the two agree).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::coupling::Coupling;
use crate::data::Dataset;
use crate::model::Activation;
use crate::param::Parameterization;
use crate::path::Path;
use crate::solver::Solver;
use crate::time::TimeSampling;

/// A dataset's noise standard deviations: the default and the literature's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    pub default: f64,
    pub literature: f64,
}

/// Every name the core parses, by kind (`gaussian` is a dataset here: it serves as a source).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Catalog {
    pub datasets: Vec<&'static str>,
    pub spreads: BTreeMap<&'static str, Spread>,
    pub max_spread: f64,
    pub paths: Vec<&'static str>,
    pub parameterizations: Vec<&'static str>,
    pub couplings: Vec<&'static str>,
    pub time_samplings: Vec<&'static str>,
    pub solvers: Vec<&'static str>,
    pub activations: Vec<&'static str>,
}

/// The catalog of this build of the core.
pub fn catalog() -> Catalog {
    Catalog {
        datasets: Dataset::ALL.iter().map(|d| d.name()).collect(),
        spreads: Dataset::ALL
            .iter()
            .map(|d| {
                let spread = Spread {
                    default: d.default_spread(),
                    literature: d.literature_spread(),
                };
                (d.name(), spread)
            })
            .collect(),
        max_spread: Dataset::MAX_SPREAD,
        paths: Path::NAMES.to_vec(),
        parameterizations: Parameterization::ALL.iter().map(|p| p.name()).collect(),
        couplings: Coupling::ALL.iter().map(|c| c.name()).collect(),
        time_samplings: TimeSampling::NAMES.to_vec(),
        solvers: Solver::NAMES.to_vec(),
        activations: Activation::ALL.iter().map(|a| a.name()).collect(),
    }
}
