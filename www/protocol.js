// The messages between the page and the worker that owns the wasm module.
//
// One worker serves every figure on a page; each request names its `figure` (an id) and carries
// a numeric `id`; the worker answers with a message of the same `id` (kind `reply` or `error`),
// so the page can await it. Training is a stream: after `train` the worker sends `progress`,
// `samples`, `snapshot` and finally `stopped` messages, each naming its figure, without an id.
// Point data always travels as Float32Array (transferred, never copied or JSON-encoded).

/** Requests, page → worker. */
export const Request = Object.freeze({
  /** {backend: 'auto'|'webgpu'|'cpu', config, points?: Float32Array, labels?: Uint32Array,
   * sourcePoints?: Float32Array} → reply {backend, adapter, note}. `points` (with `labels`) is
   * the cloud of dataset `points`, `sourcePoints` that of source `points`.
   * The worker's first INIT picks its backend; later figures share it. */
  INIT: 'init',
  /** {config, points?, labels?, sourcePoints?} → reply {} ; starts a fresh run */
  CONFIGURE: 'configure',
  /** {until: number, sample: SampleSpec} → reply {} at once, then progress/samples/stopped */
  TRAIN: 'train',
  /** {} → reply {step}; stops training after the current chunk */
  PAUSE: 'pause',
  /** SampleSpec → reply {x, trajectory, times, nfe, step, backend, sampler: 'ode'|'sde'} */
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

// ------------------------------------------------------------------ checking a request
// The worker checks each request's fields before it calls the core: wasm-bindgen would quietly
// turn −1 into 4294967295, 2.5 into 2 and 'abc' into 0 for a u32. Types are checked here;
// ranges (how many particles, which solver) are the core's, and it names them in its errors.

const U32_MAX = 2 ** 32 - 1;
const I32_MIN = -(2 ** 31);

/** A field's kinds: `check(value)` is true for an acceptable value; `what` says what it must be. */
const u32 = { what: 'a whole number in 0…4294967295', check: (v) => Number.isInteger(v) && v >= 0 && v <= U32_MAX };
const i32 = { what: 'a whole number in −2147483648…2147483647', check: (v) => Number.isInteger(v) && v >= I32_MIN && v <= 2 ** 31 - 1 };
const finite = { what: 'a finite number', check: (v) => typeof v === 'number' && Number.isFinite(v) };
const text = { what: 'a string', check: (v) => typeof v === 'string' };
const flag = { what: 'true or false', check: (v) => typeof v === 'boolean' };
const id = { what: 'a figure id (a string or a number)', check: (v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) };
const oneOf = (...options) => ({ what: `one of ${options.join(', ')}`, check: (v) => options.includes(v) });
const arrayOf = (type) => ({ what: `a ${type.name}`, check: (v) => v instanceof type });
const config = { what: 'a config object', check: (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) };
const numbers = {
  what: 'an array of numbers',
  check: (v) => (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView)))
    && Array.from(v).every((x) => typeof x === 'number'),
};
/** Absent (undefined or null) or of `type`. */
const optional = (type) => ({ what: `${type.what} (or absent)`, check: (v) => v === undefined || v === null || type.check(v) });

const SAMPLE_SPEC = {
  n: u32, solver: text, nfe: u32, seed: u32, record: flag, sampler: optional(oneOf('ode', 'sde')), noise: optional(finite),
  class: optional(i32), guidance: optional(finite),
};
const LATTICE = { which: text, t: finite, bounds: numbers, grid: u32 };

/** The own-data clouds a run starts with. */
const CLOUDS = { points: optional(arrayOf(Float32Array)), labels: optional(arrayOf(Uint32Array)), sourcePoints: optional(arrayOf(Float32Array)) };

/** Each request's fields (besides `type`, `id` and `figure`). */
const FIELDS = {
  [Request.INIT]: { backend: oneOf('auto', 'webgpu', 'cpu'), config, ...CLOUDS },
  [Request.CONFIGURE]: { config, ...CLOUDS },
  [Request.TRAIN]: { until: u32, sample: optional({ what: 'a sample spec', check: (v) => typeof v === 'object' }) },
  [Request.PAUSE]: {},
  [Request.SAMPLE]: SAMPLE_SPEC,
  [Request.FIELD]: LATTICE,
  [Request.DENSITY]: { ...LATTICE, solver: optional(text), nfe: optional(u32) },
  [Request.LOSS_BINS]: { bins: u32 },
  [Request.READ_LOSS_BINS]: {},
  [Request.DATA]: { n: u32, seed: u32 },
  [Request.AVERAGE]: { x: finite, y: finite, t: finite, k: u32 },
  [Request.DATA_LABELLED]: { n: u32, seed: u32 },
  [Request.GUIDED_FIELD]: { ...LATTICE, class: u32, guidance: finite },
  [Request.NLL]: { n: u32, seed: u32, solver: optional(text), nfe: optional(u32) },
  [Request.STRAIGHTNESS]: { solver: text, nfe: u32, n: u32, seed: u32 },
  [Request.REFLOW]: { n: u32, solver: text, nfe: u32, seed: u32 },
  [Request.SWEEP_POINT]: { index: u32, n: u32, seed: u32, noise: optional(finite) },
  [Request.PAIRS]: { n: u32 },
  [Request.EXPORT]: {},
  [Request.IMPORT]: { bytes: arrayOf(Uint8Array) },
  [Request.DISPOSE]: {},
  [Request.MEMORY]: {},
  [Request.LOSE_DEVICE]: {},
};
/** Requests about the worker, not one figure. */
const WORKER_WIDE = new Set([Request.MEMORY, Request.LOSE_DEVICE]);

/** A short, safe description of a value for a message (never calls the value's own methods). */
export function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${Object.prototype.toString.call(value).slice(8, -1)}`;
  switch (typeof value) {
    case 'string': return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number': case 'boolean': case 'undefined': return String(value);
    case 'bigint': return `${value}n`;
    case 'object': return 'an object';
    default: return `a ${typeof value}`;
  }
}

function checkFields(what, message, fields) {
  for (const [name, type] of Object.entries(fields)) {
    const value = message[name];
    if (!type.check(value)) return `${what}: ${name} must be ${type.what}, got ${describe(value)}`;
  }
  return null;
}

/**
 * Checks a request's type and its fields' types: null when it may go to the core, else a
 * message naming the request and the field (`sample: n must be a whole number in 0…4294967295,
 * got -1`).
 */
export function validateRequest(message) {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return `a request must be an object, got ${describe(message)}`;
  const { type } = message;
  if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) return `unknown request ${describe(type)}`;
  if (!WORKER_WIDE.has(type) && !id.check(message.figure)) return `${type}: figure must be ${id.what}, got ${describe(message.figure)}`;
  const problem = checkFields(type, message, FIELDS[type]);
  if (problem) return problem;
  if (type === Request.TRAIN && message.sample != null) return checkFields(`${type}: sample`, message.sample, SAMPLE_SPEC);
  return null;
}

/** Buffers of a message that can be transferred instead of copied. */
export function transferables(message) {
  const out = [];
  for (const value of Object.values(message)) {
    if (ArrayBuffer.isView(value) && !out.includes(value.buffer)) out.push(value.buffer);
  }
  return out;
}
