//! Matrix products on WebGPU with CubeCL's one-unit-per-output kernel.
//!
//! `C = A·B` for `A: [m, k]`, `B: [k, n]` → `C: [m, n]`, each output `C[i, j] = Σ_l A[i, l]·B[l, j]`
//! computed by one invocation. Burn's matmul on WebGPU without autotune is a tiled kernel staged
//! through workgroup memory (its fused variant asks for tensor cores, which WebGPU lacks, and
//! falls back to it), built for large products on real GPUs. The playground's products are small
//! (`256×3·3×64` to `1024×256·256×256`); on SwiftShader, WebGPU on the CPU, the matmul was 90% of
//! a training step, and with this kernel the step is 3.1× and sampling 2.4× faster (native wgpu
//! on SwiftShader's Vulkan; bench/README.md has the browser's numbers). Everything else (CPU
//! tensors, other dtypes, checkpointed autodiff) goes through `Tensor::matmul` unchanged.
//!
//! The launch is registered as a custom operation in Burn's fusion stream, so it runs in order
//! with the fused element-wise kernels around it and nothing is read back.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{binary, Backward, Ops, OpsKind};
use burn::backend::autodiff::Autodiff;
use burn::backend::cubecl::dtype_to_storage_type;
use burn::backend::fusion::custom::{CustomOpIr, OperationFn, OperationIr, StreamId, TensorIr};
use burn::backend::fusion::FusionTensor;
use burn::backend::ops::FloatTensorOps;
use burn::backend::tensor::FloatTensor;
use burn::backend::{
    BackendTensor, Cube, DispatchAutodiffContext, DispatchTensor, DispatchTensorKind,
    GradientCheckpointingStrategy, TensorMetadata,
};
use burn::tensor::{DType, Shape, Tensor};
use burn_cubecl::kernel::matmul::init_matmul_output;
use burn_cubecl::tensor::CubeTensor;
use burn_cubecl::CubeBackend;
use cubek::matmul::definition::{MatmulElems, MatmulGlobalElems};
use cubek::matmul::strategy::Strategy;
use cubek::std::InputBinding;

type Runtime = <CubeBackend as burn::backend::fusion::FusionBackend>::FusionRuntime;

/// Where a product runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    /// Two plain f32 WebGPU tensors: the unit kernel.
    Cube,
    /// Two f32 WebGPU tensors under autodiff without checkpointing: the unit kernel, forward
    /// and backward.
    AutodiffCube,
    /// Anything else: `Tensor::matmul`.
    Burn,
}

fn route(t: &DispatchTensor) -> Route {
    if t.dtype() != DType::F32 {
        return Route::Burn;
    }
    match (&t.kind, t.autodiff) {
        (DispatchTensorKind::Cube(BackendTensor::Float(_)), DispatchAutodiffContext::Disabled) => {
            Route::Cube
        }
        (
            DispatchTensorKind::Autodiff(inner),
            DispatchAutodiffContext::Enabled(GradientCheckpointingStrategy::Disabled),
        ) if matches!(
            **inner,
            DispatchTensorKind::Cube(BackendTensor::Autodiff(_))
        ) =>
        {
            Route::AutodiffCube
        }
        _ => Route::Burn,
    }
}

/// `a·b` for `a: [m, k]`, `b: [k, n]` → `[m, n]`: CubeCL's one-unit-per-output kernel for f32
/// WebGPU tensors (see the module documentation), `Tensor::matmul` for anything else;
/// differentiable either way.
pub fn matmul(a: Tensor<2>, b: Tensor<2>) -> Tensor<2> {
    let (a, b) = (a.into_dispatch(), b.into_dispatch());
    let (ra, rb) = (route(&a), route(&b));
    let (a, b) = (Tensor::<2>::from_dispatch(a), Tensor::<2>::from_dispatch(b));
    match (ra, rb) {
        (Route::Cube, Route::Cube) => {
            let a = a
                .try_into_primitive::<Cube>()
                .expect("routed as a WebGPU tensor");
            let b = b
                .try_into_primitive::<Cube>()
                .expect("routed as a WebGPU tensor");
            Tensor::from_primitive::<Cube>(fusion_matmul(a, b))
        }
        (Route::AutodiffCube, Route::AutodiffCube) => {
            let a = a
                .try_into_primitive::<Autodiff<Cube>>()
                .expect("routed as an autodiff WebGPU tensor");
            let b = b
                .try_into_primitive::<Autodiff<Cube>>()
                .expect("routed as an autodiff WebGPU tensor");
            Tensor::from_primitive::<Autodiff<Cube>>(autodiff_matmul(a, b))
        }
        _ => a.matmul(b),
    }
}

