//! The WebGPU matmul of `src/gpu_matmul.rs` against Burn's `Tensor::matmul` on the same device:
//! values and autodiff gradients, contiguous, transposed and sliced inputs, the playground's
//! shapes and ragged edges.
//!
//! Built only with `--features webgpu`, and needs a WebGPU-capable adapter (any GPU, or
//! SwiftShader's Vulkan driver: `VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
//! LD_LIBRARY_PATH=/usr/lib/chromium cargo test --release --features webgpu --test gpu_matmul`).
//! The browser suite covers the same kernel in the WebGPU module (`webgpu is selected, trains,
//! and matches the CPU on shared weights`).
#![cfg(feature = "webgpu")]

use std::sync::OnceLock;

use burn::tensor::{Device, Distribution, Tensor};
use flow_playground::gpu_matmul::matmul;

fn host(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().expect("f32")
}

/// Largest |a − b| relative to the largest |b|.
fn relative_error(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(0.0f32, |m, x| m.max(x.abs())).max(1e-12);
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
        / scale
}

/// The runtime initialises once per process; both tests share its device.
fn device() -> Device {
    static DEVICE: OnceLock<Device> = OnceLock::new();
    DEVICE
        .get_or_init(|| {
            Device::wgpu_options()
                .init()
                .expect("a WebGPU-capable adapter (see the module documentation)")
        })
        .clone()
}

#[test]
fn products_match_burns_matmul() {
    let device = device();
    for (m, k, n) in [
        (256, 3, 64),
        (256, 64, 64),
        (256, 64, 2),
        (1024, 256, 256),
        (7, 5, 3),
    ] {
        let a = Tensor::<2>::random([m, k], Distribution::Normal(0.0, 1.0), &device);
        let b = Tensor::<2>::random([k, n], Distribution::Normal(0.0, 1.0), &device);
        let err = relative_error(
            &host(matmul(a.clone(), b.clone())),
            &host(a.clone().matmul(b.clone())),
        );
        assert!(err < 1e-5, "{m}×{k}·{k}×{n}: relative error {err}");
        // Transposed views as inputs (the backward pass multiplies by aᵀ and bᵀ).
        let at = a.clone().transpose();
        let bt = b.clone().transpose();
        let err = relative_error(&host(matmul(bt.clone(), at.clone())), &host(bt.matmul(at)));
        assert!(
            err < 1e-5,
            "transposed {n}×{k}·{k}×{m}: relative error {err}"
        );
        // A view into the middle of a buffer (an offset and a row stride wider than the row).
        if m > 2 && k > 2 {
            let a_view = a.clone().slice([1..m - 1, 1..k]);
            let b_view = b.clone().slice([1..k, 0..n]);
            let err = relative_error(
                &host(matmul(a_view.clone(), b_view.clone())),
                &host(a_view.matmul(b_view)),
            );
            assert!(err < 1e-5, "views of {m}×{k}·{k}×{n}: relative error {err}");
        }
    }
}

#[test]
fn gradients_match_burns_matmul() {
    let device = device().autodiff();
    let (m, k, n) = (256, 64, 32);
    let a0 = Tensor::<2>::random([m, k], Distribution::Normal(0.0, 1.0), &device);
    let b0 = Tensor::<2>::random([k, n], Distribution::Normal(0.0, 1.0), &device);
    let w = Tensor::<2>::random([m, n], Distribution::Normal(0.0, 1.0), &device);
    let grads = |f: &dyn Fn(Tensor<2>, Tensor<2>) -> Tensor<2>| {
        let a = a0.clone().detach().require_grad();
        let b = b0.clone().detach().require_grad();
        // L = Σ w ⊙ tanh(a·b): a non-linear loss, so ∂L/∂c is not constant.
        let loss = (f(a.clone(), b.clone()).tanh() * w.clone()).sum();
        let g = loss.backward();
        (
            host(a.grad(&g).expect("∂L/∂a")),
            host(b.grad(&g).expect("∂L/∂b")),
        )
    };
    let (ours_a, ours_b) = grads(&|a, b| matmul(a, b));
    let (burn_a, burn_b) = grads(&|a, b| a.matmul(b));
    let (ea, eb) = (
        relative_error(&ours_a, &burn_a),
        relative_error(&ours_b, &burn_b),
    );
    assert!(
        ea < 1e-5 && eb < 1e-5,
        "∂L/∂a relative error {ea}, ∂L/∂b {eb}"
    );
}
