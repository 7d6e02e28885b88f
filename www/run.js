// A figure's model in the shared worker: starting the module, the shipped or restored weights,
// training, fresh samples and the events they raise. Figure (figure.js) extends it with what is
// drawn and when; `changed(what)` tells it 'buttons', 'progress' or 'samples' moved.

import { PARAMS, trainConfig, solverSpec, classIndex } from './state.js';
import { sharedClient, Request, Event } from './client.js';
import { meanStd, slicedW2 } from './stats.js';
import { defaultPoints, defaultLabels } from './input.js';
import { shippedModel, shippedBytes, prefetchModel } from './models.js';
import { particleColors } from './layers/colorwheel.js';
import { classColors, classCount, classPalette } from './layers/classes.js';
import { encodeCloud, CLOUD_PARAMS } from './owndata.js';

const DATA_POINTS = 2000;
const PAIRS = 256;
/** How many particles a new picture shows first (firstSlice). */
export const FIRST_SLICE = 500;
const PATH_NAMES = { linear: 'linear', cosine: 'cosine', ot_sigma_min: 'sigma-min', polynomial: 'poly', bridge: 'bridge' };
/** Straightness is measured on this many particles with RK4 at STRAIGHTNESS_NFE evaluations. */
const STRAIGHTNESS_N = 1000;
const STRAIGHTNESS_NFE = 20;
/** …and at most this often while training (ms). */
const STRAIGHTNESS_EVERY = 5000;
/** …and, while training, take at most this share of the worker's time. */
const STRAIGHTNESS_BUDGET = 0.04;

/** The wait (ms) before the next straightness while training, after one that cost `cost` ms. */
function straightnessGap(cost = 0) {
  return Math.max(STRAIGHTNESS_EVERY, (cost * (1 - STRAIGHTNESS_BUDGET)) / STRAIGHTNESS_BUDGET);
}
/** A reflow trains on this many pairs (x₀, ODE(x₀)), carried by RK4 in REFLOW_NFE evaluations. */
export const REFLOW_PAIRS = 4000;
const REFLOW_NFE = 32;

/** `k`-rectified, in words. */
export function rectified(k) {
  return k ? `${k}-rectified flow` : 'flow';
}
let runCount = 0;

/** Events: `ready`, `step` ({step, loss}), `samples`, `stopped`, `error` ({message}), `statechange` ({names}). */
export class Run extends EventTarget {
  constructor(state, notify) {
    super();
    runCount += 1;
    Object.assign(this, {
      id: `figure-${runCount}`, state, notify, ready: false, backend: null, adapter: null, training: false,
      resumeWhenVisible: false, visible: true, step: 0, until: 0, steps: [], losses: [], stepsPerSec: 0,
      data: null, samples: null, pairs: null, snapshot: null, userPoints: null, userLabels: null, stats: null, model: null, messages: [],
      // A conditional model's data labels, their number and colours.
      dataLabels: null, dataClasses: 0, palette: null,
      // The latest straightness measurement {value, step}, and the weights' version (it
      // changes whenever they may have: inputs drawn from them are stale, the cost-vs-steps
      // chart starts again).
      straightness: null, version: 0, reflowing: false,
      // Why the SDE sampler cannot run for this model (the worker's message), once it failed.
      sdeNote: null,
    });
    this.client = sharedClient(state.backend);
    this.client.attach(this.id, { onEvent: (m) => this.onEvent(m), onFatal: (f) => this.onFatal(f) });
  }

  /** Called when the buttons, the progress or the samples changed (the figure redraws them). */
  changed() {}

  /** Starts the module (or joins the page's), then shows a shipped model or an untrained one. */
  async start() {
    this.ready = false;
    this.changed('buttons');
    this.changed('badge', 'starting…', 'busy');
    // The shipped model downloads while the module starts.
    if (!this.snapshot && this.state.pretrained) prefetchModel(this.state);
    let reply;
    try {
      reply = await this.init();
    } catch (error) {
      if (error.fatal) return; // onFatal restarts
      throw error;
    }
    // New weights in the module: inputs drawn from the old ones are stale.
    this.version += 1;
    if (reply.note) this.say(reply.note);
    this.showBackend(reply);
    if (this.snapshot) {
      try {
        this.step = (await this.request(Request.IMPORT, { bytes: this.snapshot.slice() })).step;
        this.version += 1;
        this.say(`Restored the weights from step ${this.step} on the ${this.backend === 'cpu' ? 'CPU' : 'GPU'}.`, { kind: 'info' });
      } catch (error) {
        this.say(`Could not restore the weights: ${error.message}`);
      }
    } else if (this.state.pretrained) {
      await this.loadShippedModel();
    } else {
      this.untrainedReflows();
    }
    this.ready = true;
    this.changed('buttons');
    this.changed('progress');
    await this.refreshAll();
    this.emit('ready', this.status());
  }

