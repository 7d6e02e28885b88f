// One live figure: a canvas animating particles from a flow-matching model, its training run
// in the shared worker, and whatever DOM controls the host gives it. The full page (main.js),
// the <flow-playground> element (element.js) and the iframe (embed.html) are all figures.

import { PARAMS, MODEL_KEYS, trainConfig, solverSpec, RESTARTS, toHash } from './state.js';
import { sharedClient, Request, Event } from './client.js';
import * as render from './render.js';
import { meanStd, slicedW2 } from './stats.js';

const BOUNDS = [-6.5, 6.5, -6.5, 6.5];
const FIELD_GRID = 21;
const DATA_POINTS = 2000;
const PAIRS = 300;
const PATHS = 150;
/** Above this many particles `renderer=auto` draws them with WebGL2 rather than on the CPU. */
const GL_PARTICLES = 20000;
const THEMES = {
  light: {
    data: 'rgba(120, 130, 150, 0.55)', particles: 0xff6b35, learned: 'rgba(40, 110, 220, 0.85)',
    exact: 'rgba(20, 160, 90, 0.85)', pairs: 'rgba(150, 80, 200, 0.25)', paths: 'rgba(255, 107, 53, 0.35)',
    chart: { line: '#2a6fdb', text: '#555' },
  },
  dark: {
    data: 'rgba(170, 180, 200, 0.5)', particles: 0xffa15c, learned: 'rgba(110, 170, 255, 0.9)',
    exact: 'rgba(90, 220, 150, 0.9)', pairs: 'rgba(200, 150, 255, 0.3)', paths: 'rgba(255, 161, 92, 0.4)',
    chart: { line: '#7fb0ff', text: '#bbb' },
  },
};
const PATH_NAMES = { linear: 'linear', cosine: 'cosine', ot_sigma_min: 'sigma-min', polynomial: 'poly' };
const MODELS_URL = new URL('./models/', import.meta.url);
let manifest = null;
let figureCount = 0;

/** The shipped models' manifest (www/models/index.json), fetched once per page. */
function loadManifest() {
  if (!manifest) {
    manifest = fetch(new URL('index.json', MODELS_URL)).then((r) => (r.ok ? r.json() : { models: [] }))
      .catch(() => ({ models: [] }));
  }
  return manifest;
}

function formatSeconds(s) {
  return s < 60 ? `${Math.ceil(s)} s` : `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s`;
}

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/**
 * A figure. Events: `ready`, `step` ({step, loss}), `samples`, `stopped`, `error` ({message}),
 * `statechange` ({name}).
 */
export class Figure extends EventTarget {
  /**
   * @param {object} state  a full parameter state (see state.js)
   * @param {object} elements  {canvas, and any of: chart, stats, time, timeLabel, play, train,
   *   pause, step, reset, progress, stepCount, rate, eta, badge}
   * @param {(text: string, options?: object) => void} notify  shows a message to the reader
   */
  constructor(state, elements, notify) {
    super();
    figureCount += 1;
    this.id = `figure-${figureCount}`;
    this.state = state;
    this.ui = elements;
    this.notify = notify;
    this.client = sharedClient(state.backend);
    this.client.attach(this.id, { onEvent: (m) => this.onEvent(m), onFatal: (f) => this.onFatal(f) });
    this.ready = false;
    this.backend = null;
    this.renderer = null;
    this.adapter = null;
    this.training = false;
    this.resumeWhenVisible = false;
    this.step = 0;
    this.until = 0;
    this.steps = [];
    this.losses = [];
    this.stepsPerSec = 0;
    this.data = null;
    this.samples = null;
    this.pairs = null;
    this.fields = { learned: null, exact: null };
    this.fieldBusy = false;
    this.fieldT = -1;
    this.fieldStale = true;
    this.anim = { playing: state.autoplay, t: state.autoplay ? 0 : state.t, last: 0, hold: 0 };
    this.snapshot = null;
    this.userPoints = null;
    this.stats = null;
    this.model = null; // the shipped model in use, if any
    this.visible = true;
    this.running = false;
    this.view = null;
    this.cpuLayer = null;
    this.glLayer = null;
    this.glMode = null;
    this.glSize = 0;
    this.glFailed = new Set();
    this.messages = [];
    this.bind();
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(elements.canvas);
    this.resize();
    this.updateButtons();
    this.updateProgress();
    this.setVisible(true);
  }

