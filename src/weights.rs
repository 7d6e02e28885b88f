//! Saved models: a Burn record of the weights plus the [`FlowConfig`] that gives them meaning.
//!
//! File layout (little-endian), one format for the CLI and the browser:
//!
//! ```text
//! 8 bytes   magic  b"FLOWPG\0\x01"   (format version 1)
//! 4 bytes   n      length of the config
//! n bytes   config FlowConfig as JSON
//! rest      the weights: Burn's burnpack record of VelocityMlp
//! ```
//!
//! Loading checks each part in turn — magic, lengths, config values, that every tensor the
//! network needs is present with the right shape, and that every weight is finite — and says
//! which check failed.

use std::fmt;

use burn::module::{Module, ModuleVisitor, Param};
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device, Tensor};

use crate::flow::{Flow, FlowConfig};

const MAGIC: &[u8; 8] = b"FLOWPG\0\x01";
const MAX_CONFIG_BYTES: usize = 64 * 1024;

/// Why a weights file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeightsError {
    /// Not a Flow Playground weights file (or another format version).
    NotAWeightsFile,
    /// The file ends early.
    Truncated(String),
    /// The config is unreadable or out of range.
    BadConfig(String),
    /// The weights do not fit the network the config describes.
    Mismatch(String),
    /// A weight is NaN or infinite.
    NonFinite(String),
    /// Writing failed.
    Save(String),
}

impl fmt::Display for WeightsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeightsError::NotAWeightsFile => {
                f.write_str("not a Flow Playground weights file (bad magic bytes or version)")
            }
            WeightsError::Truncated(what) => write!(f, "weights file is truncated: {what}"),
            WeightsError::BadConfig(what) => write!(f, "weights file has a bad config: {what}"),
            WeightsError::Mismatch(what) => {
                write!(f, "weights do not match their config: {what}")
            }
            WeightsError::NonFinite(what) => write!(f, "weights contain non-finite values: {what}"),
            WeightsError::Save(what) => write!(f, "could not save weights: {what}"),
        }
    }
}

impl std::error::Error for WeightsError {}

/// Serialises a flow to the bytes of a weights file.
pub fn to_bytes(flow: &Flow) -> Result<Vec<u8>, WeightsError> {
    let config = serde_json::to_vec(&flow.config).map_err(|e| WeightsError::Save(e.to_string()))?;
    let record = flow
        .model
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| WeightsError::Save(e.to_string()))?;
    let mut out = Vec::with_capacity(12 + config.len() + record.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(config.len() as u32).to_le_bytes());
    out.extend_from_slice(&config);
    out.extend_from_slice(&record);
    Ok(out)
}

/// Reads just the config of a weights file.
pub fn read_config(bytes: &[u8]) -> Result<FlowConfig, WeightsError> {
    split(bytes).map(|(config, _)| config)
}

/// Parses and validates a weights file, building the network on `device`.
pub fn from_bytes(bytes: &[u8], device: &Device) -> Result<Flow, WeightsError> {
    let (config, record_bytes) = split(bytes)?;
    if record_bytes.is_empty() {
        return Err(WeightsError::Truncated(
            "no weights after the config".into(),
        ));
    }
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(record_bytes.to_vec()))
        .map_err(|e| WeightsError::Truncated(e.to_string()))?;
    // Shapes and names are checked against a freshly built network of the configured size.
    let model = config
        .model
        .init(0, device)
        .try_load_record(record)
        .map_err(|e| WeightsError::Mismatch(e.to_string()))?;
    let mut check = FiniteCheck::default();
    model.visit(&mut check);
    if let Some(bad) = check.first_bad {
        return Err(WeightsError::NonFinite(bad));
    }
    Ok(Flow { config, model })
}

fn split(bytes: &[u8]) -> Result<(FlowConfig, &[u8]), WeightsError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(WeightsError::NotAWeightsFile);
    }
    let rest = &bytes[MAGIC.len()..];
    if rest.len() < 4 {
        return Err(WeightsError::Truncated("no config length".into()));
    }
    let n = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
    if n > MAX_CONFIG_BYTES {
        return Err(WeightsError::BadConfig(format!(
            "config of {n} bytes is too large"
        )));
    }
    let rest = &rest[4..];
    if rest.len() < n {
        return Err(WeightsError::Truncated(format!(
            "config needs {n} bytes, {} remain",
            rest.len()
        )));
    }
    let config: FlowConfig =
        serde_json::from_slice(&rest[..n]).map_err(|e| WeightsError::BadConfig(e.to_string()))?;
    config.model.validate().map_err(WeightsError::BadConfig)?;
    config.path.validate().map_err(WeightsError::BadConfig)?;
    if let Some(p) = config.label_dropout {
        if !(0.0..1.0).contains(&p) {
            return Err(WeightsError::BadConfig(format!(
                "label dropout must be in [0, 1), got {p}"
            )));
        }
    }
    Ok((config, &rest[n..]))
}

/// Finds the first parameter holding a NaN or an infinity.
#[derive(Default)]
struct FiniteCheck {
    first_bad: Option<String>,
    index: usize,
}

impl ModuleVisitor for FiniteCheck {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let index = self.index;
        self.index += 1;
        if self.first_bad.is_some() {
            return;
        }
        let values = param
            .val()
            .into_data()
            .try_into_vec::<f32>()
            .unwrap_or_default();
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            self.first_bad = Some(format!("parameter #{index}, element {i} is {}", values[i]));
        }
    }
}
