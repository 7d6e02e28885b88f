//! Matrix products on WebGPU with a register-blocked kernel of our own.
//!
//! `C = A·B` for `A: [m, k]`, `B: [k, n]` → `C: [m, n]`, `C[i, j] = Σ_l A[i, l]·B[l, j]`, each
//! invocation computing a 4×4 block of `C` in registers ([`kernel::block_matmul_kernel`]).
//!
//! Why not Burn's: without autotune, Burn's matmul on WebGPU is a tiled kernel staged through
//! workgroup memory (its fused variant asks for tensor cores, which WebGPU lacks, and falls back
//! to it), built for large products on real GPUs. The playground's products are small (`256×3·3×64`
//! to `1024×256·256×256`, and `10⁴…10⁵ × 64 · 64×64` when sampling). On SwiftShader, WebGPU on
//! the CPU, that matmul was ~95% of a training step (CubeCL's profiler, native wgpu on
//! SwiftShader's Vulkan). Same binary, same driver, 3×64 batch 256: training 4.8 → 26 steps/s
//! (5.4×); sampling 10⁴ particles 8.7e3 → 5.9e4 particle-evaluations/s (6.8×). CubeCL's
//! one-output-per-invocation kernel (`Naive`) got 14.9 and 2.1e4; its `CpuGemm`, `Gemm` and
//! `DoubleUnit` routines did worse. bench/README.md has the browser's numbers.
//!
//! Everything else (CPU tensors, other dtypes, checkpointed autodiff) goes through
//! `Tensor::matmul` unchanged. The launch is registered as a custom operation in Burn's fusion
//! stream, so it runs in order with the fused element-wise kernels around it and nothing is read
//! back; under autodiff it records its own backward step, `∂L/∂A = ∂L/∂C·Bᵀ`, `∂L/∂B = Aᵀ·∂L/∂C`,
//! with the same kernel.

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
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::kernel::matmul::init_matmul_output;
use burn_cubecl::tensor::CubeTensor;
use burn_cubecl::CubeBackend;
use cubecl::{calculate_cube_count_elemwise, CubeDim};
use kernel::block_matmul_kernel;

type Runtime = <CubeBackend as burn::backend::fusion::FusionBackend>::FusionRuntime;

/// Where a product runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    /// Two plain f32 WebGPU tensors: the block kernel.
    Cube,
    /// Two f32 WebGPU tensors under autodiff without checkpointing: the block kernel, forward
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

/// `a·b` for `a: [m, k]`, `b: [k, n]` → `[m, n]`: the block kernel for f32
/// WebGPU tensors (see the module documentation), `Tensor::matmul` for anything else;
/// differentiable either way.
pub fn matmul(a: Tensor<2>, b: Tensor<2>) -> Tensor<2> {
    let ([m, k], [k_b, n]) = (a.dims(), b.dims());
    assert_eq!(
        k, k_b,
        "matmul of [{m}, {k}] by [{k_b}, {n}]: inner sizes differ"
    );
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
/// block kernel.
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

/// Registers the product of two fusion tensors as one custom operation on their stream (the
/// operation type is burn-fusion's `OperationFn`, the closure adapter its `#[backend_extension]`
/// macro uses; the macro itself needs Burn's `extension` feature, which would rebuild Burn).
fn fusion_matmul(a: FusionTensor<Runtime>, b: FusionTensor<Runtime>) -> FusionTensor<Runtime> {
    let (m, n) = (a.shape[0], b.shape[1]);
    let client = a.client.clone();
    let out = TensorIr::uninit(client.create_empty_handle(), Shape::new([m, n]), DType::F32);
    let (a, b) = (a.into_ir(), b.into_ir());
    let repr = CustomOpIr {
        id: "playground_block_matmul".into(),
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
                handles.register_float_tensor::<CubeBackend>(&id, block_matmul(a, b));
                Ok(())
            },
        ),
    );
    outputs.remove(0)
}

/// Launches [`block_matmul_kernel`] on two CubeCL tensors. The kernel reads any strides, but a
/// transposed view (the backward pass's `Bᵀ` and `Aᵀ`) is copied to rows first: read in place,
/// its columns cost more than the copy (3×256 training on SwiftShader: 0.8 steps/s with the
/// copy, 0.7 reading in place).
fn block_matmul(a: CubeTensor, b: CubeTensor) -> CubeTensor {
    let rows = |t: CubeTensor| {
        if t.meta.strides()[1] == 1 {
            t
        } else {
            into_contiguous(t)
        }
    };
    let (a, b) = (rows(a), rows(b));
    let (m, k, n) = (a.meta.shape()[0], a.meta.shape()[1], b.meta.shape()[1]);
    let c = init_matmul_output(&a, &b, DType::F32);
    let blocks = m.div_ceil(4) * n.div_ceil(4);
    if blocks == 0 {
        return c;
    }
    let client = c.client.clone();
    let cube_dim = CubeDim::new_1d(64);
    let cube_count = calculate_cube_count_elemwise(&client, blocks, cube_dim);
    block_matmul_kernel::launch(
        &client,
        cube_count,
        cube_dim,
        a.into_tensor_arg(),
        b.into_tensor_arg(),
        c.clone().into_tensor_arg(),
        m as u32,
        k as u32,
        n as u32,
        dtype_to_storage_type(DType::F32),
    );
    c
}

