// The worker that owns the wasm module. One worker serves every figure of a page (each figure
// is a `Playground` keyed by its id), so they share one module and one GPU device. It trains
// and samples off the main thread and answers the typed requests of protocol.js. It never
// reads GPU memory synchronously: every read is a promise from the core, awaited between chunks.
// It starts on the small CPU-only module; where there is a WebGPU adapter (and the page asked
// for `auto`), the WebGPU module is fetched in the background and takes every figure over with
// its weights (modules.js; "the module switch" below).

import { Request, Event, transferables, validateRequest } from './protocol.js';
import { Chunker } from './pacing.js';
import { MIN_SLICE, mergeSlices, nextSlice, sliceable } from './slices.js';
import { loadModule, lastPanic, probeAdapter } from './modules.js';

/** figure id → {pg, training, until, sampleSpec, setup: {config, points, labels}} */
const figures = new Map();
/** The promise of {backend, adapter, note, module}: where new figures start. */
let ready = null;
let gpuDevice = null; // the GPUDevice wgpu created: to notice (or, in tests, cause) its loss
let losing = false;
let watching = false;

function post(message) {
  self.postMessage(message, transferables(message));
}

// A trapped module cannot be used again: report it as fatal so the page replaces this worker.
function failure(error) {
  const trapped = error instanceof WebAssembly.RuntimeError;
  let panic = null;
  if (trapped) panic = lastPanic();
  return { message: panic || (error && error.message) || String(error), fatal: trapped };
}

// Keep a handle on the device wgpu requests, so a lost device is noticed at once.
function watchDevices() {
  if (watching) return;
  watching = true;
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function watched(...args) {
    const device = await requestDevice.apply(this, args);
    gpuDevice = device;
    device.lost.then((info) => {
      if (info.reason === 'destroyed' && !losing) return;
      for (const f of figures.values()) { f.training = false; f.run = null; }
      post({ type: Event.ERROR, fatal: true, message: `the GPU device was lost (${info.message || info.reason})` });
    });
    return device;
  };
}

const CPU_ADAPTER = 'CPU (wasm)';

// The page said it starts on the CPU module (client.js): begin loading it now, before the
// first INIT arrives. loadModule keeps the promise (a failed load is retried by INIT).
if (new URL(self.location.href).searchParams.get('start') === 'cpu') loadModule('cpu').catch(() => {});

async function onCpu(note) {
  const module = await loadModule('cpu');
  self.flowMemory = module.memory;
  return { backend: 'cpu', adapter: CPU_ADAPTER, note, module };
}

async function chooseBackend(preference) {
  if (preference === 'cpu') return onCpu(null);
  // wgpu aborts the module where WebGPU is unreachable, so ask the browser first.
  const adapter = probeAdapter();
  if (preference !== 'webgpu') {
    moveToGpu(adapter).catch((error) => console.error('the module switch failed', error));
    return onCpu(null);
  }
  const name = await adapter;
  if (!name) return onCpu('WebGPU was requested but this browser has no adapter; using the CPU');
  let module;
  try {
    module = await loadModule('webgpu');
  } catch (error) {
    return onCpu(`The WebGPU module could not be loaded (${error.message}); using the CPU`);
  }
  watchDevices();
  self.flowMemory = module.memory;
  return { backend: 'webgpu', adapter: name, note: null, module };
}

/** A playground on `backend` for a figure's setup {config, points, labels, sourcePoints}. */
const create = (module, backend, s) => module.Playground.create(backend, s.config, s.points, s.labels, s.sourcePoints);

async function handleInit({ figure, backend, config, points, labels, sourcePoints }) {
  const setup = { config, points, labels, sourcePoints };
  if (!ready) ready = chooseBackend(backend);
  const choice = await ready;
  let pg;
  let { note } = choice;
  try {
    pg = await create(choice.module, choice.backend, setup);
  } catch (error) {
    const f = failure(error);
    // Only a device that will not start sends this worker to the CPU; a bad config is reported.
    if (f.fatal || choice.backend === 'cpu' || !f.message.startsWith('WebGPU initialisation failed')) throw error;
    // WebGPU would not start: this worker continues on the CPU.
    note = `WebGPU failed (${f.message}); using the CPU`;
    ready = onCpu(note);
    pg = await create((await ready).module, 'cpu', setup);
  }
  const old = figures.get(figure);
  if (old) old.pg.free();
  figures.set(figure, { pg, training: false, until: 0, sampleSpec: null, setup });
  started();
  const now = await ready;
  return { backend: pg.backend, adapter: pg.backend === 'webgpu' ? now.adapter : CPU_ADAPTER, note };
}

