// Browser benchmarks, run by bench/browser/run.mjs in headless Chromium. Everything runs on the
// page's main thread so that ours and TF.js meet the same conditions; the query string picks
// the parts: ?kernels&train&sample&peersample&render (all by default). Ours runs in the module
// the page would use: the CPU-only module (www/pkg) for `cpu`, the WebGPU module (www/pkg-gpu)
// for `webgpu`. The peers: TF.js (training) and jax-js (training and sampling, jax.js).

import initCpu, { Playground as CpuPlayground } from '../../www/pkg/flow_playground.js';
import initGpu, { Playground as GpuPlayground } from '../../www/pkg-gpu/flow_playground.js';
import { GlParticleLayer, ParticleLayer, View } from '../../www/render.js';
import { jaxDevices, jaxSample, jaxTrain } from './jax.js';
import { batch, config, gauss } from './common.js';

const Playground = {
  create: (backend, ...args) => (backend === 'cpu' ? CpuPlayground : GpuPlayground).create(backend, ...args),
};

const params = new URLSearchParams(window.location.search);
const PARTS = ['kernels', 'train', 'sample', 'peersample', 'render'];
const parts = PARTS.filter((p) => params.has(p));
const run = parts.length ? parts : PARTS;
/** Leave jax-js out (?nojax): TF.js and ours only, as before it was added. */
const withJax = !params.has('nojax');
const results = [];
window.benchResults = results;

function log(row) {
  results.push(row);
  document.getElementById('out').textContent += `${JSON.stringify(row)}\n`;
}

// ------------------------------------------------------------------ ours

async function oursTrain(backend, width, batchSize, steps, readEvery, warmup) {
  const pg = await Playground.create(backend, config(width, batchSize), undefined);
  pg.train(warmup);
  await pg.readLoss();
  const t0 = performance.now();
  for (let done = 0; done < steps; done += readEvery) {
    pg.train(readEvery);
    await pg.readLoss();
  }
  const rate = (steps * 1000) / (performance.now() - t0);
  pg.free();
  return rate;
}

// ------------------------------------------------------------------ TF.js, the same model

async function tfTrain(backend, width, batchSize, steps, readEvery, warmup, onWarm = () => {}) {
  const { tf } = window;
  await tf.setBackend(backend);
  await tf.ready();
  const dense = (i, o) => ({
    w: tf.variable(tf.randomUniform([i, o], -1 / Math.sqrt(i), 1 / Math.sqrt(i))),
    b: tf.variable(tf.randomUniform([o], -1 / Math.sqrt(i), 1 / Math.sqrt(i))),
  });
  const layers = [dense(3, width), dense(width, width), dense(width, width), dense(width, 2)];
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const step = () => {
    const b = batch(batchSize);
    const input = tf.tidy(() => tf.concat([tf.tensor2d(b.xt, [batchSize, 2]), tf.tensor2d(b.t, [batchSize, 1])], 1));
    const target = tf.tensor2d(b.u, [batchSize, 2]);
    const cost = optimizer.minimize(() => {
      let h = input;
      layers.forEach((l, i) => {
        h = tf.add(tf.matMul(h, l.w), l.b);
        if (i < layers.length - 1) h = tf.mul(h, tf.sigmoid(h)); // SiLU
      });
      return tf.mean(tf.square(tf.sub(h, target)));
    }, true);
    input.dispose();
    target.dispose();
    return cost;
  };
  const runSteps = async (n) => {
    for (let done = 0; done < n; done += readEvery) {
      let last = null;
      for (let k = 0; k < readEvery; k += 1) {
        if (last) last.dispose();
        last = step();
      }
      await last.data();
      last.dispose();
    }
  };
  await runSteps(warmup);
  onWarm();
  const t0 = performance.now();
  await runSteps(steps);
  const rate = (steps * 1000) / (performance.now() - t0);
  layers.forEach((l) => { l.w.dispose(); l.b.dispose(); });
  optimizer.dispose();
  return rate;
}

// ------------------------------------------------------------------ parts

