// Wiring: URL state ↔ controls ↔ worker ↔ the animation loop. The main thread only draws;
// training and sampling happen in the worker (client.js / worker.js).

import { PARAMS, parseHash, toHash, trainConfig, solverSpec, RESTARTS } from './state.js';
import { WorkerClient, Request, Event } from './client.js';
import { buildControls } from './controls.js';
import * as render from './render.js';
import { meanStd, slicedW2 } from './stats.js';

const BOUNDS = [-6.5, 6.5, -6.5, 6.5];
const FIELD_GRID = 21;
const DATA_POINTS = 2000;
const PAIRS = 300;
const PATHS = 150;
const COLORS = {
  data: 'rgba(120, 130, 150, 0.55)',
  particles: 0xff6b35,
  learned: 'rgba(40, 110, 220, 0.85)',
  exact: 'rgba(20, 160, 90, 0.85)',
  pairs: 'rgba(150, 80, 200, 0.25)',
  paths: 'rgba(255, 107, 53, 0.35)',
  chart: { line: '#2a6fdb', text: '#555' },
};

const $ = (id) => document.getElementById(id);
const PARAM_OPTIONS = { dataset: PARAMS.dataset.options, source: PARAMS.source.options };
const ui = {
  canvas: $('canvas'), chart: $('loss-chart'), messages: $('messages'), backend: $('backend'),
  train: $('train'), pause: $('pause'), step: $('step-once'), reset: $('reset'),
  progress: $('progress'), stepCount: $('step-count'), rate: $('rate'), eta: $('eta'),
  play: $('play'), time: $('time'), timeLabel: $('time-label'), stats: $('stats'),
  controls: $('controls'), clearPoints: $('clear-points'),
};

const parsed = parseHash(window.location.hash);
let state = parsed.state;
const app = {
  ready: false, backend: null, adapter: null, training: false, step: 0, until: 0,
  steps: [], losses: [], stepsPerSec: 0, data: null, samples: null, pairs: null,
  fields: { learned: null, exact: null }, fieldBusy: false, fieldT: -1, fieldStale: true,
  anim: { playing: true, t: state.t, last: 0, hold: 0 }, snapshot: null, userPoints: null,
  messages: [], stats: null, position: null, layer: null, view: null,
};

// ---------------------------------------------------------------- messages

function showMessage(text, { kind = 'warn', action = null } = {}) {
  app.messages.push(text);
  const item = document.createElement('div');
  item.className = `message ${kind}`;
  item.textContent = text;
  if (action) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = action.label;
    button.addEventListener('click', () => { item.remove(); action.run(); });
    item.append(' ', button);
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'close';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  close.addEventListener('click', () => item.remove());
  item.append(close);
  ui.messages.append(item);
}

for (const error of parsed.errors) showMessage(`URL: ${error}`);

// ---------------------------------------------------------------- worker

const client = new WorkerClient(onEvent, onFatal);

function sampleSpec() {
  return { n: state.particles, solver: solverSpec(state), nfe: state.nfe, seed: state.seed + 101, record: true };
}

function pointsFor(s) {
  return s.dataset === 'points' ? Float32Array.from(app.userPoints || defaultPoints()) : undefined;
}

function defaultPoints() {
  // A smile, until the reader draws their own points.
  const xy = [];
  for (let i = 0; i < 120; i += 1) {
    const a = Math.PI * (1.15 + 0.7 * (i / 119));
    xy.push(3 * Math.cos(a), 3 * Math.sin(a) + 0.5);
  }
  for (const cx of [-1.5, 1.5]) for (let i = 0; i < 30; i += 1) xy.push(cx + 0.3 * Math.cos(i), 2 + 0.3 * Math.sin(i));
  return xy;
}

