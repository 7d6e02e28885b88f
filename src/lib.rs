//! Flow Playground: flow matching you can see, train and embed.
//!
//! One concept per module; the time convention (noise at t = 0, data at t = 1) is written once,
//! in [`path`].

pub mod assignment;
pub mod average;
pub mod catalog;
pub mod coupling;
pub mod data;
pub mod density;
pub mod divergence;
pub mod exact;
pub mod fast_exp;
pub mod flow;
#[cfg(feature = "webgpu")]
pub mod gpu_matmul;
pub mod guidance;
pub mod metrics;
pub mod mixture;
pub mod model;
pub mod param;
pub mod path;
pub mod reflow;
pub mod rng;
pub mod score;
pub mod sde;
pub mod silu;
pub mod sinkhorn;
pub mod solver;
pub mod straightness;
pub mod sweep;
pub mod time;
pub mod train;
#[cfg(target_arch = "wasm32")]
pub mod web;
pub mod weights;