async function hasWebGpu() {
  return Boolean(navigator.gpu && (await navigator.gpu.requestAdapter()));
}

async function trainPart() {
  const gpu = await hasWebGpu();
  const sizes = (params.get('sizes') || '64x256,256x1024').split(',').map((s) => s.split('x').map(Number));
  const rounds = Number(params.get('rounds') || 2);
  const k = Number(params.get('k') || 10);
  // SwiftShader runs WebGPU on the CPU at seconds per step: keep its runs short.
  const plan = [['cpu', 'wasm', Number(params.get('cpuSteps') || 100)]];
  if (gpu) plan.push(['webgpu', 'webgpu', Number(params.get('gpuSteps') || 6)]);
  const jax = withJax ? await jaxDevices() : [];
  for (let round = 1; round <= rounds; round += 1) {
    for (const [ours, theirs, steps] of plan) {
      for (const [width, b] of sizes) {
        for (const readEvery of [1, k]) {
          const n = Math.max(steps, readEvery) - (Math.max(steps, readEvery) % readEvery);
          const warm = Math.max(2, Math.min(readEvery, 10));
          const a = await oursTrain(ours, width, b, n, readEvery, warm);
          const t = await tfTrain(theirs, width, b, n, readEvery, warm);
          const row = { part: 'train', round, backend: ours, width, batch: b, readEvery, ours: a, tfjs: t, ratio: a / t };
          if (jax.includes(theirs)) {
            row.jaxjs = await jaxTrain(theirs, width, b, n, readEvery, warm, batch);
            row.ratioJax = a / row.jaxjs;
          }
          log(row);
        }
      }
    }
  }
}

/** Ours against jax-js: `particles` × `nfe` Euler steps of the 3×64 network, interleaved rounds. */
async function peerSamplePart() {
  const jax = await jaxDevices();
  const backends = (await hasWebGpu()) && jax.includes('webgpu') ? [['cpu', 'wasm'], ['webgpu', 'webgpu']] : [['cpu', 'wasm']];
  const n = Number(params.get('peerParticles') || 10000);
  const nfe = Number(params.get('peerNfe') || 50);
  const rounds = Number(params.get('rounds') || 2);
  for (let round = 1; round <= rounds; round += 1) {
    for (const [ours, theirs] of backends) {
      const pg = await Playground.create(ours, config(64, 256), undefined);
      await pg.sample(Math.min(n, 1000), 'euler', nfe, 1, false); // warm the kernels
      const t0 = performance.now();
      const out = await pg.sample(n, 'euler', nfe, 1, false);
      const a = (n * out.nfe) / ((performance.now() - t0) / 1000);
      pg.free();
      const j = await jaxSample(theirs, 64, n, nfe);
      log({ part: 'peersample', round, backend: ours, solver: 'euler', particles: n, nfe, ours: a, jaxjs: j, ratioJax: a / j });
    }
  }
}

/** WebGPU work per training step, counted at the browser's API: compute dispatches (kernel
 * launches), buffer uploads (writeBuffer), readbacks (mapAsync), submits, and the distinct
 * compute pipelines a step uses. `?kernelDetail` also logs each dispatch of one step: its
 * pipeline (its label and a hash of its shader) and its workgroup count. */