// ------------------------------------------------------------------ the module switch
// With `auto`, figures start on the CPU-only module. Where the browser has a WebGPU adapter,
// the WebGPU module is fetched once the first figure has drawn, and each figure moves to it
// with its weights (exportWeights → importWeights: same network, same step count; training
// goes on from there). If the fetch, the module or its device fails, every figure stays on the
// CPU with a note.

let started;
let drawn;
const firstDrawn = new Promise((resolve) => { drawn = resolve; });
const firstInit = new Promise((resolve) => { started = resolve; });
// The first figure's start has the CPU to itself: the WebGPU module is fetched after its first
// samples (or, if none are asked for, a second after it started).
firstInit.then(() => setTimeout(drawn, 1000));

async function moveToGpu(probe) {
  const adapter = await probe;
  if (!adapter) return; // no adapter: the WebGPU module is never fetched
  await firstDrawn;
  let module;
  try {
    module = await loadModule('webgpu');
  } catch (error) {
    stayOnCpu(`The WebGPU module could not be loaded (${error.message}); staying on the CPU.`);
    return;
  }
  watchDevices();
  const choice = { backend: 'webgpu', adapter, note: null, module };
  try {
    // Until the first move has started the device, new figures still start on the CPU.
    let first = true;
    for (let left = cpuFigures(); left.length; left = cpuFigures()) {
      for (const [id, f] of left) {
        await moveFigure(id, f, choice);
        if (first) {
          first = false;
          ready = Promise.resolve(choice);
          self.flowMemory = module.memory;
        }
      }
    }
    ready = Promise.resolve(choice);
    self.flowMemory = module.memory;
  } catch (error) {
    const message = (error instanceof WebAssembly.RuntimeError && lastPanic()) || error.message || String(error);
    stayOnCpu(`WebGPU failed (${message}); staying on the CPU.`);
  }
}

/** The figures still on the CPU module that can move. A reflowing figure stays: it trains on
 * pairs drawn from an earlier flow, which its weights file does not hold. */
function cpuFigures() {
  return [...figures].filter(([, f]) => f.pg.backend === 'cpu' && f.pg.reflows === 0);
}

async function moveFigure(id, f, { module, adapter }) {
  const { setup } = f;
  const next = await create(module, 'webgpu', setup);
  if (figures.get(id) !== f) { next.free(); return; } // disposed or started afresh meanwhile
  try {
    if (f.setup !== setup) next.configure(f.setup.config, f.setup.points, f.setup.labels, f.setup.sourcePoints);
    next.importWeights(await f.pg.exportWeights()); // the CPU settles at once: no step in between
    if (f.pg.lossBins) next.setLossBins(f.pg.lossBins);
  } catch (error) {
    next.free();
    throw error;
  }
  const old = f.pg;
  f.pg = next;
  // Freed after the calls already under way on it (all settled: it is the CPU) have finished.
  setTimeout(() => old.free(), 0);
  post({ type: Event.BACKEND, figure: id, backend: 'webgpu', adapter, note: null });
}

function stayOnCpu(note) {
  for (const id of figures.keys()) post({ type: Event.BACKEND, figure: id, backend: 'cpu', adapter: CPU_ADAPTER, note });
}

async function sample(pg, spec) {
  return drawnSample(pg, spec, await sampleRows(pg, spec));
}

/** A finished sample as the page receives it: the arrays, the step, backend and sampler. */
function drawnSample(pg, spec, out) {
  drawn();
  return { ...out, step: pg.steps, backend: pg.backend, sampler: spec.sampler === 'sde' ? 'sde' : 'ode' };
}

/** Particles `from..from + count` of the sample `spec` asks for (all of them without a slice). */
function sampleRows(pg, spec, from, count) {
  return spec.sampler === 'sde'
    ? pg.sampleSde(spec.n, spec.nfe, spec.seed, spec.noise ?? 1, spec.record, from, count)
    : pg.sample(spec.n, spec.solver, spec.nfe, spec.seed, spec.record, spec.class ?? -1, spec.guidance ?? 1, from, count);
}

