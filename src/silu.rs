//! SiLU, `silu(z) = z·σ(z)`, as one fused operation on Burn's flex CPU backend.
//!
//! Burn's `activation::silu` is `z * sigmoid(z)`: two tensor operations, a scalar `exp` per
//! element, and under autodiff the sigmoid is computed again in the backward pass. On a flex
//! tensor (f32, plain or under autodiff without gradient checkpointing) this module instead runs
//! the vectorised kernels of [`crate::fast_exp`] and, while training, records its own backward
//! step that keeps `y = silu(z)` and `s = σ(z)` from the forward pass:
//!
//! ```text
//! forward:   s = σ(z),  y = z·s                       (one pass)
//! backward:  ∂L/∂z = ∂L/∂y · (s + y·(1 − s))            (one pass, no exp)
//! ```
//!
//! since `silu'(z) = σ(z) + z·σ(z)·(1 − σ(z)) = s + y·(1 − s)`. Every other tensor (WebGPU,
//! another dtype, checkpointed autodiff) goes through `activation::silu` unchanged. Shapes are
//! kept: `[n, width]` in, `[n, width]` out.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{unary, Backward, Ops, OpsKind};
use burn::backend::autodiff::Autodiff;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{
    BackendTensor, DispatchAutodiffContext, DispatchTensor, DispatchTensorKind, Flex,
    GradientCheckpointingStrategy, TensorMetadata,
};
use burn::tensor::{activation, DType, Tensor, TensorData};

use crate::fast_exp;

/// Where a tensor's SiLU runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    /// An f32 flex tensor without autodiff: the fused kernel.
    Flex,
    /// An f32 flex tensor under autodiff without checkpointing: the fused kernel and backward.
    AutodiffFlex,
    /// Anything else: Burn's composition.
    Burn,
}

fn route(tensor: &DispatchTensor) -> Route {
    if tensor.dtype() != DType::F32 {
        return Route::Burn;
    }
    #[allow(unreachable_patterns)] // With flex the only backend, every kind is matched.
    match (&tensor.kind, tensor.autodiff) {
        (DispatchTensorKind::Flex(BackendTensor::Float(_)), DispatchAutodiffContext::Disabled) => {
            Route::Flex
        }
        (
            DispatchTensorKind::Autodiff(inner),
            DispatchAutodiffContext::Enabled(GradientCheckpointingStrategy::Disabled),
        ) if matches!(
            **inner,
            DispatchTensorKind::Flex(BackendTensor::Autodiff(_))
        ) =>
        {
            Route::AutodiffFlex
        }
        _ => Route::Burn,
    }
}

/// `silu(z) = z·σ(z)`, element-wise; `z: [n, m]` → `[n, m]`. Fused on flex (see the module
/// documentation), `activation::silu` elsewhere; differentiable either way.
pub fn silu(z: Tensor<2>) -> Tensor<2> {
    let dispatch = z.into_dispatch();
    let route = route(&dispatch);
    let z = Tensor::<2>::from_dispatch(dispatch);
    match route {
        Route::Flex => {
            let z = z
                .try_into_primitive::<Flex>()
                .expect("routed as a plain flex tensor");
            Tensor::from_primitive::<Flex>(flex_silu(z))
        }
        Route::AutodiffFlex => {
            let z = z
                .try_into_primitive::<Autodiff<Flex>>()
                .expect("routed as an autodiff flex tensor");
            Tensor::from_primitive::<Autodiff<Flex>>(autodiff_flex_silu(z))
        }
        Route::Burn => activation::silu(z),
    }
}

/// `(silu(z), silu'(z))` with `silu'(z) = σ(z)·(1 + z·(1 − σ(z)))`, element-wise; `z: [n, m]`,
/// both results `[n, m]`. One pass on a plain flex tensor; elsewhere (including under autodiff)
/// composed from Burn's operations.
pub fn silu_with_derivative(z: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
    let dispatch = z.into_dispatch();
    let route = route(&dispatch);
    let z = Tensor::<2>::from_dispatch(dispatch);
    if route == Route::Flex {
        let mut y = owned_contiguous(
            z.try_into_primitive::<Flex>()
                .expect("routed as a plain flex tensor"),
        );
        let d = fast_exp::silu_derivative_in_place(f32_storage(&mut y));
        let d = FlexTensor::from_data(TensorData::new(d, y.shape()));
        return (
            Tensor::from_primitive::<Flex>(y),
            Tensor::from_primitive::<Flex>(d),
        );
    }
    let s = activation::sigmoid(z.clone());
    let d = s.clone() * (z.clone() * (s.clone().neg().add_scalar(1.0))).add_scalar(1.0);
    (z * s, d)
}

/// `t` itself when it owns its buffer, is contiguous from offset 0 and is exactly its size (so
/// the kernels can write into it); else a fresh contiguous copy.
fn owned_contiguous(mut t: FlexTensor) -> FlexTensor {
    let n = t.layout().num_elements();
    let exact = t.layout().is_contiguous()
        && t.layout().start_offset() == 0
        && t.bytes().len() == n * size_of::<f32>();
    if exact && t.try_storage_mut::<f32>().is_some() {
        t
    } else {
        FlexTensor::from_data(t.into_data())
    }
}

/// The f32 buffer of a tensor from [`owned_contiguous`].
fn f32_storage(t: &mut FlexTensor) -> &mut [f32] {
    t.try_storage_mut::<f32>()
        .expect("an owned, contiguous f32 tensor")
}

/// `silu(z)` on a plain flex tensor, in place when `z` owns its buffer.
fn flex_silu(z: FlexTensor) -> FlexTensor {
    let mut y = owned_contiguous(z);
    fast_exp::silu_in_place(f32_storage(&mut y));
    y
}

/// `(silu(z), σ(z))` on a plain flex tensor.
fn flex_silu_sigmoid(z: FlexTensor) -> (FlexTensor, FlexTensor) {
    let mut y = owned_contiguous(z);
    let s = fast_exp::silu_sigmoid_in_place(f32_storage(&mut y));
    let s = FlexTensor::from_data(TensorData::new(s, y.shape()));
    (y, s)
}

/// The backward step of the fused SiLU: `∂L/∂z = ∂L/∂y · (s + y·(1 − s))`.
#[derive(Debug)]
struct SiluBackward;

impl Backward<Flex, 1> for SiluBackward {
    /// The forward pass's output `y` and sigmoid `s`.
    type State = (FlexTensor, FlexTensor);

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let (y, s) = ops.state;
        unary::<Flex, _>(ops.parents, ops.node, grads, |grad| {
            let mut grad = owned_contiguous(grad);
            let y = y.as_slice::<f32>().expect("contiguous saved output");
            let s = s.as_slice::<f32>().expect("contiguous saved sigmoid");
            fast_exp::silu_backward_in_place(f32_storage(&mut grad), y, s);
            grad
        });
    }
}

/// `silu(z)` under autodiff: records [`SiluBackward`] when `z` is tracked.
fn autodiff_flex_silu(z: FloatTensor<Autodiff<Flex>>) -> FloatTensor<Autodiff<Flex>> {
    match SiluBackward
        .prepare::<NoCheckpointing>([z.node()])
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => {
            let (y, s) = flex_silu_sigmoid(z.into_primitive());
            prep.finish((y.clone(), s), y)
        }
        OpsKind::UnTracked(prep) => prep.finish(flex_silu(z.into_primitive())),
    }
}