  showBackend({ backend, adapter }) {
    Object.assign(this, { backend, adapter });
    this.changed('badge', backend === 'webgpu' ? `WebGPU · ${adapter}` : 'CPU (wasm)', backend);
  }

  /**
   * Starts this figure's playground in the worker. A conditional model needs labelled data:
   * where the data has none, says so and starts an unconditional one.
   */
  async init() {
    const ask = () => this.client.request(Request.INIT, { figure: this.id, backend: this.client.preference, config: trainConfig(this.state), ...this.clouds() });
    try {
      return await ask();
    } catch (error) {
      if (error.fatal || !this.state.conditional || !/labelled data/.test(error.message)) throw error;
      this.say(`${error.message} — training an unconditional model`);
      this.state = { ...this.state, conditional: false, class: 'all' };
      this.emit('statechange', { names: ['conditional', 'class'] });
      return ask();
    }
  }

  /**
   * Loads the shipped model trained for exactly these settings, when there is one. Asked for a
   * reflowed model (`reflows`) that is not shipped, says so and looks for the plain one.
   */
  async loadShippedModel() {
    let match = await shippedModel(this.state);
    this.model = null;
    if (!match && this.state.reflows > 0) {
      this.say(`No shipped ${rectified(this.state.reflows)} for these settings (reflows = ${this.state.reflows}): starting from the plain flow; the Reflow button makes one.`);
      this.setReflows(0);
      match = await shippedModel(this.state);
    }
    if (!match) return;
    try {
      this.step = (await this.request(Request.IMPORT, { bytes: await shippedBytes(match) })).step;
      this.model = match;
      this.version += 1;
    } catch (error) {
      this.say(`The shipped model ${match.file} could not be loaded (${error.message}); starting untrained.`);
    }
  }

  /** An untrained network has no reflows: a `reflows` setting says so and goes back to 0. */
  untrainedReflows() {
    if (!this.state.reflows) return;
    this.say(`reflows = ${this.state.reflows} picks a shipped model, and this figure starts untrained (pretrained = 0): the Reflow button makes one.`);
    this.setReflows(0);
  }

  /** The flow's rectifications: shown beside the step count, and a state change. */
  setReflows(k) {
    this.state = { ...this.state, reflows: k };
    this.changed('progress');
    this.emit('statechange', { names: ['reflows'] });
  }

  onFatal(failure) {
    this.training = false;
    this.changed('buttons');
    this.say(`The compute module stopped (${failure.message}). ${failure.wasGpu ? 'Continuing on the CPU' : 'Restarting'} without reloading the page.`);
    this.start().catch((e) => this.say(`Restart failed: ${e.message}`, { kind: 'error' }));
  }

  onEvent(message) {
    if (message.type === Event.PROGRESS) {
      Object.assign(this, { step: message.step, stepsPerSec: message.stepsPerSec });
      this.version += 1;
      this.steps.push(message.step);
      this.losses.push(message.loss);
      this.changed('progress');
      this.emit('step', { step: message.step, loss: message.loss, stepsPerSec: message.stepsPerSec });
    } else if (message.type === Event.SAMPLES) {
      this.setSamples(message);
      // Straightness on a budget while training: every few seconds, from the fresh weights.
      if (this.training && !(this.straightness && performance.now() - this.straightness.at < straightnessGap(this.straightness.cost))) this.measureStraightness();
    } else if (message.type === Event.SNAPSHOT) {
      this.snapshot = message.bytes;
    } else if (message.type === Event.STOPPED) {
      // The page showed this pause already (halt); if Train was pressed since, the worker is
      // on a new run and this is the old run's `stopped`.
      if (message.reason === 'paused' && this.training && this.trainRuns > this.haltedRun) return;
      Object.assign(this, { training: false, step: message.step, lastStop: { reason: message.reason, step: message.step, at: performance.now() } });
      this.changed('buttons');
      this.changed('progress');
      if (message.reason === 'nan') this.say(message.message, { kind: 'error', action: { label: 'Reset', run: () => this.reset() } });
      else if (message.reason === 'error') this.say(`Training stopped: ${message.message}`, { kind: 'error' });
      if (message.reason === 'done' || message.reason === 'paused') {
        // The picture follows the weights it stopped at: a pause soon after Train (before the
        // first display sample on the worker's budget) would otherwise leave the old particles.
        if (this.ready && this.samples && this.samples.step < message.step) this.resample();
        this.measureStraightness();
      }
      this.emit('stopped', { reason: message.reason, step: message.step });
    } else if (message.type === Event.ERROR) {
      this.say(message.message, { kind: 'error' });
    } else if (message.type === Event.BACKEND) {
      // The worker moved this figure to the WebGPU module (same weights), or kept it on the CPU.
      this.showBackend(message);
      if (message.note) this.say(message.note);
      if (message.backend === 'webgpu' && this.ready && !this.training) this.resample();
    }
  }

