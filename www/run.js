// A figure's model in the shared worker: starting the module, the shipped or restored weights,
// training, fresh samples and the events they raise. Figure (figure.js) extends it with what is
// drawn and when; `changed(what)` tells it 'buttons', 'progress' or 'samples' moved.

import { PARAMS, trainConfig, solverSpec } from './state.js';
import { sharedClient, Request, Event } from './client.js';
import { meanStd, slicedW2 } from './stats.js';
import { defaultPoints } from './input.js';
import { shippedModel, shippedBytes } from './models.js';
import { particleColors } from './layers/colorwheel.js';

const DATA_POINTS = 2000;
const PAIRS = 256;
const PATH_NAMES = { linear: 'linear', cosine: 'cosine', ot_sigma_min: 'sigma-min', polynomial: 'poly' };
let runCount = 0;

/** Events: `ready`, `step` ({step, loss}), `samples`, `stopped`, `error` ({message}), `statechange` ({names}). */
export class Run extends EventTarget {
  constructor(state, notify) {
    super();
    runCount += 1;
    Object.assign(this, {
      id: `figure-${runCount}`, state, notify, ready: false, backend: null, adapter: null, training: false,
      resumeWhenVisible: false, visible: true, step: 0, until: 0, steps: [], losses: [], stepsPerSec: 0,
      data: null, samples: null, pairs: null, snapshot: null, userPoints: null, stats: null, model: null, messages: [],
      // The weights' version: it moves whenever they may have changed (inputs drawn from them are stale).
      weights: 0,
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
    let reply;
    try {
      reply = await this.client.request(Request.INIT, { figure: this.id, backend: this.client.preference, config: trainConfig(this.state), points: this.points() });
    } catch (error) {
      if (error.fatal) return; // onFatal restarts
      throw error;
    }
    // New weights in the module: inputs drawn from the old ones are stale.
    this.weights += 1;
    if (reply.note) this.say(reply.note);
    this.showBackend(reply);
    if (this.snapshot) {
      try {
        this.step = (await this.request(Request.IMPORT, { bytes: this.snapshot.slice() })).step;
        this.weights += 1;
        this.say(`Restored the weights from step ${this.step} on the ${this.backend === 'cpu' ? 'CPU' : 'GPU'}.`, { kind: 'info' });
      } catch (error) {
        this.say(`Could not restore the weights: ${error.message}`);
      }
    } else if (this.state.pretrained) {
      await this.loadShippedModel();
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

  /** Loads the shipped model trained for exactly these settings, when there is one. */
  async loadShippedModel() {
    const match = await shippedModel(this.state);
    this.model = null;
    if (!match) return;
    try {
      this.step = (await this.request(Request.IMPORT, { bytes: await shippedBytes(match) })).step;
      this.model = match;
      this.weights += 1;
    } catch (error) {
      this.say(`The shipped model ${match.file} could not be loaded (${error.message}); starting untrained.`);
    }
  }

  onFatal(failure) {
    this.training = false;
    this.changed('buttons');
    this.say(`The compute module stopped (${failure.message}). ${failure.wasGpu ? 'Continuing on the CPU' : 'Restarting'} without reloading the page.`);
    this.start().catch((e) => this.say(`Restart failed: ${e.message}`, { kind: 'error' }));
  }

  onEvent(message) {
    if (message.type === Event.PROGRESS) {
      Object.assign(this, { step: message.step, stepsPerSec: message.stepsPerSec, weights: this.weights + 1 });
      this.steps.push(message.step);
      this.losses.push(message.loss);
      this.changed('progress');
      this.emit('step', { step: message.step, loss: message.loss, stepsPerSec: message.stepsPerSec });
    } else if (message.type === Event.SAMPLES) {
      this.setSamples(message);
    } else if (message.type === Event.SNAPSHOT) {
      this.snapshot = message.bytes;
    } else if (message.type === Event.STOPPED) {
      Object.assign(this, { training: false, step: message.step });
      this.changed('buttons');
      this.changed('progress');
      if (message.reason === 'nan') this.say(message.message, { kind: 'error', action: { label: 'Reset', run: () => this.reset() } });
      else if (message.reason === 'error') this.say(`Training stopped: ${message.message}`, { kind: 'error' });
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

  clearPoints() { this.userPoints = []; }

  sampleSpec() {
    const s = this.state;
    const spec = { n: s.particles, solver: solverSpec(s), nfe: s.nfe, seed: s.seed + 101, record: true };
    // The SDE where the model allows it (else the ODE, and the note says why).
    if (s.sampler === 'sde' && !this.sdeNote) Object.assign(spec, { sampler: 'sde', noise: s.noise });
    return spec;
  }

  /** Fetches the data, the coupled pairs and fresh samples for the current weights. */
  async refreshAll() {
    const [data, pairs] = await Promise.all([
      this.request(Request.DATA, { n: DATA_POINTS, seed: 12345 }),
      this.request(Request.PAIRS, { n: PAIRS }).catch(() => null),
    ]);
    Object.assign(this, { data: data.xy, pairs: pairs ? pairs.xy : null });
    await this.resample();
  }

  /** Draws fresh particles from the current weights. */
  async resample() {
    const spec = this.sampleSpec();
    try {
      this.setSamples(await this.request(Request.SAMPLE, spec));
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

  setSamples(message) {
    const n = message.x.length / 2;
    const states = message.trajectory ? message.trajectory.length / (2 * n) : 0;
    // Colours from where each particle starts (trajectory state 0), computed once per sample.
    const colors = states ? particleColors(message.trajectory.subarray(0, 2 * n), this.state.theme) : null;
    this.samples = { ...message, n, states, colors, sampler: message.sampler || 'ode' };
    if (this.data) {
      this.stats = { samples: meanStd(message.x), data: meanStd(this.data), slicedW2: slicedW2(message.x, this.data), nfe: message.nfe, step: message.step, n, backend: message.backend };
    }
    this.changed('samples');
    this.emit('samples', this.stats);
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
    this.changed('buttons');
    this.request(Request.TRAIN, { until: this.until, sample: this.sampleSpec() }).catch((e) => {
      this.training = false;
      this.changed('buttons');
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

  /**
   * A new run for the current settings (after a change of `names` from `before`); on a bad
   * config says why, restores `before` and resolves false.
   */
  async restart(before, names) {
    if (this.training) await this.pause();
    try {
      await this.request(Request.CONFIGURE, { config: trainConfig(this.state), points: this.points() });
    } catch (error) {
      this.say(`${error.message} — keeping ${names.map((n) => `${n} = ${before[n]}`).join(', ')}`, { kind: 'error' });
      this.state = before;
      return false;
    }
    this.clearRun();
    if (this.state.pretrained) await this.loadShippedModel();
    await this.refreshAll();
    return true;
  }

  clearRun() {
    Object.assign(this, { training: false, step: 0, until: 0, steps: [], losses: [], snapshot: null, weights: this.weights + 1, sdeNote: null });
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
    };
    if (PARAMS.dataset.options.includes(c.target)) next.dataset = c.target;
    if (PARAMS.source.options.includes(c.source)) next.source = c.source;
    this.state = { ...this.state, ...next };
    this.clearRun();
    Object.assign(this, { step: reply.step, snapshot: bytes.slice() });
    this.changed('progress');
    this.emit('statechange', { names: Object.keys(next) });
    await this.refreshAll();
    return c;
  }

  async exportWeights() { return (await this.request(Request.EXPORT)).bytes; }
}
