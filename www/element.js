// <flow-playground>: a live flow-matching figure for any page. Import this module, then write
//   <flow-playground dataset="moons" solver="euler" nfe="4" hide="export"></flow-playground>
// Attributes are the playground's URL parameters (state.js; `class` is spelled `class-label`,
// since HTML owns `class`); bad values fall back to their defaults with a console warning and a
// small note in the figure. Every figure on a page shares
// one worker, one wasm module and one GPU device; a figure off screen (or in a hidden tab)
// pauses and resumes where it was.
//
// API: `ready` (a promise of the element), `play()`, `pause()`, `setTime(t)`, `train(steps)`
// (a promise of {reason, step}), `reflow()` (a promise of {reason, step, reflows}), `sample()`
// (a promise of the sample statistics), `status`,
// `exportWeights()`, `importWeights(bytes)`; events `ready`, `step`, `samples`, `error`.

import { PARAMS, ATTRIBUTES, PARAM_OF_ATTRIBUTE, parseAttributes, parseValue } from './state.js';
import { Figure } from './figure.js';
import { fixedLayout } from './scene.js';
import { Sweep } from './sweep.js';
import * as take from './exports.js';
import { stateCloud, fetchCloud } from './owndata-ui.js';
import { CLOUD_PARAMS } from './owndata.js';

/** Same-origin files of points or pictures: `data-src` is the data (t = 1), `source-src` the source (t = 0). */
const SRC_ATTRIBUTES = { 'data-src': 'data', 'source-src': 'source' };

const NAMES = Object.values(ATTRIBUTES);
const STYLE = new URL('./element.css', import.meta.url).href;

/** A parameter's message (`class: …`) spelled with its attribute's name (`class-label: …`). */
function spelledAsAttribute(message) {
  const m = /^([a-z]+):/.exec(message);
  return m && ATTRIBUTES[m[1]] && ATTRIBUTES[m[1]] !== m[1] ? `${ATTRIBUTES[m[1]]}${message.slice(m[1].length)}` : message;
}

function make(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'part' || k.startsWith('aria-') || k === 'role') node.setAttribute(k, v);
    else node[k] = v;
  }
  node.append(...children);
  return node;
}