/**
 * A display sample in progress while a figure trains: one slice per call of `step` on the CPU
 * (slices.js), the whole sample at once on the GPU. Each slice is carried by the weights of its
 * moment (training goes on between slices, a few hundred steps over a whole sample); the last
 * one of a run is all of the final weights. `size` is the slice size to start from (what the
 * previous display sample learned).
 */
class DisplaySample {
  constructor(pg, spec, size) {
    this.pg = pg;
    this.spec = spec;
    this.size = sliceable(spec, pg.backend) ? Math.min(size, spec.n) : spec.n;
    this.from = 0;
    this.parts = [];
    this.ms = 0;
  }

  get done() { return this.from >= this.spec.n; }

  async step() {
    const t0 = performance.now();
    const count = Math.min(this.size, this.spec.n - this.from);
    const whole = count === this.spec.n;
    this.parts.push(await (whole ? sampleRows(this.pg, this.spec) : sampleRows(this.pg, this.spec, this.from, count)));
    const ms = performance.now() - t0;
    this.ms += ms;
    this.from += count;
    if (!whole) this.size = nextSlice(count, ms);
  }

  result() {
    return drawnSample(this.pg, this.spec, mergeSlices(this.parts));
  }
}

/** Display samples take at most this share of the worker's time while it trains. */
const SAMPLE_BUDGET = 0.1;
/** …and come at most this often (ms). */
const SAMPLE_EVERY = 700;
/** On the CPU a chunk of steps is one synchronous stretch: it ends after this long (ms) even
 * when the machine slowed down under it, so a pause waits at most about this. */
const CPU_CHUNK_MS = 60;

// Lets queued messages (a pause, a request, another figure's loop) run. A message on a channel,
// not setTimeout(0): nested timeouts are held back 4 ms each, a few per cent of the steps.
const yieldChannel = new MessageChannel();
const yielded = [];
yieldChannel.port1.onmessage = () => yielded.shift()();
function yieldToMessages() {
  return new Promise((resolve) => {
    yielded.push(resolve);
    yieldChannel.port2.postMessage(null);
  });
}

// Up to `k` steps. On the CPU they run synchronously, so they go in quarters and stop at
// CPU_CHUNK_MS: a loaded machine shortens the chunk rather than the worker's attention. On the
// GPU the steps are only queued here. Returns how many ran.
function trainFor(pg, k) {
  if (pg.backend !== 'cpu') {
    pg.train(k);
    return k;
  }
  const t0 = performance.now();
  const piece = Math.max(1, Math.ceil(k / 4));
  let done = 0;
  while (done < k) {
    const m = Math.min(piece, k - done);
    pg.train(m);
    done += m;
    if (performance.now() - t0 > CPU_CHUNK_MS) break;
  }
  return done;
}