  emit(name, detail) { this.dispatchEvent(new CustomEvent(name, { detail })); }

  say(text, options = {}) {
    this.messages.push(text);
    if (options.kind === 'error') this.emit('error', { message: text });
    this.notify(text, options);
  }

  request(type, payload = {}) { return this.client.request(type, { figure: this.id, ...payload }); }

  points() {
    if (this.state.dataset !== 'points') return undefined;
    return Float32Array.from(this.userPoints && this.userPoints.length >= 2 ? this.userPoints : defaultPoints());
  }

  /** The drawn points' classes, for a conditional model on `points` (else undefined). */
  labels() {
    if (this.state.dataset !== 'points' || !this.state.conditional) return undefined;
    return this.userPoints && this.userPoints.length >= 2 ? Uint32Array.from(this.userLabels) : defaultLabels();
  }

  /** The source's own cloud for source `points` (else undefined). */
  sourcePoints() {
    if (this.state.source !== 'points') return undefined;
    return Float32Array.from(this.userSource && this.userSource.length >= 2 ? this.userSource : defaultPoints());
  }

  /** The own-data clouds a run starts with (INIT and CONFIGURE, protocol.js). */
  clouds() {
    return { points: this.points(), labels: this.labels(), sourcePoints: this.sourcePoints() };
  }

  /** Forgets the points (the next drawn ones start afresh) and what the link held of them. */
  clearPoints() {
    Object.assign(this, { userPoints: [], userLabels: [] });
    this.setLink({ word: '', cloud: '' });
  }

  /** What the shareable link holds of the points: a word, packed points, or neither. */
  setLink({ word, cloud }) {
    if (word === this.state.word && cloud === this.state.cloud) return;
    this.state = { ...this.state, word, cloud };
    this.emit('statechange', { names: ['word', 'cloud'] });
  }

  /**
   * Before the start: a cloud (owndata-ui.js) as the `points` data (`role` 'data') or the
   * `points` source ('source').
   */
  holdCloud({ xy, labels, link }, role = 'data') {
    const keys = CLOUD_PARAMS[role];
    if (role === 'source') this.userSource = Array.from(xy);
    else Object.assign(this, { userPoints: Array.from(xy), userLabels: labels ? Array.from(labels) : new Array(xy.length / 2).fill(this.state.pen) });
    this.state = { ...this.state, [keys.menu]: 'points', [keys.word]: link.word, [keys.cloud]: link.cloud };
  }

  /**
   * The reader's own cloud (owndata-ui.js: {xy, labels, link, what, notes}) becomes the
   * `points` data (`role` 'data', t = 1) or source ('source', t = 0), with a fresh, untrained
   * network. Where the core refuses it, says why and keeps the previous data, source and model.
   * Resolves whether it took.
   */
  async useCloud(cloud, role = 'data') {
    if (!this.ready) {
      this.say(`${cloud.what}: the figure is still starting; try again in a moment.`);
      return false;
    }
    if (this.training) await this.pause();
    const before = { state: this.state, userPoints: this.userPoints, userLabels: this.userLabels, userSource: this.userSource };
    this.holdCloud(cloud, role);
    try {
      await this.request(Request.CONFIGURE, { config: trainConfig(this.state), ...this.clouds() });
    } catch (error) {
      Object.assign(this, before);
      this.say(`${cloud.what}: ${error.message} — keeping the previous ${role}`, { kind: 'error' });
      return false;
    }
    this.clearRun();
    this.model = null;
    if (this.state.reflows) this.setReflows(0);
    const keys = CLOUD_PARAMS[role];
    this.emit('statechange', { names: [keys.menu, keys.word, keys.cloud] });
    const where = role === 'source' ? 'the source (t = 0)' : 'the data (t = 1)';
    this.say(`${cloud.what}: ${cloud.xy.length / 2} points are ${where} now; Train learns the flow.`, { kind: 'info' });
    for (const note of cloud.notes || []) this.say(note, { kind: 'info' });
    await this.refreshAll();
    return true;
  }

