// The messages between the page and the worker that owns the wasm module.
//
// One worker serves every figure on a page; each request names its `figure` (an id) and carries
// a numeric `id`; the worker answers with a message of the same `id` (kind `reply` or `error`),
// so the page can await it. Training is a stream: after `train` the worker sends `progress`,
// `samples`, `snapshot` and finally `stopped` messages, each naming its figure, without an id.
// Point data always travels as Float32Array (transferred, never copied or JSON-encoded).

/** Requests, page → worker. */
export const Request = Object.freeze({
  /** {backend: 'auto'|'webgpu'|'cpu', config, points?: Float32Array, labels?: Uint32Array} →
   * reply {backend, adapter, note}.
   * The worker's first INIT picks its backend; later figures share it. */
  INIT: 'init',
  /** {config, points?, labels?} → reply {} ; starts a fresh run */
  CONFIGURE: 'configure',
  /** {until: number, sample: SampleSpec} → reply {} at once, then progress/samples/stopped */
  TRAIN: 'train',
  /** {} → reply {step}; stops training after the current chunk */
  PAUSE: 'pause',
  /** SampleSpec → reply {x, trajectory, times, nfe, step, backend} */
  SAMPLE: 'sample',
  /** {which: 'learned'|'exact'|'score'|'exact-score', t, bounds: [x0, x1, y0, y1], grid} →
   * reply {v: Float32Array [grid², 2], t, which}; the scores need a Gaussian (mixture) source */
  FIELD: 'field',
  /** {which: 'learned'|'exact', t, bounds, grid, solver?: string, nfe?: number} →
   * reply {logp: Float32Array [grid²], t, which}: log p_t on the FIELD lattice; an error where
   * the source has no closed-form density */
  DENSITY: 'density',
  /** {bins: number} → reply {}: sum the training loss by time into `bins` bins (0: off) */
  LOSS_BINS: 'lossBins',
  /** {} → reply {sums: Float32Array [bins], counts: Uint32Array [bins], pi: Float64Array [bins]}:
   * the loss summed per time bin since the previous read, and the time density π(t) at the bin
   * centres */
  READ_LOSS_BINS: 'readLossBins',
  /** {n, seed} → reply {xy: Float32Array [n, 2]} */
  DATA: 'data',
  /** {x, y, t, k} → reply {supported, note, w [k], x0 [k, 2], x1 [k, 2], curves [k, S, 2],
   * samplesPerCurve: S, u [k, 2], exact [2], learned [2], mass, t}: the conditional paths through
   * the point (x, y) at time t, the k heaviest, and their posterior average (src/average.rs) */
  AVERAGE: 'average',
  /** {n, seed} → reply {xy: Float32Array [n, 2], labels: Uint32Array [n]}: data with classes */
  DATA_LABELLED: 'dataLabelled',
  /** {which: 'learned'|'exact', t, bounds, grid, class, guidance} → reply {v: Float32Array
   * [grid², 2]}: the guided field v_∅ + w·(v_c − v_∅) towards one class */
  GUIDED_FIELD: 'guidedField',
  /** {n, seed, solver?, nfe?} → reply {nll, entropy}: nats per point on fresh data (entropy:
   * the data's, where known, else null); an error where the source has no density */
  NLL: 'nll',
  /** {solver, nfe, n, seed} → reply {straightness}: S = E∫‖(X₁ − X₀) − v(X_t, t)‖² dt */
  STRAIGHTNESS: 'straightness',
  /** {n, solver, nfe, seed} → reply {reflows, step}: trains on from here on the pairs
   * (x₀, ODE(x₀)) of the current flow (a rectified flow) */
  REFLOW: 'reflow',
  /** {index, n, seed, noise?} → reply {point: {solver, nfe, w2, w2Floor, completed, count} |
   * null}: one point of the cost-vs-steps sweep (null past its end) */
  SWEEP_POINT: 'sweepPoint',
  /** {n} → reply {xy: Float32Array [n, 4]}: coupled (x₀, x₁) pairs */
  PAIRS: 'pairs',
  /** {} → reply {bytes: Uint8Array} */
  EXPORT: 'export',
  /** {bytes: Uint8Array} → reply {config} (the file's FlowConfig) */
  IMPORT: 'import',
  /** {} → reply {}: frees the figure's playground */
  DISPOSE: 'dispose',
  /** {} → reply {heapBytes, gpu: {inUse, reserved, allocations} | null}: wasm memory and the
   * WebGPU allocator's bytes, for leak checks */
  MEMORY: 'memory',
  /** {} → reply {}: destroys the GPU device (tests the CPU fallback) */
  LOSE_DEVICE: 'loseDevice',
});

/** Worker → page. */
export const Event = Object.freeze({
  REPLY: 'reply',
  /** {message, fatal}: fatal means the module stopped and the worker must be replaced */
  ERROR: 'error',
  /** {step, loss, stepsPerSec} — the loss is the mean since the previous progress message */
  PROGRESS: 'progress',
  /** {x, trajectory, times, nfe, step, backend} — fresh particles from the current weights */
  SAMPLES: 'samples',
  /** {reason: 'done'|'paused'|'nan'|'error', step, message?} */
  STOPPED: 'stopped',
  /** {bytes}: the latest weights, kept by the page to survive a lost device */
  SNAPSHOT: 'snapshot',
  /** {backend, adapter, note}: the figure moved to the WebGPU module with its weights (its
   * training, if any, goes on there), or (backend 'cpu', with a note) stays on the CPU because
   * the WebGPU module or its device failed */
  BACKEND: 'backend',
});

/**
 * @typedef {{n: number, solver: string, nfe: number, seed: number, record: boolean,
 *   sampler?: 'ode'|'sde', noise?: number, class?: number, guidance?: number}} SampleSpec
 * With sampler 'sde' the particles follow the SDE of the same marginals (noise scale `noise`,
 * default 1) in `nfe` Euler–Maruyama steps; `solver` is then unused. For a conditional model,
 * `class` (−1, the default: each particle's class drawn like the data's) and `guidance` (the
 * scale w, default 1); the reply then carries `classes: Uint32Array [n]`.
 */

/** Buffers of a message that can be transferred instead of copied. */
export function transferables(message) {
  const out = [];
  for (const value of Object.values(message)) {
    if (ArrayBuffer.isView(value) && !out.includes(value.buffer)) out.push(value.buffer);
  }
  return out;
}