  get colors() { return THEMES[this.state.theme] || THEMES.light; }

  // ------------------------------------------------------------------ lifecycle

  /** Starts the module (or joins the page's), then shows a shipped model or an untrained one. */
  async start() {
    this.ready = false;
    this.updateButtons();
    this.setBadge('starting…', 'busy');
    const init = () => this.client.request(Request.INIT, {
      figure: this.id, backend: this.client.preference, config: trainConfig(this.state), points: this.points(),
    });
    let reply;
    try {
      reply = await init();
    } catch (error) {
      if (error.fatal) return; // onFatal restarts
      throw error;
    }
    this.backend = reply.backend;
    this.adapter = reply.adapter;
    if (reply.note) this.say(reply.note);
    this.showBackend(reply);
    if (this.snapshot) {
      await this.restoreSnapshot();
    } else if (this.state.pretrained) {
      await this.loadShippedModel();
    }
    this.ready = true;
    this.updateButtons();
    this.updateProgress();
    await this.refreshAll();
    this.dispatchEvent(new CustomEvent('ready', { detail: this.status() }));
  }

  showBackend({ backend, adapter }) {
    this.backend = backend;
    this.adapter = adapter;
    this.setBadge(backend === 'webgpu' ? `WebGPU · ${adapter}` : 'CPU (wasm)', backend);
  }

  async restoreSnapshot() {
    try {
      const restored = await this.client.request(Request.IMPORT, { figure: this.id, bytes: this.snapshot.slice() });
      this.step = restored.step;
      this.say(`Restored the weights from step ${restored.step} on the ${this.backend === 'cpu' ? 'CPU' : 'GPU'}.`, { kind: 'info' });
    } catch (error) {
      this.say(`Could not restore the weights: ${error.message}`);
    }
  }

  /** Loads the shipped model trained for exactly these settings, when there is one. */
  async loadShippedModel() {
    const { models } = await loadManifest();
    const match = models.find((m) => MODEL_KEYS.every((k) => m[k] === this.state[k]));
    this.model = null;
    if (!match) return false;
    try {
      const response = await fetch(new URL(match.file, MODELS_URL));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const reply = await this.client.request(Request.IMPORT, { figure: this.id, bytes });
      this.step = reply.step;
      this.model = match;
      return true;
    } catch (error) {
      this.say(`The shipped model ${match.file} could not be loaded (${error.message}); starting untrained.`);
      return false;
    }
  }

  onFatal(failure) {
    this.training = false;
    this.updateButtons();
    this.say(`The compute module stopped (${failure.message}). ${failure.wasGpu ? 'Continuing on the CPU' : 'Restarting'} without reloading the page.`);
    this.start().catch((e) => this.say(`Restart failed: ${e.message}`, { kind: 'error' }));
  }

  /** Stops everything and releases the figure's share of the worker. */
  dispose() {
    this.running = false;
    this.resizeObserver.disconnect();
    this.client.detach(this.id);
    if (this.glLayer) this.glLayer.dispose();
    this.glLayer = null;
  }

  // ------------------------------------------------------------------ worker events

  onEvent(message) {
    switch (message.type) {
      case Event.PROGRESS:
        this.step = message.step;
        this.stepsPerSec = message.stepsPerSec;
        this.steps.push(message.step);
        this.losses.push(message.loss);
        this.updateProgress();
        this.dispatchEvent(new CustomEvent('step', { detail: { step: message.step, loss: message.loss, stepsPerSec: message.stepsPerSec } }));
        break;
      case Event.SAMPLES:
        this.setSamples(message);
        break;
      case Event.SNAPSHOT:
        this.snapshot = message.bytes;
        break;
      case Event.STOPPED:
        this.training = false;
        this.step = message.step;
        this.updateButtons();
        this.updateProgress();
        if (message.reason === 'nan') {
          this.say(message.message, { kind: 'error', action: { label: 'Reset', run: () => this.reset() } });
        } else if (message.reason === 'error') {
          this.say(`Training stopped: ${message.message}`, { kind: 'error' });
        }
        this.dispatchEvent(new CustomEvent('stopped', { detail: { reason: message.reason, step: message.step } }));
        break;
      case Event.ERROR:
        this.say(message.message, { kind: 'error' });
        break;
      case Event.BACKEND:
        // The worker moved this figure to the WebGPU module (same weights), or kept it on the CPU.
        this.showBackend(message);
        if (message.note) this.say(message.note);
        if (message.backend === 'webgpu' && this.ready && !this.training) this.resample();
        break;
      default:
        break;
    }
  }