  /** The reader drew points: a fresh run on them; the link holds them where they fit. */
  pointsDrawn() {
    this.setLink({ word: '', cloud: encodeCloud(this.userPoints, this.userLabels) || '' });
    return this.reset();
  }

  sampleSpec() {
    const s = this.state;
    const spec = { n: s.particles, solver: solverSpec(s), nfe: s.nfe, seed: s.seed + 101, record: true };
    // The SDE where the model allows it (else the ODE, and the note says why).
    if (s.sampler === 'sde' && !this.sdeNote) Object.assign(spec, { sampler: 'sde', noise: s.noise });
    // A conditional model samples the picked class (or each particle's, drawn) at scale w.
    return s.conditional ? { ...spec, class: classIndex(s), guidance: s.guidance } : spec;
  }

  /** The sample request of Euler in `nfe` steps from the same noise (layout=steps). */
  stepSpec(nfe) {
    return { ...this.sampleSpec(), solver: 'euler', nfe, sampler: undefined, noise: undefined };
  }

  /** Fetches the data, the coupled pairs and fresh samples for the current weights. */
  async refreshAll() {
    const labelled = this.state.conditional;
    const asked = Promise.all([
      this.request(labelled ? Request.DATA_LABELLED : Request.DATA, { n: DATA_POINTS, seed: 12345 }),
      this.request(Request.PAIRS, { n: PAIRS }).catch(() => null),
    ]);
    // A first slice of the particles, asked for right after the data (quick) and ahead of the
    // layers' lattices: the new picture appears soonest, then fills in.
    const slice = this.firstSlice();
    const [data, pairs] = await asked;
    Object.assign(this, { data: data.xy, pairs: pairs ? pairs.xy : null });
    this.setLabels(labelled ? data.labels : null);
    this.checkClass();
    const first = slice && (await slice.first.catch(() => null));
    if (first && this.version === slice.version) this.setSamples({ ...first, partial: true });
    await this.resample(slice && this.version === slice.version ? slice.all : null);
    this.measureStraightness();
  }

  /**
   * The next sample, requested now in two parts — its first FIRST_SLICE particles, then all of
   * them — ahead of anything else the figure will ask for: {first, all, version}, or null where
   * a slice would not pay (few particles) or would not be the start of the full sample (the SDE
   * draws its noise step by step; a conditional model's class may still change). Every source
   * draws its points one after another from the seed, so the slice is exactly the full
   * sample's first particles: the picture fills in without moving.
   */
  firstSlice() {
    const spec = this.sampleSpec();
    if (spec.n < 2 * FIRST_SLICE || spec.sampler === 'sde' || this.state.conditional) return null;
    const first = this.request(Request.SAMPLE, { ...spec, n: FIRST_SLICE });
    const all = this.request(Request.SAMPLE, spec);
    all.catch(() => {}); // handled by resample
    return { first, all, version: this.version };
  }

  /** The data's labels (a conditional model), their count and the class colours. */
  setLabels(labels) {
    const k = labels ? classCount(labels) : 0;
    Object.assign(this, { dataLabels: labels, dataClasses: k, palette: k ? classPalette(k, this.state.theme) : null });
  }

  /**
   * A picked class needs a conditional model and must be one of the data's: otherwise says
   * why and falls back to all classes. Returns true when the state changed.
   */
  checkClass() {
    const c = this.state.class;
    const why = this.classProblem(c, this.state);
    if (!why) return false;
    this.say(`${why} — sampling all classes`);
    this.state = { ...this.state, class: 'all' };
    this.emit('statechange', { names: ['class'] });
    return true;
  }

  /** Why class `c` cannot be sampled under `state` with the current data, or null. */
  classProblem(c, state) {
    if (c === 'all') return null;
    if (!state.conditional) return `class ${c} applies to a conditional model (conditional = 1)`;
    if (this.dataClasses && c >= this.dataClasses) return `class ${c} is outside 0…${this.dataClasses - 1} for ${state.dataset}`;
    return null;
  }