async function kernelsPart() {
  if (!(await hasWebGpu())) return;
  const counts = { dispatch: 0, writeBuffer: 0, mapAsync: 0, submit: 0 };
  const pipelines = new WeakMap();
  const shaders = new WeakMap();
  let current = null;
  let trace = null;
  const used = new Set();
  const wrap = (proto, name, key, before = () => {}) => {
    const original = proto[name];
    proto[name] = function counted(...args) { if (key) counts[key] += 1; before.call(this, ...args); return original.apply(this, args); };
  };
  const createShader = GPUDevice.prototype.createShaderModule;
  GPUDevice.prototype.createShaderModule = function named(desc) {
    const module = createShader.call(this, desc);
    // Shaders are told apart by a hash of their source (a library may give many the same label).
    let h = 0;
    for (let i = 0; i < desc.code.length; i += 1) h = (Math.imul(h, 31) + desc.code.charCodeAt(i)) | 0;
    shaders.set(module, `${desc.label ? `${desc.label} ` : ''}shader_${(h >>> 0).toString(16)}`);
    return module;
  };
  const createPipeline = GPUDevice.prototype.createComputePipeline;
  const name = (desc) => shaders.get(desc.compute.module) || desc.label || '?';
  GPUDevice.prototype.createComputePipeline = function named(desc) {
    const pipeline = createPipeline.call(this, desc);
    pipelines.set(pipeline, name(desc));
    return pipeline;
  };
  const createPipelineAsync = GPUDevice.prototype.createComputePipelineAsync;
  GPUDevice.prototype.createComputePipelineAsync = async function named(desc) {
    const pipeline = await createPipelineAsync.call(this, desc);
    pipelines.set(pipeline, name(desc));
    return pipeline;
  };
  wrap(GPUComputePassEncoder.prototype, 'setPipeline', null, (p) => { current = pipelines.get(p) || '?'; });
  const onDispatch = (x = 1, y = 1, z = 1) => {
    used.add(current);
    if (trace) trace.push(`${current} [${x}×${y}×${z}]`);
  };
  wrap(GPUComputePassEncoder.prototype, 'dispatchWorkgroups', 'dispatch', onDispatch);
  wrap(GPUComputePassEncoder.prototype, 'dispatchWorkgroupsIndirect', 'dispatch', () => onDispatch('indirect'));
  wrap(GPUQueue.prototype, 'writeBuffer', 'writeBuffer');
  wrap(GPUBuffer.prototype, 'mapAsync', 'mapAsync');
  wrap(GPUQueue.prototype, 'submit', 'submit');
  const reset = () => { for (const key of Object.keys(counts)) counts[key] = 0; used.clear(); };
  const detail = params.has('kernelDetail');
  const perStep = (steps) => ({ ...Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / steps])), pipelines: used.size });
  const jax = withJax ? await jaxDevices() : [];
  for (const [width, b] of [[64, 256]]) {
    const steps = 5;
    const pg = await Playground.create('webgpu', config(width, b), undefined);
    pg.train(3);
    await pg.readLoss();
    if (detail) {
      trace = [];
      pg.train(1);
      await pg.readLoss();
      log({ part: 'kernels', peer: 'ours', dispatches: trace });
      trace = null;
    }
    reset();
    pg.train(steps);
    await pg.readLoss();
    log({ part: 'kernels', backend: 'webgpu', peer: 'ours', width, batch: b, perStep: perStep(steps) });
    pg.free();
    await tfTrain('webgpu', width, b, steps, steps, 3, reset);
    log({ part: 'kernels', backend: 'webgpu', peer: 'tfjs', width, batch: b, perStep: perStep(steps) });
    if (jax.includes('webgpu')) {
      if (detail) {
        // One step after the warm-up, traced: the warm-up compiles the jit.
        await jaxTrain('webgpu', width, b, 1, 1, 3, batch, null, () => { trace = []; });
        log({ part: 'kernels', peer: 'jaxjs', dispatches: trace });
        trace = null;
      }
      await jaxTrain('webgpu', width, b, steps, steps, 3, batch, null, reset);
      log({ part: 'kernels', backend: 'webgpu', peer: 'jaxjs', width, batch: b, perStep: perStep(steps) });
    }
  }
}

async function samplePart() {
  const gpu = await hasWebGpu();
  const backends = gpu ? ['cpu', 'webgpu'] : ['cpu'];
  const counts = (params.get('particles') || '10000,100000').split(',').map(Number);
  const nfe = Number(params.get('nfe') || 20);
  for (const backend of backends) {
    const pg = await Playground.create(backend, config(64, 256), undefined);
    for (const n of counts) {
      for (const solver of ['euler', 'rk4']) {
        await pg.sample(Math.min(n, 1000), solver, nfe, 1, false); // warm the kernels
        const t0 = performance.now();
        const out = await pg.sample(n, solver, nfe, 1, false);
        const seconds = (performance.now() - t0) / 1000;
        log({ part: 'sample', backend, solver, particles: n, nfe: out.nfe, particleEvalsPerSecond: (n * out.nfe) / seconds });
      }
    }
    pg.free();
  }
}