/// The kernel, apart from Burn's `Tensor` (CubeCL's prelude has its own).
mod kernel {
    use cubecl::prelude::*;

    /// `c = a·b` for `a: [m, k]`, `b: [k, n]` of any strides and a contiguous row-major
    /// `c: [m, n]`: each unit computes a 4×4 block of `c` in registers, reading 4 values of `a`'s
    /// column and 4 of `b`'s row per step of `k` for 16 products (one output per unit reads two
    /// values per product). Rows and columns past the edge read the last valid one (so the loop
    /// has no branches) and are not written.
    #[cube(launch)]
    pub(super) fn block_matmul_kernel<F: Float>(
        a: &Tensor<F>,
        b: &Tensor<F>,
        c: &mut Tensor<F>,
        m: u32,
        k: u32,
        n: u32,
        #[define(F)] _dtype: ElemType,
    ) {
        let (m, k, n) = (m as usize, k as usize, n as usize);
        let col_blocks = n.div_ceil(4);
        let unit = ABSOLUTE_POS;
        if unit >= m.div_ceil(4) * col_blocks {
            terminate!();
        }
        let r0 = (unit / col_blocks) * 4;
        let c0 = (unit % col_blocks) * 4;
        let (last_row, last_col) = (m - 1, n - 1);
        let (a_row, a_col) = (a.stride(0), a.stride(1));
        let (b_row, b_col) = (b.stride(0), b.stride(1));
        let ra0 = r0 * a_row;
        let ra1 = select(r0 + 1 < m, r0 + 1, last_row) * a_row;
        let ra2 = select(r0 + 2 < m, r0 + 2, last_row) * a_row;
        let ra3 = select(r0 + 3 < m, r0 + 3, last_row) * a_row;
        let cb0 = c0 * b_col;
        let cb1 = select(c0 + 1 < n, c0 + 1, last_col) * b_col;
        let cb2 = select(c0 + 2 < n, c0 + 2, last_col) * b_col;
        let cb3 = select(c0 + 3 < n, c0 + 3, last_col) * b_col;
        let zero = F::new(0.0);
        let (mut s00, mut s01, mut s02, mut s03) = (zero, zero, zero, zero);
        let (mut s10, mut s11, mut s12, mut s13) = (zero, zero, zero, zero);
        let (mut s20, mut s21, mut s22, mut s23) = (zero, zero, zero, zero);
        let (mut s30, mut s31, mut s32, mut s33) = (zero, zero, zero, zero);
        for l in 0..k {
            let col = l * a_col;
            let a0 = a[ra0 + col];
            let a1 = a[ra1 + col];
            let a2 = a[ra2 + col];
            let a3 = a[ra3 + col];
            let row = l * b_row;
            let b0 = b[row + cb0];
            let b1 = b[row + cb1];
            let b2 = b[row + cb2];
            let b3 = b[row + cb3];
            s00 += a0 * b0;
            s01 += a0 * b1;
            s02 += a0 * b2;
            s03 += a0 * b3;
            s10 += a1 * b0;
            s11 += a1 * b1;
            s12 += a1 * b2;
            s13 += a1 * b3;
            s20 += a2 * b0;
            s21 += a2 * b1;
            s22 += a2 * b2;
            s23 += a2 * b3;
            s30 += a3 * b0;
            s31 += a3 * b1;
            s32 += a3 * b2;
            s33 += a3 * b3;
        }
        write_row::<F>(c, r0, c0, m, n, s00, s01, s02, s03);
        write_row::<F>(c, r0 + 1, c0, m, n, s10, s11, s12, s13);
        write_row::<F>(c, r0 + 2, c0, m, n, s20, s21, s22, s23);
        write_row::<F>(c, r0 + 3, c0, m, n, s30, s31, s32, s33);
    }

    /// Writes the four values of one block row that lie inside `c: [m, n]`.
    #[cube]
    #[allow(clippy::too_many_arguments)]
    fn write_row<F: Float>(
        c: &mut Tensor<F>,
        r: usize,
        c0: usize,
        m: usize,
        n: usize,
        v0: F,
        v1: F,
        v2: F,
        v3: F,
    ) {
        if r < m {
            let o = r * n + c0;
            c[o] = v0;
            if c0 + 1 < n {
                c[o + 1] = v1;
            }
            if c0 + 2 < n {
                c[o + 2] = v2;
            }
            if c0 + 3 < n {
                c[o + 3] = v3;
            }
        }
    }
}