  /** Draws fresh particles from the current weights (`pending`: that sample, already asked for). */
  async resample(pending = null) {
    this.checkClass();
    const spec = this.sampleSpec();
    try {
      this.setSamples(await (pending || this.request(Request.SAMPLE, spec)));
    } catch (error) {
      if (error.fatal) return;
      if (spec.sampler === 'sde') {
        // No SDE for this model: say why once and show the ODE's particles.
        this.sdeNote = error.message;
        this.say(`The SDE sampler is not available here (${error.message}); the particles follow the ODE.`);
        await this.resample();
        return;
      }
      this.say(error.message, { kind: 'error' });
    }
  }

  /**
   * A sample reply with what the layers draw from: its size, its colours (by class for a
   * conditional model, else by where each particle started, trajectory state 0) and its
   * statistics against the data.
   */
  decorateSamples(message) {
    const n = message.x.length / 2;
    const states = message.trajectory ? message.trajectory.length / (2 * n) : 0;
    let colors = null;
    if (message.classes && this.palette) colors = classColors(message.classes, this.palette.length, this.state.theme);
    else if (states) colors = particleColors(message.trajectory.subarray(0, 2 * n), this.state.theme);
    const data = this.referenceData();
    // A partial sample (the first slice) is drawn, but the statistics wait for all particles.
    const stats = data && !message.partial
      ? { samples: meanStd(message.x), data: meanStd(data), slicedW2: slicedW2(message.x, data), nfe: message.nfe, step: message.step, n, backend: message.backend, class: this.state.conditional ? this.state.class : 'all' }
      : null;
    return { ...message, n, states, colors, stats, sampler: message.sampler || 'ode' };
  }

  /** The data the samples are compared with: the picked class's points when there is one. */
  referenceData() {
    const c = this.state.class;
    if (!this.data || !this.state.conditional || c === 'all' || !this.dataLabels) return this.data;
    const out = [];
    for (let i = 0; i < this.dataLabels.length; i += 1) {
      if (this.dataLabels[i] === c) out.push(this.data[2 * i], this.data[2 * i + 1]);
    }
    return out.length ? Float32Array.from(out) : this.data;
  }

  setSamples(message) {
    this.samples = this.decorateSamples(message);
    if (this.samples.stats) this.stats = this.samples.stats;
    this.changed('samples');
    // A first slice is drawn; the event waits for the whole sample.
    if (!message.partial) this.emit('samples', this.stats);
  }

  /**
   * Measures the straightness S = E∫‖(X₁ − X₀) − v(X_t, t)‖² dt of the current weights (RK4,
   * fixed particles); one measurement at a time, the latest request wins.
   */
  async measureStraightness() {
    // Only where it is read: a figure on screen that shows its statistics line.
    if (!this.ready || !this.visible || this.state.hide.includes('stats')) return;
    if (this.measuring) { this.measureAgain = true; return; }
    this.measuring = true;
    const step = this.step;
    const at = performance.now();
    try {
      const reply = await this.request(Request.STRAIGHTNESS, { solver: 'rk4', nfe: STRAIGHTNESS_NFE, n: STRAIGHTNESS_N, seed: this.state.seed + 202 });
      this.straightness = { value: reply.straightness, step, at, cost: performance.now() - at };
      this.changed('straightness');
    } catch (error) {
      if (!error.fatal) this.say(`Straightness: ${error.message}`, { kind: 'error' });
    } finally {
      this.measuring = false;
    }
    if (this.measureAgain) {
      this.measureAgain = false;
      this.measureStraightness();
    }
  }

  /**
   * Reflow: carries REFLOW_PAIRS noise points through the current flow, then trains the same
   * network on the pairs (x₀, ODE(x₀)) for `steps` steps — a flow with one more rectification,
   * whose paths are straighter. Returns whether that training started.
   */
  async reflow() {
    if (!this.ready || this.reflowing) return false;
    // The worker stops the training in flight to draw the pairs: the page shows that at once.
    this.halt();
    this.reflowing = true;
    this.changed('buttons');
    let reply;
    try {
      reply = await this.request(Request.REFLOW, { n: REFLOW_PAIRS, solver: 'rk4', nfe: REFLOW_NFE, seed: this.state.seed + 303 });
    } catch (error) {
      if (!error.fatal) this.say(`Reflow: ${error.message}`, { kind: 'error' });
      return false;
    } finally {
      this.reflowing = false;
      this.changed('buttons');
    }
    this.clearRun();
    Object.assign(this, { step: reply.step, model: null });
    this.version += 1;
    this.setReflows(reply.reflows);
    this.say(`Reflow: training the ${rectified(reply.reflows)} on ${REFLOW_PAIRS} pairs (x₀, ODE(x₀)) of the previous flow.`, { kind: 'info' });
    this.train(0);
    return true;
  }