  say(text, options = {}) {
    this.messages.push(text);
    if (options.kind === 'error') this.dispatchEvent(new CustomEvent('error', { detail: { message: text } }));
    this.notify(text, options);
  }

  request(type, payload = {}) {
    return this.client.request(type, { figure: this.id, ...payload });
  }

  // ------------------------------------------------------------------ data

  points() {
    if (this.state.dataset !== 'points') return undefined;
    return Float32Array.from(this.userPoints && this.userPoints.length >= 2 ? this.userPoints : defaultPoints());
  }

  sampleSpec() {
    const s = this.state;
    return { n: s.particles, solver: solverSpec(s), nfe: s.nfe, seed: s.seed + 101, record: true };
  }

  async refreshAll() {
    const [data, pairs] = await Promise.all([
      this.request(Request.DATA, { n: DATA_POINTS, seed: 12345 }),
      this.request(Request.PAIRS, { n: PAIRS }).catch(() => null),
    ]);
    this.data = data.xy;
    this.pairs = pairs ? pairs.xy : null;
    await this.resample();
  }

  /** Draws fresh particles from the current weights. */
  async resample() {
    try {
      this.setSamples(await this.request(Request.SAMPLE, this.sampleSpec()));
    } catch (error) {
      if (!error.fatal) this.say(error.message, { kind: 'error' });
    }
  }

  setSamples(message) {
    const n = message.x.length / 2;
    const states = message.trajectory ? message.trajectory.length / (2 * n) : 0;
    this.samples = { ...message, n, states };
    this.fieldStale = true;
    if (this.data) {
      const s = meanStd(message.x);
      const d = meanStd(this.data);
      this.stats = { samples: s, data: d, slicedW2: slicedW2(message.x, this.data), nfe: message.nfe, step: message.step, n, backend: message.backend };
      if (this.ui.stats) {
        const f = (v) => v.toFixed(2);
        this.ui.stats.textContent = `${n} particles, ${message.nfe} NFE · mean (${f(s.mean[0])}, ${f(s.mean[1])}) vs data (${f(d.mean[0])}, ${f(d.mean[1])}) · spread (${f(s.std[0])}, ${f(s.std[1])}) vs (${f(d.std[0])}, ${f(d.std[1])}) · sliced W₂ to data ${this.stats.slicedW2.toFixed(3)}`;
      }
    }
    this.dispatchEvent(new CustomEvent('samples', { detail: this.stats }));
  }

  async refreshFields() {
    const wanted = ['field', 'exact'].filter((l) => this.state.layers.includes(l));
    if (!this.ready || this.fieldBusy || !wanted.length) return;
    const t = Math.round(this.anim.t * 100) / 100;
    if (!this.fieldStale && t === this.fieldT) return;
    this.fieldBusy = true;
    this.fieldStale = false;
    this.fieldT = t;
    try {
      for (const layer of wanted) {
        const which = layer === 'field' ? 'learned' : 'exact';
        // Fields of an empirical target are singular at t = 1; show them just before.
        const reply = await this.request(Request.FIELD, { which, t: Math.min(t, 0.99), bounds: BOUNDS, grid: FIELD_GRID });
        this.fields[which] = reply.v;
      }
    } catch (error) {
      if (!error.fatal) this.say(error.message, { kind: 'error' });
    } finally {
      this.fieldBusy = false;
    }
  }

  // ------------------------------------------------------------------ training

