// The messages between the page and the worker that owns the wasm module.
//
// One worker serves every figure on a page; each request names its `figure` (an id) and carries
// a numeric `id`; the worker answers with a message of the same `id` (kind `reply` or `error`),
// so the page can await it. Training is a stream: after `train` the worker sends `progress`,
// `samples`, `snapshot` and finally `stopped` messages, each naming its figure, without an id.
// Point data always travels as Float32Array (transferred, never copied or JSON-encoded).

/** Requests, page → worker. */
export const Request = Object.freeze({
  /** {backend: 'auto'|'webgpu'|'cpu', config, points?: Float32Array} → reply {backend, adapter, note}.
   * The worker's first INIT picks its backend; later figures share it. */
  INIT: 'init',
  /** {config, points?} → reply {} ; starts a fresh run */
  CONFIGURE: 'configure',
  /** {until: number, sample: SampleSpec} → reply {} at once, then progress/samples/stopped */
  TRAIN: 'train',
  /** {} → reply {step}; stops training after the current chunk */
  PAUSE: 'pause',
  /** SampleSpec → reply {x, trajectory, times, nfe, step} */
  SAMPLE: 'sample',
  /** {which: 'learned'|'exact', t, bounds: [x0, x1, y0, y1], grid} → reply {v: Float32Array} */
  FIELD: 'field',
  /** {n, seed} → reply {xy: Float32Array [n, 2]} */
  DATA: 'data',
  /** {x, y, t, k} → reply {supported, note, w [k], x0 [k, 2], x1 [k, 2], curves [k, S, 2],
   * samplesPerCurve: S, u [k, 2], exact [2], learned [2], mass, t}: the conditional paths through
   * the point (x, y) at time t, the k heaviest, and their posterior average (src/average.rs) */
  AVERAGE: 'average',
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
  /** {x, trajectory, times, nfe, step} — fresh particles from the current weights */
  SAMPLES: 'samples',
  /** {reason: 'done'|'paused'|'nan'|'error', step, message?} */
  STOPPED: 'stopped',
  /** {bytes}: the latest weights, kept by the page to survive a lost device */
  SNAPSHOT: 'snapshot',
});

/**
 * @typedef {{n: number, solver: string, nfe: number, seed: number, record: boolean}} SampleSpec
 */

/** Buffers of a message that can be transferred instead of copied. */
export function transferables(message) {
  const out = [];
  for (const value of Object.values(message)) {
    if (ArrayBuffer.isView(value) && !out.includes(value.buffer)) out.push(value.buffer);
  }
  return out;
}