async function start(backend) {
  app.ready = false;
  updateButtons();
  setBadge('starting…', 'busy');
  let reply;
  try {
    reply = await client.request(Request.INIT, { backend, config: trainConfig(state), points: pointsFor(state) });
  } catch (error) {
    if (error.fatal) return; // onFatal restarts
    showMessage(`${error.message} — starting with the defaults instead`);
    state = parseHash('').state;
    syncUrl();
    updateControls(state);
    reply = await client.request(Request.INIT, { backend, config: trainConfig(state), points: pointsFor(state) });
  }
  app.backend = reply.backend;
  app.adapter = reply.adapter;
  if (reply.note) showMessage(reply.note);
  setBadge(reply.backend === 'webgpu' ? `WebGPU · ${reply.adapter}` : 'CPU (wasm)', reply.backend);
  if (app.snapshot) {
    try {
      const restored = await client.request(Request.IMPORT, { bytes: app.snapshot.slice() });
      app.step = restored.step;
      showMessage(`Restored the weights from step ${restored.step} on the ${reply.backend === 'cpu' ? 'CPU' : 'GPU'}.`, { kind: 'info' });
    } catch (error) {
      showMessage(`Could not restore the weights: ${error.message}`);
    }
  }
  app.ready = true;
  updateButtons();
  await refreshAll();
}

function onFatal(failure) {
  app.training = false;
  updateButtons();
  const wasGpu = app.backend === 'webgpu';
  showMessage(`The compute module stopped (${failure.message}). ${wasGpu ? 'Continuing on the CPU' : 'Restarting'} without reloading the page.`);
  client.spawn();
  start(wasGpu ? 'cpu' : state.backend).catch((e) => showMessage(`Restart failed: ${e.message}`));
}