// Train one figure in chunks sized by pacing.js, reading the loss (asynchronously) after each
// chunk and letting queued requests (and other figures) run in between. `run` identifies this
// loop: a pause, reset or new run replaces `f.run`, and this loop then stops without a word
// (whoever replaced it has told the page). Display samples are drawn a slice per round between
// the chunks, within SAMPLE_BUDGET of the worker's time.
async function trainLoop(figure, f, run) {
  let pg = null;
  let chunk;
  let chunker;
  let lastSample = performance.now();
  let sampleMs = 0;
  let lastSnapshot = performance.now();
  let since;
  let firstStep;
  let firstLoss = null;
  let display = null;
  let sliceSize = MIN_SLICE;
  const current = () => f.run === run && figures.get(figure) === f;
  // One slice of the display sample under way; posts the sample when it is whole. A sample
  // begun on a module the figure has since left is dropped (that playground is being freed).
  const drawSlice = async () => {
    if (display.pg !== f.pg) {
      display = null;
      return;
    }
    await display.step();
    if (!current() || !display.done) return;
    lastSample = performance.now();
    sampleMs = display.ms;
    sliceSize = display.size;
    post({ type: Event.SAMPLES, figure, ...display.result() });
    display = null;
  };
  while (current() && f.pg.steps < f.until) {
    if (f.pg !== pg) {
      // The first round, or the figure moved to the WebGPU module: pace it afresh.
      ({ pg } = f);
      chunk = 1;
      chunker = new Chunker({ floor: pg.backend === 'cpu' ? 40 : 100 });
      since = performance.now();
      firstStep = pg.steps;
      sampleMs = 0;
      display = null;
    }
    const t0 = performance.now();
    const k = trainFor(pg, Math.min(chunk, f.until - pg.steps));
    const loss = await pg.readLoss();
    if (!current()) return;
    const elapsed = performance.now() - t0;
    chunk = chunker.next(k, elapsed);
    const now = performance.now();
    const stepsPerSec = ((pg.steps - firstStep) * 1000) / Math.max(now - since, 1);
    post({ type: Event.PROGRESS, figure, step: pg.steps, loss, stepsPerSec });
    if (firstLoss === null) firstLoss = loss;
    // NaN, ∞, or a thousandfold blow-up: Adam keeps steps bounded, so a too-large learning rate
    // often explodes the loss long before it overflows.
    if (!Number.isFinite(loss) || loss > 1000 * Math.max(firstLoss, 1e-3)) {
      f.training = false;
      f.run = null;
      const what = Number.isFinite(loss) ? `exploded to ${loss.toExponential(2)}` : `became ${loss}`;
      post({ type: Event.STOPPED, figure, reason: 'nan', step: pg.steps,
        message: `The loss ${what} at step ${pg.steps}: the learning rate is too high for this model. Training is paused; reset to start again.` });
      return;
    }
    // Display samples on a budget: after one that took s ms, wait s·(1 − b)/b ms of training.
    // A sample begun for other settings is dropped; the next round begins the new one.
    if (display && JSON.stringify(display.spec) !== JSON.stringify(f.sampleSpec)) display = null;
    const wait = Math.max(SAMPLE_EVERY, (sampleMs * (1 - SAMPLE_BUDGET)) / SAMPLE_BUDGET);
    if (!display && f.sampleSpec && now - lastSample > wait && pg.steps < f.until) {
      display = new DisplaySample(pg, f.sampleSpec, sliceSize);
    }
    if (display) {
      await yieldToMessages();
      if (!current()) return;
      await drawSlice();
      if (!current()) return;
    }
    if (now - lastSnapshot > 5000) {
      lastSnapshot = now;
      post({ type: Event.SNAPSHOT, figure, bytes: await pg.exportWeights(), step: pg.steps });
    }
    await yieldToMessages();
  }
  if (!current()) return;
  // The last picture is of the final weights: a sample begun earlier starts over (and again if
  // the figure moves to the WebGPU module meanwhile), and its slices leave room for a pause.
  if (f.sampleSpec) {
    display = null;
    for (;;) {
      if (!display) display = new DisplaySample(f.pg, f.sampleSpec, sliceSize);
      const { pg: drawingOn } = display;
      await drawSlice();
      if (!current()) return;
      if (!display && drawingOn === f.pg) break;
      await yieldToMessages();
      if (!current()) return;
    }
  }
  ({ pg } = f);
  // The weights go first: whoever hears `stopped` may rely on the snapshot being current.
  const bytes = await pg.exportWeights();
  if (!current()) return;
  f.training = false;
  f.run = null;
  post({ type: Event.SNAPSHOT, figure, bytes, step: pg.steps });
  post({ type: Event.STOPPED, figure, reason: 'done', step: pg.steps });
}

function startTraining(figure, f) {
  f.training = true;
  const run = {};
  f.run = run;
  trainLoop(figure, f, run).catch((error) => {
    if (f.run !== run) return;
    f.training = false;
    f.run = null;
    const failed = failure(error);
    post({ type: Event.ERROR, figure, ...failed });
    post({ type: Event.STOPPED, figure, reason: 'error', step: 0, message: failed.message });
  });
}

/**
 * Stops a figure's training at once, between two of its chunks or while one is on the GPU: the
 * page hears `stopped` now (not after the queued steps finish), then the latest weights.
 */
function stopTraining(figure, f) {
  f.training = false;
  f.run = null;
  post({ type: Event.STOPPED, figure, reason: 'paused', step: f.pg.steps });
  f.pg.exportWeights().then((bytes) => {
    if (figures.get(figure) === f) post({ type: Event.SNAPSHOT, figure, bytes, step: f.pg.steps });
  }).catch(() => {});
}

