// The worker that owns the wasm module: it trains and samples off the main thread and answers
// the typed requests of protocol.js. It never reads GPU memory synchronously: every read is a
// promise from the core, awaited between chunks of training steps.

import init, { Playground, lastPanic } from './pkg/flow_playground.js';
import { Request, Event, transferables } from './protocol.js';

/** @type {Playground | null} */
let pg = null;
let gpuDevice = null; // the GPUDevice wgpu created, kept to notice (or, in tests, cause) its loss
let training = false;
let until = 0;
let sampleSpec = null;

function post(message) {
  self.postMessage(message, transferables(message));
}

// A trapped module cannot be used again: report it as fatal so the page replaces this worker.
function failure(error) {
  const trapped = error instanceof WebAssembly.RuntimeError;
  const panic = trapped ? lastPanicSafe() : null;
  const message = panic || (error && error.message) || String(error);
  return { message, fatal: trapped };
}

function lastPanicSafe() {
  try { return lastPanic(); } catch { return null; }
}

// Keep a handle on the device wgpu requests, so a lost device is noticed at once.
function watchDevices() {
  if (!self.navigator.gpu || self.__flowWatch) return;
  self.__flowWatch = true;
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await requestDevice.apply(this, args);
    gpuDevice = device;
    device.lost.then((info) => {
      if (info.reason === 'destroyed' && !self.__flowLosing) return;
      training = false;
      post({ type: Event.ERROR, fatal: true, message: `the GPU device was lost (${info.message || info.reason})` });
    });
    return device;
  };
}

async function probeAdapter() {
  if (!self.navigator.gpu) return null;
  try {
    const adapter = await self.navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return null;
    const info = adapter.info || {};
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
    return name || 'WebGPU adapter';
  } catch {
    return null;
  }
}

async function handleInit({ backend, config, points }) {
  const exports = await init();
  self.__flowMemory = exports.memory;
  let chosen = backend === 'cpu' ? 'cpu' : 'webgpu';
  let adapter = null;
  let note = null;
  if (chosen === 'webgpu') {
    // wgpu aborts the module where WebGPU is unreachable, so ask the browser first.
    adapter = await probeAdapter();
    if (!adapter) {
      note = backend === 'webgpu' ? 'WebGPU was requested but no adapter is available; using the CPU' : null;
      chosen = 'cpu';
    }
  }
  if (chosen === 'webgpu') {
    watchDevices();
    try {
      pg = await Playground.create('webgpu', config, points);
    } catch (error) {
      const f = failure(error);
      if (f.fatal) throw error;
      note = `WebGPU failed (${f.message}); using the CPU`;
      chosen = 'cpu';
    }
  }
  if (chosen === 'cpu') pg = await Playground.create('cpu', config, points);
  return { backend: pg.backend, adapter: chosen === 'webgpu' ? adapter : 'CPU (wasm)', note };
}

async function sample(spec) {
  const out = await pg.sample(spec.n, spec.solver, spec.nfe, spec.seed, spec.record);
  return { ...out, step: pg.steps };
}

// Train in chunks sized to ~100 ms, reading the loss (asynchronously) after each chunk and
// letting queued requests run in between.
async function trainLoop() {
  let chunk = 1;
  let lastSample = performance.now();
  let lastSnapshot = performance.now();
  const started = performance.now();
  const firstStep = pg.steps;
  let firstLoss = null;
  while (training && pg.steps < until) {
    const t0 = performance.now();
    const k = Math.min(chunk, until - pg.steps);
    pg.train(k);
    const loss = await pg.readLoss();
    const elapsed = performance.now() - t0;
    chunk = Math.max(1, Math.min(500, Math.round(k * (100 / Math.max(elapsed, 1)))));
    const now = performance.now();
    const stepsPerSec = ((pg.steps - firstStep) * 1000) / Math.max(now - started, 1);
    post({ type: Event.PROGRESS, step: pg.steps, loss, stepsPerSec });
    if (firstLoss === null) firstLoss = loss;
    // NaN, ∞, or a thousandfold blow-up: Adam keeps steps bounded, so a too-large learning rate
    // often explodes the loss long before it overflows.
    if (!Number.isFinite(loss) || loss > 1000 * Math.max(firstLoss, 1e-3)) {
      training = false;
      const what = Number.isFinite(loss) ? `exploded to ${loss.toExponential(2)}` : `became ${loss}`;
      post({ type: Event.STOPPED, reason: 'nan', step: pg.steps,
        message: `The loss ${what} at step ${pg.steps}: the learning rate is too high for this model. Training is paused; reset to start again.` });
      return;
    }
    if (sampleSpec && (now - lastSample > 700 || pg.steps >= until)) {
      lastSample = now;
      post({ type: Event.SAMPLES, ...(await sample(sampleSpec)) });
    }
    if (now - lastSnapshot > 5000) {
      lastSnapshot = now;
      post({ type: Event.SNAPSHOT, bytes: await pg.exportWeights(), step: pg.steps });
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const done = pg.steps >= until;
  training = false;
  post({ type: Event.SNAPSHOT, bytes: await pg.exportWeights(), step: pg.steps });
  post({ type: Event.STOPPED, reason: done ? 'done' : 'paused', step: pg.steps });
}

async function handle(message) {
  switch (message.type) {
    case Request.INIT: return handleInit(message);
    case Request.CONFIGURE:
      training = false;
      pg.configure(message.config, message.points);
      return { step: pg.steps };
    case Request.TRAIN:
      until = message.until;
      sampleSpec = message.sample || null;
      if (!training) {
        training = true;
        trainLoop().catch((error) => {
          training = false;
          const f = failure(error);
          post({ type: Event.ERROR, ...f });
          post({ type: Event.STOPPED, reason: 'error', step: pg ? pg.steps : 0, message: f.message });
        });
      }
      return {};
    case Request.PAUSE:
      training = false;
      return { step: pg.steps };
    case Request.SAMPLE: return sample(message);
    case Request.FIELD:
      return { v: await pg.field(message.which, message.t, Float32Array.from(message.bounds), message.grid), t: message.t, which: message.which };
    case Request.DATA: return { xy: pg.dataPoints(message.n, message.seed) };
    case Request.PAIRS: return { xy: pg.pairs(message.n) };
    case Request.EXPORT: return { bytes: await pg.exportWeights() };
    case Request.IMPORT: {
      training = false;
      return { config: JSON.parse(pg.importWeights(message.bytes)), step: pg.steps };
    }
    case Request.MEMORY: return { heapBytes: wasmMemoryBytes() };
    case Request.LOSE_DEVICE:
      if (!gpuDevice) throw new Error('no GPU device to lose');
      self.__flowLosing = true;
      gpuDevice.destroy();
      return {};
    default:
      throw new Error(`unknown request '${message.type}'`);
  }
}

function wasmMemoryBytes() {
  // The module's memory, read fresh each time (growth replaces the buffer).
  return self.__flowMemory ? self.__flowMemory.buffer.byteLength : 0;
}

self.onmessage = async ({ data: message }) => {
  try {
    const reply = await handle(message);
    post({ type: Event.REPLY, id: message.id, ...reply });
  } catch (error) {
    const f = failure(error);
    post({ type: Event.ERROR, id: message.id, ...f });
  }
};