  /** Trains `steps` more steps, or (0) up to the `steps` setting (or that many more). */
  train(steps = 0) {
    if (!this.ready) return;
    const s = this.state.steps;
    this.until = steps ? this.step + steps : Math.max(s, this.step + (this.step >= s ? s : 0));
    if (!this.visible) {
      // Off screen: start when the reader can see it.
      this.resumeWhenVisible = true;
      return;
    }
    this.training = true;
    this.updateButtons();
    this.request(Request.TRAIN, { until: this.until, sample: this.sampleSpec() }).catch((e) => {
      this.training = false;
      this.updateButtons();
      if (!e.fatal) this.say(e.message, { kind: 'error' });
    });
  }

  async pause() {
    this.resumeWhenVisible = false;
    try { await this.request(Request.PAUSE); } catch { /* the stopped event updates the UI */ }
  }

  /** A fresh, untrained network with the current settings. */
  async reset() {
    if (!this.ready) return;
    try {
      await this.request(Request.CONFIGURE, { config: trainConfig(this.state), points: this.points() });
    } catch (error) {
      this.say(error.message, { kind: 'error' });
      return;
    }
    this.clearRun();
    this.model = null;
    await this.refreshAll();
  }

  clearRun() {
    this.training = false;
    this.step = 0;
    this.until = 0;
    this.steps = [];
    this.losses = [];
    this.snapshot = null;
    this.updateButtons();
    this.updateProgress();
    this.clearParticles();
  }

  clearParticles() {
    if (this.cpuLayer) this.cpuLayer.clear();
    if (this.glLayer) this.glLayer.clear();
  }

  /**
   * The particle layer for the renderer choice and particle count. `auto` plots on the CPU up
   * to GL_PARTICLES particles and above that uses WebGL2 where it runs on a GPU; `webgl`
   * uses WebGL2 even when emulated; `canvas` always plots on the CPU.
   */
  particleLayer() {
    const size = this.ui.canvas.width;
    const { renderer } = this.state;
    const n = this.samples ? this.samples.n : 0;
    const mode = renderer === 'webgl' ? 'any' : renderer === 'auto' && n > GL_PARTICLES ? 'hardware' : null;
    if (mode) {
      if (this.glLayer && (this.glLayer.lost || this.glMode !== mode || this.glSize !== size)) {
        if (this.glLayer.lost) this.glFailed.add(this.glMode);
        else this.glLayer.dispose();
        this.glLayer = null;
      }
      // A mode whose context failed or was lost is not tried again (any canvas size).
      if (!this.glLayer && !this.glFailed.has(mode)) {
        this.glLayer = render.GlParticleLayer.create(size, size, { hardwareOnly: mode === 'hardware' });
        this.glMode = mode;
        this.glSize = size;
        if (!this.glLayer) {
          this.glFailed.add(mode);
          if (mode === 'any') this.say('WebGL2 is unavailable here: particles are drawn on the CPU.', { kind: 'info' });
        }
      }
      if (this.glLayer) return this.glLayer;
    } else if (this.glLayer) {
      // Back under the threshold: free the uploaded trajectory and the context.
      this.glLayer.dispose();
      this.glLayer = null;
    }
    if (!this.cpuLayer || this.cpuLayer.width !== size) this.cpuLayer = new render.ParticleLayer(size, size);
    return this.cpuLayer;
  }

  /** Applies changed parameters: restarts the run, resamples or redraws as each needs. */
  async set(changes) {
    const before = this.state;
    this.state = { ...this.state, ...changes };
    const names = Object.keys(changes).filter((n) => JSON.stringify(changes[n]) !== JSON.stringify(before[n]));
    if (!names.length) return true;
    if (names.includes('theme')) this.updateProgress();
    if (names.includes('t')) { this.anim.t = this.state.t; this.anim.playing = false; this.syncPlay(); }
    if (names.includes('autoplay')) { this.anim.playing = this.state.autoplay; this.syncPlay(); }
    if (!this.ready) return true;
    if (names.includes('backend')) {
      this.say('The backend applies when the figure starts; reload to switch.', { kind: 'info' });
    }
    if (names.some((n) => RESTARTS.has(n))) {
      if (this.training) await this.pause();
      try {
        await this.request(Request.CONFIGURE, { config: trainConfig(this.state), points: this.points() });
      } catch (error) {
        const bad = names.filter((n) => RESTARTS.has(n)).map((n) => `${n} = ${before[n]}`).join(', ');
        this.say(`${error.message} — keeping ${bad}`, { kind: 'error' });
        this.state = before;
        return false;
      }
      this.clearRun();
      if (this.state.pretrained) await this.loadShippedModel();
      await this.refreshAll();
    } else if (names.some((n) => ['solver', 'nfe', 'tol', 'particles'].includes(n))) {
      await this.resample();
    } else if (names.includes('layers')) {
      this.fieldStale = true;
    } else if (names.includes('steps')) {
      this.updateProgress();
    }
    return true;
  }