  /** Trains `steps` more steps, or (0) up to the `steps` setting (or that many more). */
  train(steps = 0) {
    if (!this.ready) return;
    const s = this.state.steps;
    this.until = steps ? this.step + steps : Math.max(s, this.step + (this.step >= s ? s : 0));
    if (this.visible) this.startTraining();
    else this.resumeWhenVisible = true; // off screen: start when the reader can see it
  }

  startTraining() {
    this.training = true;
    this.trainRuns = (this.trainRuns || 0) + 1;
    this.changed('buttons');
    this.request(Request.TRAIN, { until: this.until, sample: this.sampleSpec() }).catch((e) => {
      this.training = false;
      this.changed('buttons');
      if (!e.fatal) this.say(e.message, { kind: 'error' });
    });
  }

  async pause() {
    this.resumeWhenVisible = false;
    this.halt();
    try { await this.request(Request.PAUSE); } catch { /* the stopped event updates the UI */ }
  }

  /**
   * The page stops training now: the buttons and status flip at once, whatever the worker is
   * doing. The worker stops after the chunk in flight (about 100 ms of steps) and its `stopped`
   * brings the final step.
   */
  halt() {
    if (!this.training) return;
    this.haltedRun = this.trainRuns;
    this.training = false;
    this.changed('buttons');
  }

  /** A fresh, untrained network with the current settings. */
  async reset() {
    if (!this.ready) return;
    try {
      await this.request(Request.CONFIGURE, { config: trainConfig(this.state), ...this.clouds() });
    } catch (error) {
      this.say(error.message, { kind: 'error' });
      return;
    }
    this.clearRun();
    this.model = null;
    if (this.state.reflows) this.setReflows(0);
    await this.refreshAll();
  }

  /**
   * A new run for the current settings (after a change of `names` from `before`); on a bad
   * config says why, restores `before` and resolves false.
   */
  async restart(before, names) {
    // Until the new run's samples are in, what is drawn belongs to neither run (a count: a
    // second change may restart again before the first restart is done).
    this.restarting = (this.restarting || 0) + 1;
    try {
      if (this.training) await this.pause();
      try {
        await this.request(Request.CONFIGURE, { config: trainConfig(this.state), ...this.clouds() });
      } catch (error) {
        this.say(`${error.message} — keeping ${names.map((n) => `${n} = ${before[n]}`).join(', ')}`, { kind: 'error' });
        this.state = before;
        return false;
      }
      this.clearRun();
      if (this.state.pretrained) await this.loadShippedModel();
      else this.untrainedReflows();
      await this.refreshAll();
      return true;
    } finally {
      this.restarting -= 1;
    }
  }

  clearRun() {
    Object.assign(this, { training: false, step: 0, until: 0, steps: [], losses: [], snapshot: null, straightness: null, sdeNote: null });
    this.version += 1;
    this.changed('buttons');
    this.changed('progress');
    this.emit('cleared', {});
  }

  /** Loads a weights file; the file's network, path and datasets replace the current ones. */
  async importWeights(bytes) {
    if (this.training) await this.pause();
    const reply = await this.request(Request.IMPORT, { bytes: bytes.slice() });
    const c = reply.config;
    const next = {
      width: c.model.width, depth: c.model.depth, activation: c.model.activation, embed: c.model.time_embedding,
      path: PATH_NAMES[c.path.kind] || this.state.path, param: c.parameterization,
      conditional: !!c.model.conditioning, model: c.model.shortcut ? 'shortcut' : 'flow', reflows: c.reflows || 0,
    };
    if (c.path.kind === 'bridge') next.sigma = c.path.sigma;
    if (next.conditional && Number.isFinite(c.label_dropout)) next.dropout = c.label_dropout;
    if (!next.conditional) next.class = 'all';
    if (PARAMS.dataset.options.includes(c.target)) next.dataset = c.target;
    if (PARAMS.source.options.includes(c.source)) next.source = c.source;
    this.state = { ...this.state, ...next };
    this.clearRun();
    Object.assign(this, { step: reply.step, snapshot: bytes.slice() });
    this.version += 1;
    this.changed('progress');
    this.emit('statechange', { names: Object.keys(next) });
    await this.refreshAll();
    return c;
  }

  async exportWeights() { return (await this.request(Request.EXPORT)).bytes; }
}