/// The backward step of `c = a·b`: `∂L/∂a = ∂L/∂c · bᵀ`, `∂L/∂b = aᵀ · ∂L/∂c`, both with the
/// unit kernel.
#[derive(Debug)]
struct MatmulBackward;

impl Backward<Cube, 2> for MatmulBackward {
    /// `a` when `b` needs a gradient, `b` when `a` does.
    type State = (Option<FusionTensor<Runtime>>, Option<FusionTensor<Runtime>>);

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
        let (a, b) = ops.state;
        binary::<Cube, _, _>(
            ops.parents,
            ops.node,
            grads,
            |grad| fusion_matmul(grad, Cube::float_transpose(b.expect("kept for ∂L/∂a"))),
            |grad| fusion_matmul(Cube::float_transpose(a.expect("kept for ∂L/∂b")), grad),
        );
    }
}

/// `a·b` under autodiff: records [`MatmulBackward`] when either input is tracked.
fn autodiff_matmul(
    a: FloatTensor<Autodiff<Cube>>,
    b: FloatTensor<Autodiff<Cube>>,
) -> FloatTensor<Autodiff<Cube>> {
    let (a_tracked, b_tracked) = (a.is_tracked(), b.is_tracked());
    match MatmulBackward
        .prepare::<NoCheckpointing>([a.node(), b.node()])
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => {
            let (a, b) = (a.into_primitive(), b.into_primitive());
            let state = (b_tracked.then(|| a.clone()), a_tracked.then(|| b.clone()));
            prep.finish(state, fusion_matmul(a, b))
        }
        OpsKind::UnTracked(prep) => {
            prep.finish(fusion_matmul(a.into_primitive(), b.into_primitive()))
        }
    }
}

/// Registers the product of two fusion tensors as one custom operation on their stream.
fn fusion_matmul(a: FusionTensor<Runtime>, b: FusionTensor<Runtime>) -> FusionTensor<Runtime> {
    let (m, n) = (a.shape[0], b.shape[1]);
    let client = a.client.clone();
    let out = TensorIr::uninit(client.create_empty_handle(), Shape::new([m, n]), DType::F32);
    let (a, b) = (a.into_ir(), b.into_ir());
    let repr = CustomOpIr {
        id: "playground_unit_matmul".into(),
        inputs: vec![a.clone(), b.clone()],
        outputs: vec![out.clone()],
        scalars: Vec::new(),
    };
    let id = out.id;
    let mut outputs = client.register(
        StreamId::current(),
        OperationIr::Custom(repr),
        OperationFn(
            move |handles: &mut burn::backend::fusion::custom::HandleContainer<_>| {
                let a = handles.get_float_tensor::<CubeBackend>(&a);
                let b = handles.get_float_tensor::<CubeBackend>(&b);
                handles.register_float_tensor::<CubeBackend>(&id, unit_matmul(a, b));
                Ok(())
            },
        ),
    );
    outputs.remove(0)
}

/// Launches the kernel on two CubeCL tensors.
fn unit_matmul(a: CubeTensor, b: CubeTensor) -> CubeTensor {
    let out = init_matmul_output(&a, &b, DType::F32);
    let f32 = dtype_to_storage_type(DType::F32);
    let mut dtypes = MatmulElems::from_globals(&MatmulGlobalElems {
        lhs: f32,
        rhs: f32,
        out: f32,
    });
    let client = out.client.clone();
    cubek::matmul::launch::launch_ref(
        &Strategy::MultiLevel(cubek::matmul::multi_level::Strategy::Naive),
        &client,
        InputBinding::new(a.binding(), f32),
        InputBinding::new(b.binding(), f32),
        out.clone().binding(),
        &mut dtypes,
    )
    .expect("the unit matmul takes any f32 layout");
    out
}