  // ------------------------------------------------------------------ weights and exports

  /** Loads a weights file; the file's network, path and datasets replace the current ones. */
  async importWeights(bytes) {
    if (this.training) await this.pause();
    const reply = await this.request(Request.IMPORT, { bytes: bytes.slice() });
    const c = reply.config;
    const next = {
      width: c.model.width, depth: c.model.depth, activation: c.model.activation, embed: c.model.time_embedding,
      path: PATH_NAMES[c.path.kind] || this.state.path, param: c.parameterization,
    };
    if (PARAMS.dataset.options.includes(c.target)) next.dataset = c.target;
    if (PARAMS.source.options.includes(c.source)) next.source = c.source;
    this.state = { ...this.state, ...next };
    this.clearRun();
    this.step = reply.step;
    this.snapshot = bytes.slice();
    this.updateProgress();
    this.dispatchEvent(new CustomEvent('statechange', { detail: { names: Object.keys(next) } }));
    await this.refreshAll();
    return c;
  }

  async exportWeights() {
    return (await this.request(Request.EXPORT)).bytes;
  }

  /** A link to the full playground with this figure's settings. */
  shareLink() {
    const page = new URL('./index.html', import.meta.url);
    page.hash = toHash(this.state);
    return page.href;
  }

  downloadPng() {
    this.ui.canvas.toBlob((blob) => download(blob, `flow-${this.state.dataset}.png`), 'image/png');
  }

  downloadCsv() {
    if (!this.samples) return;
    const lines = ['x,y'];
    const x = this.samples.x;
    for (let i = 0; i < x.length; i += 2) lines.push(`${x[i]},${x[i + 1]}`);
    download(new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' }), `flow-${this.state.dataset}-samples.csv`);
  }

  async downloadWeights() {
    const bytes = await this.exportWeights();
    download(new Blob([bytes], { type: 'application/octet-stream' }), `flow-${this.state.dataset}.fpw`);
  }

  downloadConfig() {
    const { hide, size, theme, autoplay, ...settings } = this.state;
    download(new Blob([`${JSON.stringify({ ...settings, step: this.step }, null, 2)}\n`], { type: 'application/json' }), `flow-${this.state.dataset}.json`);
  }

  /** Records `seconds` of the animation as WebM (from t = 0). Resolves when saved. */
  recordWebm(seconds = 4) {
    if (typeof MediaRecorder === 'undefined' || !this.ui.canvas.captureStream) {
      this.say('This browser cannot record the canvas.');
      return Promise.resolve();
    }
    const stream = this.ui.canvas.captureStream(30);
    const type = ['video/webm;codecs=vp9', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t));
    const recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
    const chunks = [];
    recorder.ondataavailable = (e) => chunks.push(e.data);
    this.anim.t = 0;
    this.anim.playing = true;
    this.syncPlay();
    return new Promise((resolve) => {
      recorder.onstop = () => {
        download(new Blob(chunks, { type: 'video/webm' }), `flow-${this.state.dataset}.webm`);
        resolve();
      };
      recorder.start();
      setTimeout(() => recorder.stop(), seconds * 1000);
    });
  }

  // ------------------------------------------------------------------ DOM