export class FlowPlaygroundElement extends HTMLElement {
  static get observedAttributes() { return [...NAMES, ...Object.keys(SRC_ATTRIBUTES)]; }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.readyPromise = new Promise((resolve, reject) => { this.resolveReady = resolve; this.rejectReady = reject; });
    this.figure = null;
  }

  /** Resolves to the element once its first samples are drawn. */
  get ready() { return this.readyPromise; }

  connectedCallback() {
    if (this.figure) {
      this.figure.setVisible(true);
      return;
    }
    this.build();
    const pairs = this.getAttributeNames().filter((n) => NAMES.includes(n)).map((n) => [PARAM_OF_ATTRIBUTE[n], this.getAttribute(n)]);
    const { state, errors } = parseAttributes(pairs);
    this.figure = new Figure(state, this.elements, (text, options) => this.note(text, options));
    for (const error of errors) this.warn(spelledAsAttribute(error));
    this.applyLook();
    for (const name of ['ready', 'step', 'samples', 'error', 'stopped']) {
      this.figure.addEventListener(name, (e) => this.dispatchEvent(new CustomEvent(name, { detail: e.detail })));
    }
    this.observer = new IntersectionObserver(([entry]) => {
      this.onScreen = entry.isIntersecting;
      this.updateVisibility();
    });
    this.observer.observe(this);
    this.onVisibility = () => this.updateVisibility();
    document.addEventListener('visibilitychange', this.onVisibility);
    // The reader's own data and source: a word or packed points (attributes), or a same-origin file.
    for (const role of Object.keys(CLOUD_PARAMS)) {
      const own = stateCloud(state, role);
      if (own && own.error) this.warn(own.error);
      else if (own) this.figure.holdCloud(own, role);
    }
    const fetched = Object.entries(SRC_ATTRIBUTES).map(([attribute, role]) => {
      const src = this.getAttribute(attribute);
      return src ? fetchCloud(src, this.pictureOptions(), attribute).then((cloud) => {
        if (cloud.error) this.note(cloud.error, { kind: 'error' });
        else this.figure.holdCloud(cloud, role);
      }) : Promise.resolve();
    });
    Promise.all(fetched).then(() => this.figure.start())
      .then(() => this.resolveReady(this))
      .catch((error) => { this.note(error.message, { kind: 'error' }); this.rejectReady(error); });
  }

  disconnectedCallback() {
    // Moving an element fires disconnect then connect: only dispose if it stays detached.
    queueMicrotask(() => {
      if (this.isConnected || !this.figure) return;
      this.observer.disconnect();
      document.removeEventListener('visibilitychange', this.onVisibility);
      this.figure.dispose();
      this.figure = null;
      if (this.sweep) this.sweep.dispose();
      this.sweep = null;
    });
  }

  /** An image's threshold and invert for `data-src` (`data-threshold`, `data-invert`). */
  pictureOptions() {
    const t = Number(this.getAttribute('data-threshold') ?? 0.5);
    return { threshold: Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0.5, invert: ['', '1', 'true'].includes(this.getAttribute('data-invert')) };
  }

  attributeChangedCallback(attribute, old, value) {
    if (!this.figure || old === value) return;
    if (attribute in SRC_ATTRIBUTES) {
      const role = SRC_ATTRIBUTES[attribute];
      if (value) this.ready.then(() => fetchCloud(value, this.pictureOptions(), attribute)).then((cloud) => (cloud.error ? this.note(cloud.error, { kind: 'error' }) : this.figure.useCloud(cloud, role)));
      return;
    }
    const cloudOf = Object.entries(CLOUD_PARAMS).find(([, keys]) => attribute === keys.word || attribute === keys.cloud);
    if (cloudOf) {
      const [role, keys] = cloudOf;
      const own = value && stateCloud({ [keys.word]: '', [keys.cloud]: '', [attribute]: value }, role);
      if (own && own.error) this.warn(`${own.error} — keeping the current ${role}`);
      else if (own) this.ready.then(() => this.figure.useCloud(own, role));
      return;
    }
    const name = PARAM_OF_ATTRIBUTE[attribute];
    const raw = value === null ? null : value;
    let parsed;
    if (raw === null) {
      const spec = PARAMS[name];
      parsed = { value: Array.isArray(spec.default) ? [...spec.default] : spec.default };
    } else {
      parsed = parseValue(name, raw);
    }
    if (parsed.error) {
      this.warn(`${spelledAsAttribute(parsed.error)} — keeping ${JSON.stringify(this.figure.state[name])}`);
      return;
    }
    this.figure.set({ [name]: parsed.value }).then(() => this.applyLook());
  }

  updateVisibility() {
    if (!this.figure) return;
    this.figure.setVisible(this.onScreen !== false && document.visibilityState === 'visible');
  }

  warn(text) {
    console.warn(`<flow-playground>: ${text}`);
    this.note(text, { kind: 'warn' });
  }

  note(text, { kind = 'warn' } = {}) {
    if (!this.elements) return;
    const item = make('div', { className: `note ${kind}`, textContent: text });
    this.elements.notes.append(item);
    // Keep the figure readable: the last three notes stay.
    while (this.elements.notes.children.length > 3) this.elements.notes.firstChild.remove();
  }

  build() {
    // A button's accessible name is its visible label (what a voice-control user says); the
    // longer explanation is its description (the tooltip).
    const button = (label, description) => make('button', { type: 'button', textContent: label, title: description });
    const e = {
      canvas: make('canvas', { role: 'img', 'aria-label': 'Particles flowing from noise to data; colour marks where each particle started' }),
      readout: make('p', { className: 'readout', 'aria-live': 'polite', hidden: true }),
      play: make('button', { type: 'button', textContent: '❚❚', 'aria-label': 'Pause the animation' }),
      time: make('input', { type: 'range', min: '0', max: '1000', value: '0', 'aria-label': 'Time t' }),
      timeLabel: make('output', { textContent: 't = 0.00' }),
      train: button('▶ Train', 'Train the model'),
      reset: button('Reset', 'Start again from an untrained model'),
      reflow: button('Reflow', 'Train on the pairs (x₀, ODE(x₀)) of the current flow: a rectified flow, with straighter paths'),
      reflows: make('span', { className: 'reflows' }),
      progress: make('progress', { max: 1, value: 0, 'aria-label': 'Training progress' }),
      stepCount: make('span', { textContent: '0' }),
      rate: make('span'),
      badge: make('span', { className: 'badge' }),
      stats: make('p', { className: 'stats' }),
      chart: make('canvas', { className: 'chart', role: 'img', 'aria-label': 'Training loss' }),
      sweepChart: make('canvas', { className: 'sweep-chart', role: 'img', 'aria-label': 'W₂ to fresh data against the number of function evaluations, per solver' }),
      sweepNote: make('p', { className: 'sweep-note' }),
      notes: make('div', { className: 'notes', role: 'status', 'aria-live': 'polite' }),
      summary: make('p', { className: 'visually-hidden', 'aria-live': 'polite' }),
    };
    const exports = make('div', { className: 'exports', part: 'export' }, [
      this.exportButton('Link', 'Copy a link to this figure in the full playground', async () => {
        const link = take.shareLink(this.figure.state);
        try { await navigator.clipboard.writeText(link); this.note('Link copied.', { kind: 'info' }); } catch { this.note(link, { kind: 'info' }); }
      }),
      this.exportButton('PNG', 'Download the picture', () => take.downloadPng(this.figure)),
      this.exportButton('WebM', 'Record 4 seconds of the animation', () => take.recordWebm(this.figure, 4)),
      this.exportButton('CSV', 'Download the samples', () => take.downloadCsv(this.figure)),
      this.exportButton('Weights', 'Download the model weights', () => take.downloadWeights(this.figure)),
      this.exportButton('Config', 'Download the settings as JSON', () => take.downloadConfig(this.figure)),
    ]);
    const upload = make('input', { type: 'file', accept: '.fpw,application/octet-stream', 'aria-label': 'Load model weights' });
    upload.addEventListener('change', async () => {
      const file = upload.files[0];
      upload.value = '';
      if (!file) return;
      try { await this.importWeights(new Uint8Array(await file.arrayBuffer())); } catch (error) { this.note(`${file.name}: ${error.message}`, { kind: 'error' }); }
    });
    exports.append(make('label', { className: 'upload' }, ['Load ', upload]));
    this.parts = {
      play: e.play, time: make('span', { className: 'time' }, [e.time, e.timeLabel]),
      train: e.train, reset: e.reset, reflow: e.reflow,
      progress: make('span', { className: 'progress' }, [e.progress, ' step ', e.stepCount, ' ', e.reflows, ' ', e.rate]),
      stats: e.stats, chart: e.chart, badge: e.badge, export: exports, messages: e.notes,
      sweep: make('div', { className: 'sweep' }, [e.sweepChart, e.sweepNote]),
    };
    const bar = make('div', { className: 'bar' }, [this.parts.play, this.parts.time, e.train, e.reset, e.reflow, this.parts.progress, e.badge]);
    this.bar = bar;
    this.container = make('div', { className: 'figure' }, [e.canvas, e.summary, e.readout, e.notes, bar, e.chart, e.stats, this.parts.sweep, exports]);
    this.shadowRoot.replaceChildren(make('link', { rel: 'stylesheet', href: STYLE }), this.container);
    this.elements = e;
  }

  exportButton(label, description, run) {
    const b = make('button', { type: 'button', textContent: label, title: description });
    b.addEventListener('click', run);
    return b;
  }

  applyLook() {
    const s = this.figure.state;
    for (const [name, node] of Object.entries(this.parts)) node.hidden = s.hide.includes(name);
    // The loss chart, and Reflow, only earn their space when training is on offer.
    if (!s.hide.includes('chart') && s.hide.includes('train')) this.parts.chart.hidden = true;
    if (s.hide.includes('train')) this.parts.reflow.hidden = true;
    // Snapshots and steps are fixed times: no clock to play or scrub.
    if (fixedLayout(s.layout)) this.parts.play.hidden = this.parts.time.hidden = true;
    // The cost-vs-steps chart is opt-in (sweep=1): it computes while it is on screen.
    this.parts.sweep.hidden = !s.sweep || s.hide.includes('sweep');
    if (!this.parts.sweep.hidden && !this.sweep) {
      this.sweep = new Sweep({ canvas: this.elements.sweepChart, note: this.elements.sweepNote });
      this.sweep.attach(this.figure);
    }
    if (this.sweep) {
      this.sweep.setHidden(this.parts.sweep.hidden);
      this.sweep.draw();
    }
    // A bar with nothing in it takes no room.
    this.bar.hidden = [...this.bar.children].every((c) => c.hidden);
    this.container.classList.toggle('dark', s.theme === 'dark');
    this.style.width = s.size > 0 ? `${s.size}px` : '';
  }

  // ---------------------------------------------------------------- API

  play() { this.figure.play(); }

  /** Stops the animation and any training. */
  pause() {
    this.figure.stopAnimation();
    return this.figure.pause();
  }

  setTime(t) { this.figure.setTime(Number(t)); }

  /** Trains `steps` more steps; resolves with {reason, step} when the run stops. */
  async train(steps) {
    await this.ready;
    return new Promise((resolve) => {
      const done = (e) => { this.figure.removeEventListener('stopped', done); resolve(e.detail); };
      this.figure.addEventListener('stopped', done);
      this.figure.train(Math.max(1, Math.floor(Number(steps) || 1)));
    });
  }

  /**
   * One reflow: trains on the pairs (x₀, ODE(x₀)) of the current flow for `steps` steps;
   * resolves with {reason, step, reflows} when that training stops (reason 'error' when the
   * reflow could not start; the figure says why).
   */
  async reflow() {
    await this.ready;
    if (this.figure.training) await this.figure.pause();
    // Only the reflow's own training counts: a 'stopped' from before (a pause) comes first, in
    // the worker's order, ahead of the reflow's reply.
    let started = false;
    let done;
    const stopped = new Promise((resolve) => { done = (e) => { if (started) resolve(e.detail); }; });
    this.figure.addEventListener('stopped', done);
    try {
      started = await this.figure.reflow();
      if (!started) return { reason: 'error', step: this.figure.step, reflows: this.figure.state.reflows };
      return { ...(await stopped), reflows: this.figure.state.reflows };
    } finally {
      this.figure.removeEventListener('stopped', done);
    }
  }

  /** Draws fresh particles; resolves with their statistics. */
  async sample() {
    await this.ready;
    await this.figure.resample();
    return this.figure.stats;
  }

  get status() {
    const s = this.figure ? this.figure.status() : { ready: false };
    return {
      ready: s.ready, backend: s.backend, adapter: s.adapter, step: s.step, loss: s.loss, stepsPerSec: s.stepsPerSec,
      training: s.training, visible: s.visible, model: s.model, stats: s.stats, state: s.state, messages: s.messages,
      t: s.t, renderer: s.renderer, average: s.average, settled: s.settled,
      sampler: s.sampler, notes: s.notes, densities: s.densities,
      straightness: s.straightness, reflows: s.reflows, classes: s.classes, steps: s.steps,
      sweep: this.sweep ? this.sweep.status() : null,
    };
  }

  exportWeights() { return this.figure.exportWeights(); }

  importWeights(bytes) { return this.figure.importWeights(bytes); }
}

if (!customElements.get('flow-playground')) customElements.define('flow-playground', FlowPlaygroundElement);