/** The wasm heap and, on WebGPU, the device allocator (shared by every figure on it). */
function memory() {
  const heapBytes = self.flowMemory ? self.flowMemory.buffer.byteLength : 0;
  for (const f of figures.values()) {
    const [inUse, reserved, allocations] = f.pg.deviceMemory();
    if (reserved !== undefined) return { heapBytes, gpu: { inUse, reserved, allocations } };
  }
  return { heapBytes, gpu: null };
}

async function handle(message) {
  // Every field's type is checked before it reaches the core (protocol.js).
  const problem = validateRequest(message);
  if (problem) throw new Error(problem);
  if (message.type === Request.INIT) return handleInit(message);
  if (message.type === Request.MEMORY) return memory();
  if (message.type === Request.LOSE_DEVICE) {
    if (!gpuDevice) throw new Error('no GPU device to lose');
    losing = true;
    gpuDevice.destroy();
    return {};
  }
  const f = figures.get(message.figure);
  if (!f) throw new Error(`no figure '${message.figure}' (initialise it first)`);
  const { pg } = f;
  switch (message.type) {
    case Request.CONFIGURE:
      if (f.training) stopTraining(message.figure, f);
      pg.configure(message.config, message.points, message.labels, message.sourcePoints);
      f.setup = { config: message.config, points: message.points, labels: message.labels, sourcePoints: message.sourcePoints };
      return { step: pg.steps };
    case Request.TRAIN:
      f.until = message.until;
      f.sampleSpec = message.sample || null;
      if (!f.training) startTraining(message.figure, f);
      return {};
    case Request.PAUSE:
      if (f.training) stopTraining(message.figure, f);
      return { step: pg.steps };
    case Request.SAMPLE: return sample(pg, message);
    case Request.FIELD:
      return { v: await pg.field(message.which, message.t, Float32Array.from(message.bounds), message.grid), t: message.t, which: message.which };
    case Request.DENSITY:
      return { logp: await pg.density(message.which, message.t, Float32Array.from(message.bounds), message.grid, message.solver, message.nfe), t: message.t, which: message.which };
    case Request.LOSS_BINS:
      pg.setLossBins(message.bins);
      return {};
    case Request.READ_LOSS_BINS: {
      const { sums, counts } = await pg.readLossBins();
      return { sums, counts, pi: pg.lossBins > 0 ? Float64Array.from(pg.timeDensity(pg.lossBins)) : new Float64Array(0) };
    }
    case Request.DATA: return { xy: pg.dataPoints(message.n, message.seed) };
    case Request.AVERAGE: return pg.average(message.x, message.y, message.t, message.k);
    case Request.DATA_LABELLED: return pg.dataLabelled(message.n, message.seed);
    case Request.GUIDED_FIELD:
      return { v: await pg.guidedField(message.which, message.t, Float32Array.from(message.bounds), message.grid, message.class, message.guidance), t: message.t, which: message.which };
    case Request.NLL: return pg.nll(message.n, message.seed, message.solver ?? 'rk4', message.nfe ?? 40);
    case Request.STRAIGHTNESS:
      return { straightness: await pg.straightness(message.solver, message.nfe, message.n, message.seed) };
    case Request.REFLOW: {
      if (f.training) stopTraining(message.figure, f);
      const { x0, x1, labels } = await pg.reflowPairs(message.n, message.solver, message.nfe, message.seed);
      pg.startReflow(x0, x1, labels);
      return { reflows: pg.reflows, step: pg.steps };
    }
    case Request.SWEEP_POINT:
      return { point: await pg.sweepPoint(message.index, message.n, message.seed, message.noise ?? undefined) };
    case Request.PAIRS: return { xy: pg.pairs(message.n) };
    case Request.EXPORT: return { bytes: await pg.exportWeights() };
    case Request.IMPORT:
      if (f.training) stopTraining(message.figure, f);
      return { config: pg.importWeights(message.bytes), step: pg.steps };
    case Request.DISPOSE:
      f.training = false;
      f.run = null;
      figures.delete(message.figure);
      pg.free();
      return {};
    default:
      throw new Error(`unknown request '${message.type}'`);
  }
}

self.onmessage = async ({ data: message }) => {
  // Whatever arrived, the answer names its id and figure (absent from a message that is not an object).
  const { id, figure } = typeof message === 'object' && message !== null ? message : {};
  try {
    const reply = await handle(message);
    post({ type: Event.REPLY, id, figure, ...reply });
  } catch (error) {
    post({ type: Event.ERROR, id, figure, ...failure(error) });
  }
};