  bind() {
    const ui = this.ui;
    if (ui.train) ui.train.addEventListener('click', () => this.train(0));
    if (ui.step) ui.step.addEventListener('click', () => this.train(1));
    if (ui.pause) ui.pause.addEventListener('click', () => this.pause());
    if (ui.reset) ui.reset.addEventListener('click', () => this.reset());
    if (ui.play) {
      ui.play.addEventListener('click', () => {
        this.anim.playing = !this.anim.playing;
        if (this.anim.playing && this.anim.t >= 1) this.anim.t = 0;
        this.syncPlay();
      });
    }
    if (ui.time) {
      ui.time.addEventListener('input', () => this.setTime(Number(ui.time.value) / 1000));
      ui.time.addEventListener('change', () => this.dispatchEvent(new CustomEvent('statechange', { detail: { names: ['t'] } })));
    }
    // Drawing points for the `points` dataset: drag on the canvas.
    let drawing = false;
    ui.canvas.addEventListener('pointerdown', (e) => {
      if (this.state.dataset !== 'points') return;
      drawing = true;
      if (!this.userPoints) this.userPoints = [];
      this.addPoint(e);
    });
    ui.canvas.addEventListener('pointermove', (e) => { if (drawing) this.addPoint(e); });
    window.addEventListener('pointerup', () => {
      if (!drawing) return;
      drawing = false;
      if (this.userPoints.length >= 2) this.reset();
    });
  }

  clearPoints() {
    this.userPoints = [];
  }

  addPoint(e) {
    const rect = this.ui.canvas.getBoundingClientRect();
    const x = BOUNDS[0] + ((e.clientX - rect.left) / rect.width) * (BOUNDS[1] - BOUNDS[0]);
    const y = BOUNDS[3] - ((e.clientY - rect.top) / rect.height) * (BOUNDS[3] - BOUNDS[2]);
    this.userPoints.push(x, y);
  }

  /** Shows time `t` and stops the animation there. */
  setTime(t) {
    this.anim.playing = false;
    this.anim.t = Math.min(1, Math.max(0, t));
    this.state = { ...this.state, t: this.anim.t };
    this.syncPlay();
  }

  play() {
    this.anim.playing = true;
    if (this.anim.t >= 1) this.anim.t = 0;
    this.syncPlay();
  }

  stopAnimation() {
    this.anim.playing = false;
    this.syncPlay();
  }

  syncPlay() {
    const { play } = this.ui;
    if (!play) return;
    play.textContent = this.anim.playing ? '❚❚' : '▶';
    play.setAttribute('aria-label', this.anim.playing ? 'Pause the animation' : 'Play the animation');
  }

  updateButtons() {
    const { train, step, pause, reset } = this.ui;
    if (train) train.disabled = this.training || !this.ready;
    if (step) step.disabled = this.training || !this.ready;
    if (pause) pause.disabled = !this.training;
    if (reset) reset.disabled = !this.ready;
  }

  updateProgress() {
    const ui = this.ui;
    if (ui.stepCount) ui.stepCount.textContent = String(this.step);
    if (ui.rate) ui.rate.textContent = this.stepsPerSec ? `${this.stepsPerSec.toFixed(1)} steps/s` : '';
    const total = this.until || this.state.steps;
    if (ui.progress) {
      ui.progress.max = Math.max(1, total);
      ui.progress.value = Math.min(this.step, total);
    }
    const left = total - this.step;
    if (ui.eta) ui.eta.textContent = this.training && this.stepsPerSec > 0 && left > 0 ? `ETA ${formatSeconds(left / this.stepsPerSec)}` : '';
    if (ui.chart && ui.chart.width) {
      render.drawLossChart(ui.chart.getContext('2d'), this.steps, this.losses, ui.chart.width, ui.chart.height, this.colors.chart);
    }
  }

  setBadge(text, kind) {
    if (!this.ui.badge) return;
    this.ui.badge.textContent = text;
    this.ui.badge.dataset.kind = kind;
  }

  resize() {
    const { canvas, chart } = this.ui;
    const dpr = window.devicePixelRatio || 1;
    const size = Math.max(100, Math.round(canvas.clientWidth * dpr));
    if (canvas.width !== size) {
      canvas.width = size;
      canvas.height = size;
    }
    this.view = new render.View(BOUNDS, size, size);
    if (chart) {
      const w = Math.round(chart.clientWidth * dpr);
      if (w && chart.width !== w) {
        chart.width = w;
        chart.height = Math.round(chart.clientHeight * dpr);
        this.updateProgress();
      }
    }
  }

  // ------------------------------------------------------------------ visibility and animation