function onEvent(message) {
  switch (message.type) {
    case Event.PROGRESS:
      app.step = message.step;
      app.stepsPerSec = message.stepsPerSec;
      if (Number.isFinite(message.loss) || Number.isNaN(message.loss)) {
        app.steps.push(message.step);
        app.losses.push(message.loss);
      }
      updateProgress();
      break;
    case Event.SAMPLES:
      setSamples(message);
      break;
    case Event.SNAPSHOT:
      app.snapshot = message.bytes;
      break;
    case Event.STOPPED:
      app.training = false;
      app.step = message.step;
      updateButtons();
      updateProgress();
      if (message.reason === 'nan') {
        showMessage(message.message, { kind: 'error', action: { label: 'Reset', run: reset } });
      } else if (message.reason === 'error') {
        showMessage(`Training stopped: ${message.message}`, { kind: 'error' });
      }
      break;
    case Event.ERROR:
      showMessage(message.message, { kind: 'error' });
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------- data flow

async function refreshAll() {
  const [data, pairs] = await Promise.all([
    client.request(Request.DATA, { n: DATA_POINTS, seed: 12345 }),
    client.request(Request.PAIRS, { n: PAIRS }).catch(() => null),
  ]);
  app.data = data.xy;
  app.pairs = pairs ? pairs.xy : null;
  await resample();
}

async function resample() {
  try {
    setSamples(await client.request(Request.SAMPLE, sampleSpec()));
  } catch (error) {
    if (!error.fatal) showMessage(error.message, { kind: 'error' });
  }
}

function setSamples(message) {
  const n = message.x.length / 2;
  const states = message.trajectory ? message.trajectory.length / (2 * n) : 0;
  app.samples = { ...message, n, states };
  app.position = new Float32Array(2 * n);
  app.fieldStale = true;
  if (app.data) {
    const s = meanStd(message.x);
    const d = meanStd(app.data);
    app.stats = { samples: s, data: d, slicedW2: slicedW2(message.x, app.data), nfe: message.nfe, step: message.step, n };
    renderStats();
  }
}

function renderStats() {
  const { samples: s, data: d, slicedW2: w, nfe, n } = app.stats;
  const f = (v) => v.toFixed(2);
  ui.stats.textContent = `${n} particles, ${nfe} NFE · mean (${f(s.mean[0])}, ${f(s.mean[1])}) vs data (${f(d.mean[0])}, ${f(d.mean[1])}) · spread (${f(s.std[0])}, ${f(s.std[1])}) vs (${f(d.std[0])}, ${f(d.std[1])}) · sliced W₂ to data ${w.toFixed(3)}`;
}

async function refreshFields() {
  const wanted = ['field', 'exact'].filter((l) => state.layers.includes(l));
  if (!app.ready || app.fieldBusy || !wanted.length) return;
  const t = Math.round(currentT() * 100) / 100;
  if (!app.fieldStale && t === app.fieldT) return;
  app.fieldBusy = true;
  app.fieldStale = false;
  app.fieldT = t;
  try {
    for (const layer of wanted) {
      const which = layer === 'field' ? 'learned' : 'exact';
      // Fields are singular at t = 1 for an empirical target; show them just before.
      const reply = await client.request(Request.FIELD, { which, t: Math.min(t, 0.99), bounds: BOUNDS, grid: FIELD_GRID });
      app.fields[which] = reply.v;
    }
  } catch (error) {
    if (!error.fatal) showMessage(error.message, { kind: 'error' });
  } finally {
    app.fieldBusy = false;
  }
}

const PATH_NAMES = { linear: 'linear', cosine: 'cosine', ot_sigma_min: 'sigma-min', polynomial: 'poly' };

/** Loads a weights file (the CLI's format) and shows its samples; the file's settings win. */
async function importWeights(bytes) {
  if (app.training) await pause();
  const reply = await client.request(Request.IMPORT, { bytes: bytes.slice() });
  const c = reply.config;
  const next = {
    ...state,
    width: c.model.width,
    depth: c.model.depth,
    activation: c.model.activation,
    embed: c.model.time_embedding,
    path: PATH_NAMES[c.path.kind] || state.path,
    param: c.parameterization,
  };
  if (PARAM_OPTIONS.dataset.includes(c.target)) next.dataset = c.target;
  if (PARAM_OPTIONS.source.includes(c.source)) next.source = c.source;
  state = next;
  syncUrl();
  updateControls(state);
  app.step = reply.step;
  app.until = 0;
  app.steps = [];
  app.losses = [];
  app.snapshot = bytes;
  updateProgress();
  if (app.layer) app.layer.clear();
  await refreshAll();
  return c;
}

async function exportWeights() {
  return (await client.request(Request.EXPORT)).bytes;
}

// ---------------------------------------------------------------- training controls

function train(steps) {
  if (!app.ready) return;
  app.until = steps ? app.step + steps : Math.max(state.steps, app.step + (app.step >= state.steps ? state.steps : 0));
  app.training = true;
  app.trainStarted = { time: performance.now(), step: app.step };
  updateButtons();
  client.request(Request.TRAIN, { until: app.until, sample: sampleSpec() }).catch((e) => {
    app.training = false;
    updateButtons();
    if (!e.fatal) showMessage(e.message, { kind: 'error' });
  });
}

async function pause() {
  try { await client.request(Request.PAUSE); } catch { /* the stopped event updates the UI */ }
}

async function reset() {
  if (!app.ready) return;
  try {
    await client.request(Request.CONFIGURE, { config: trainConfig(state), points: pointsFor(state) });
  } catch (error) {
    showMessage(error.message, { kind: 'error' });
    return;
  }
  app.training = false;
  app.step = 0;
  app.until = 0;
  app.steps = [];
  app.losses = [];
  app.snapshot = null;
  updateButtons();
  updateProgress();
  if (app.layer) app.layer.clear();
  await refreshAll();
}

function updateButtons() {
  ui.train.disabled = app.training || !app.ready;
  ui.step.disabled = app.training || !app.ready;
  ui.pause.disabled = !app.training;
  ui.reset.disabled = !app.ready;
}

function updateProgress() {
  ui.stepCount.textContent = String(app.step);
  ui.rate.textContent = app.stepsPerSec ? `${app.stepsPerSec.toFixed(1)} steps/s` : '';
  const total = app.until || state.steps;
  ui.progress.max = total;
  ui.progress.value = Math.min(app.step, total);
  const left = total - app.step;
  ui.eta.textContent = app.training && app.stepsPerSec > 0 && left > 0 ? `ETA ${formatSeconds(left / app.stepsPerSec)}` : '';
  const w = ui.chart.width;
  const h = ui.chart.height;
  render.drawLossChart(ui.chart.getContext('2d'), app.steps, app.losses, w, h, COLORS.chart);
}

function formatSeconds(s) {
  return s < 60 ? `${Math.ceil(s)} s` : `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s`;
}

function setBadge(text, kind) {
  ui.backend.textContent = text;
  ui.backend.dataset.kind = kind;
}

// ---------------------------------------------------------------- state changes

function syncUrl() {
  const hash = toHash(state);
  if (hash !== window.location.hash && !(hash === '' && window.location.hash === '')) {
    window.history.replaceState(null, '', hash || window.location.pathname + window.location.search);
  }
}

async function applyChange(name, value) {
  const before = state;
  state = { ...state, [name]: value };
  syncUrl();
  updateControls(state);
  if (name === 'backend') {
    app.snapshot = null;
    client.spawn();
    start(value).catch((e) => showMessage(e.message, { kind: 'error' }));
  } else if (RESTARTS.has(name)) {
    if (app.training) await pause();
    try {
      await client.request(Request.CONFIGURE, { config: trainConfig(state), points: pointsFor(state) });
    } catch (error) {
      showMessage(`${error.message} — keeping ${name} = ${before[name]}`, { kind: 'error' });
      state = before;
      syncUrl();
      updateControls(state);
      return;
    }
    app.step = 0; app.until = 0; app.steps = []; app.losses = []; app.snapshot = null;
    updateProgress();
    if (app.layer) app.layer.clear();
    await refreshAll();
  } else if (['solver', 'nfe', 'tol', 'particles'].includes(name)) {
    await resample();
  } else if (name === 'layers') {
    app.fieldStale = true;
  } else if (name === 'steps') {
    updateProgress();
  }
}

const updateControls = buildControls(ui.controls, state, {
  onChange: (name, value) => { applyChange(name, value); },
  onInvalid: (message) => showMessage(message, { kind: 'error' }),
});
updateControls(state);

window.addEventListener('hashchange', () => {
  const next = parseHash(window.location.hash);
  for (const error of next.errors) showMessage(`URL: ${error}`);
  for (const name of Object.keys(next.state)) {
    if (JSON.stringify(next.state[name]) !== JSON.stringify(state[name])) applyChange(name, next.state[name]);
  }
});

ui.train.addEventListener('click', () => train(0));
ui.step.addEventListener('click', () => train(1));
ui.pause.addEventListener('click', pause);
ui.reset.addEventListener('click', reset);
ui.play.addEventListener('click', () => {
  app.anim.playing = !app.anim.playing;
  if (app.anim.playing && app.anim.t >= 1) app.anim.t = 0;
  ui.play.textContent = app.anim.playing ? '❚❚' : '▶';
  ui.play.setAttribute('aria-label', app.anim.playing ? 'Pause the animation' : 'Play the animation');
});
ui.time.addEventListener('input', () => {
  app.anim.playing = false;
  ui.play.textContent = '▶';
  app.anim.t = Number(ui.time.value) / 1000;
  state = { ...state, t: app.anim.t };
});
ui.time.addEventListener('change', () => syncUrl());
ui.clearPoints.addEventListener('click', () => {
  app.userPoints = [];
  ui.clearPoints.hidden = state.dataset !== 'points';
});

// Drawing points for the `points` dataset: drag on the canvas.
let drawing = false;
ui.canvas.addEventListener('pointerdown', (e) => {
  if (state.dataset !== 'points') return;
  drawing = true;
  if (!app.userPoints || app.userPoints === null) app.userPoints = [];
  addPoint(e);
});
ui.canvas.addEventListener('pointermove', (e) => { if (drawing) addPoint(e); });
window.addEventListener('pointerup', () => {
  if (!drawing) return;
  drawing = false;
  if (app.userPoints.length >= 2) reset();
});
function addPoint(e) {
  const rect = ui.canvas.getBoundingClientRect();
  const x = BOUNDS[0] + ((e.clientX - rect.left) / rect.width) * (BOUNDS[1] - BOUNDS[0]);
  const y = BOUNDS[3] - ((e.clientY - rect.top) / rect.height) * (BOUNDS[3] - BOUNDS[2]);
  app.userPoints.push(x, y);
}

// ---------------------------------------------------------------- animation

function currentT() { return app.anim.t; }

function resize() {
  const dpr = window.devicePixelRatio || 1;
  const size = Math.max(200, Math.round(ui.canvas.clientWidth * dpr));
  if (ui.canvas.width !== size) {
    ui.canvas.width = size;
    ui.canvas.height = size;
    app.layer = new render.ParticleLayer(size, size);
  }
  app.view = new render.View(BOUNDS, size, size);
  const chartW = Math.round(ui.chart.clientWidth * dpr);
  if (chartW && ui.chart.width !== chartW) {
    ui.chart.width = chartW;
    ui.chart.height = Math.round(ui.chart.clientHeight * dpr);
    updateProgress();
  }
}

function frame(now) {
  const dt = app.anim.last ? Math.min(0.1, (now - app.anim.last) / 1000) : 0;
  app.anim.last = now;
  if (app.anim.playing) {
    if (app.anim.t >= 1) {
      app.anim.hold += dt;
      if (app.anim.hold > 0.8) { app.anim.t = 0; app.anim.hold = 0; if (app.layer) app.layer.clear(); }
    } else {
      app.anim.t = Math.min(1, app.anim.t + dt / 2.5);
    }
    ui.time.value = String(Math.round(app.anim.t * 1000));
  }
  ui.timeLabel.textContent = `t = ${app.anim.t.toFixed(2)}`;
  draw();
  refreshFields();
  window.requestAnimationFrame(frame);
}

function draw() {
  const ctx = ui.canvas.getContext('2d');
  const view = app.view;
  ctx.clearRect(0, 0, view.width, view.height);
  const dot = Math.max(2, Math.round(view.width / 300));
  if (state.layers.includes('data') && app.data) render.drawPoints(ctx, app.data, view, COLORS.data, dot);
  if (state.layers.includes('exact') && app.fields.exact) render.drawArrows(ctx, app.fields.exact, FIELD_GRID, view, COLORS.exact, 1);
  if (state.layers.includes('field') && app.fields.learned) render.drawArrows(ctx, app.fields.learned, FIELD_GRID, view, COLORS.learned, 1);
  if (state.layers.includes('pairs') && app.pairs) render.drawSegments(ctx, app.pairs, view, COLORS.pairs);
  const s = app.samples;
  if (!s || !s.trajectory) return;
  const at = render.stateIndex(s.times, app.anim.t);
  if (state.layers.includes('paths')) render.drawTrajectories(ctx, s.trajectory, s.n, s.states, PATHS, at, view, COLORS.paths);
  if (state.layers.includes('particles')) {
    render.positionsAt(s.trajectory, s.n, s.states, at, app.position);
    const layer = app.layer;
    if (state.layers.includes('trails')) layer.fade(0.88); else layer.clear();
    layer.plot(app.position, view, COLORS.particles, dot);
    layer.blit(ctx);
  }
}

new ResizeObserver(resize).observe(ui.canvas);
resize();
updateButtons();
updateProgress();
ui.clearPoints.hidden = state.dataset !== 'points';
window.requestAnimationFrame(frame);

// A read-only view of the page for scripts and tests.
window.flowPlayground = {
  status: () => ({
    ready: app.ready, backend: app.backend, adapter: app.adapter, training: app.training,
    step: app.step, loss: app.losses.length ? app.losses[app.losses.length - 1] : null,
    losses: [...app.losses], stepsPerSec: app.stepsPerSec, stats: app.stats,
    messages: [...app.messages], state: { ...state },
  }),
  memory: () => client.request(Request.MEMORY).then((r) => r.heapBytes),
  exportWeights,
  importWeights: (bytes) => importWeights(bytes.slice()),
  loseDevice: () => client.request(Request.LOSE_DEVICE),
};

start(state.backend).catch((e) => showMessage(e.message, { kind: 'error' }));