async function renderPart() {
  const canvas = document.getElementById('canvas');
  const ctx = canvas.getContext('2d');
  const view = new View([-6.5, 6.5, -6.5, 6.5], canvas.width, canvas.height);
  const layers = { canvas: new ParticleLayer(canvas.width, canvas.height), webgl: GlParticleLayer.create(canvas.width, canvas.height) };
  if (!layers.webgl) log({ part: 'render', error: 'WebGL2 unavailable: only the CPU plot is measured' });
  else log({ part: 'render', device: layers.webgl.device });
  for (const n of (params.get('render') || '10000,100000,1000000').split(',').map(Number)) {
    const states = 21;
    const trajectory = new Float32Array(states * n * 2);
    for (let i = 0; i < 2 * n; i += 1) trajectory[i] = gauss();
    for (let s = 1; s < states; s += 1) {
      for (let i = 0; i < 2 * n; i += 1) trajectory[s * 2 * n + i] = trajectory[(s - 1) * 2 * n + i] + 0.1 * gauss();
    }
    const samples = { trajectory, n, states };
    const result = {};
    // Two interleaved rounds per renderer. "main thread" is the JavaScript time of a frame;
    // "interval" is requestAnimationFrame to requestAnimationFrame, which also holds the
    // compositor's and the GPU's share (and is at least the display's 16.7 ms).
    for (const round of [0, 1]) {
      for (const [name, layer] of Object.entries(layers)) {
        if (!layer) continue;
        const frames = 60;
        const work = [];
        const intervals = [];
        await new Promise((resolve) => {
          let f = 0;
          let last = 0;
          const frame = (now) => {
            if (last) intervals.push(now - last);
            last = now;
            const t0 = performance.now();
            ctx.clearRect(0, 0, canvas.width, canvas.height);
            layer.draw(samples, ((f % 60) / 60) * (states - 1), view, 0xff6b35, 2, 0.88);
            layer.blit(ctx);
            work.push(performance.now() - t0);
            f += 1;
            if (f <= frames) requestAnimationFrame(frame); else resolve();
          };
          requestAnimationFrame(frame);
        });
        const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
        const entry = {
          part: 'render', renderer: name, round, particles: n, canvas: canvas.width,
          msPerFrameMedian: median(work), msPerFrameP90: p90(work), intervalMedian: median(intervals), intervalP90: p90(intervals),
        };
        entry.fitsIn60fps = entry.intervalMedian < 17.5;
        result[name] = entry;
        log(entry);
      }
      if (result.webgl) log({ part: 'render', particles: n, round, ratio: 'canvas/webgl frame interval', value: result.canvas.intervalMedian / result.webgl.intervalMedian });
    }
  }
  if (layers.webgl) layers.webgl.dispose();
}

/** Which WebGPU adapter this run measures (bench/gpu.sh refuses a software one). */
async function adapterPart() {
  const adapter = navigator.gpu && (await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' }));
  const info = adapter ? adapter.info || {} : null;
  log({ part: 'adapter', webgpu: Boolean(adapter), vendor: info && info.vendor, architecture: info && info.architecture, description: info && info.description });
}

async function main() {
  await initCpu();
  await initGpu();
  await adapterPart();
  const { tf } = window;
  tf.wasm.setWasmPaths(new URL('node_modules/@tensorflow/tfjs-backend-wasm/dist/', window.location.href).href);
  try {
    if (run.includes('kernels')) await kernelsPart();
    if (run.includes('train')) await trainPart();
    if (run.includes('sample')) await samplePart();
    if (run.includes('peersample') && withJax) await peerSamplePart();
    if (run.includes('render')) await renderPart();
  } catch (error) {
    log({ error: String(error && error.stack ? error.stack : error) });
  }
  window.benchDone = true;
}

main();