  /**
   * Off screen (or in a hidden tab) a figure stops animating and pauses its training; back on
   * screen it resumes where it was.
   */
  setVisible(visible) {
    if (visible === this.visible && this.running === visible) return;
    this.visible = visible;
    if (!visible) {
      this.running = false;
      if (this.training) {
        this.resumeWhenVisible = true;
        this.request(Request.PAUSE).catch(() => {});
      }
      return;
    }
    if (this.resumeWhenVisible && this.ready) {
      this.resumeWhenVisible = false;
      this.training = true;
      this.updateButtons();
      this.request(Request.TRAIN, { until: this.until, sample: this.sampleSpec() }).catch(() => {});
    }
    if (!this.running) {
      this.running = true;
      this.anim.last = 0;
      window.requestAnimationFrame((now) => this.frame(now));
    }
  }

  frame(now) {
    if (!this.running) return;
    const dt = this.anim.last ? Math.min(0.1, (now - this.anim.last) / 1000) : 0;
    this.anim.last = now;
    if (this.anim.playing) {
      if (this.anim.t >= 1) {
        this.anim.hold += dt;
        if (this.anim.hold > 0.8) { this.anim.t = 0; this.anim.hold = 0; this.clearParticles(); }
      } else {
        this.anim.t = Math.min(1, this.anim.t + dt / 2.5);
      }
      if (this.ui.time) this.ui.time.value = String(Math.round(this.anim.t * 1000));
    }
    if (this.ui.timeLabel) this.ui.timeLabel.textContent = `t = ${this.anim.t.toFixed(2)}`;
    this.draw();
    this.refreshFields();
    window.requestAnimationFrame((next) => this.frame(next));
  }

  draw() {
    const ctx = this.ui.canvas.getContext('2d');
    const { view, state } = this;
    const colors = this.colors;
    ctx.clearRect(0, 0, view.width, view.height);
    const dot = Math.max(2, Math.round(view.width / 300));
    const layers = state.layers;
    if (layers.includes('data') && this.data) render.drawPoints(ctx, this.data, view, colors.data, dot);
    if (layers.includes('exact') && this.fields.exact) render.drawArrows(ctx, this.fields.exact, FIELD_GRID, view, colors.exact, 1);
    if (layers.includes('field') && this.fields.learned) render.drawArrows(ctx, this.fields.learned, FIELD_GRID, view, colors.learned, 1);
    if (layers.includes('pairs') && this.pairs) render.drawSegments(ctx, this.pairs, view, colors.pairs);
    const s = this.samples;
    if (!s || !s.trajectory) return;
    const at = render.stateIndex(s.times, this.anim.t);
    if (layers.includes('paths')) render.drawTrajectories(ctx, s.trajectory, s.n, s.states, PATHS, at, view, colors.paths);
    if (layers.includes('particles')) {
      const layer = this.particleLayer();
      this.renderer = layer instanceof render.GlParticleLayer ? 'webgl' : 'canvas';
      layer.draw(s, at, view, colors.particles, dot, layers.includes('trails') ? 0.88 : 0);
      layer.blit(ctx);
    }
  }

  /** A snapshot of the figure for scripts and tests. */
  status() {
    return {
      ready: this.ready, backend: this.backend, adapter: this.adapter, training: this.training,
      step: this.step, loss: this.losses.length ? this.losses[this.losses.length - 1] : null,
      losses: [...this.losses], stepsPerSec: this.stepsPerSec, stats: this.stats, visible: this.visible,
      model: this.model ? this.model.file : null, t: this.anim.t, renderer: this.renderer, messages: [...this.messages], state: { ...this.state },
    };
  }
}

/** A smile, until the reader draws their own points. */
function defaultPoints() {
  const xy = [];
  for (let i = 0; i < 120; i += 1) {
    const a = Math.PI * (1.15 + 0.7 * (i / 119));
    xy.push(3 * Math.cos(a), 3 * Math.sin(a) + 0.5);
  }
  for (const cx of [-1.5, 1.5]) for (let i = 0; i < 30; i += 1) xy.push(cx + 0.3 * Math.cos(i), 2 + 0.3 * Math.sin(i));
  return xy;
}
