// One live figure: a model in the shared worker (run.js) whose particles, fields and paths the
// scene's layers draw (scene.js, layers/), with its animation clock and visibility. The full
// page (main.js), the <flow-playground> element (element.js) and the iframe (embed.html) are
// all figures. Its DOM is figure-ui.js, pointer input input.js, downloads exports.js.

import { restartNames } from './state.js';
import { Run } from './run.js';
import { Request } from './client.js';
import { Scene, fixedLayout } from './scene.js';
import { FigureUi } from './figure-ui.js';
import { bindInput } from './input.js';
import { SUMMARY_INTERVAL_MS } from './summary.js';
import { context2d } from './render.js';

const RESAMPLES = ['solver', 'nfe', 'tol', 'particles', 'sampler', 'noise', 'class', 'guidance'];
/** Seconds from t = 0 to t = 1, and the pause at t = 1 before the loop starts again. */
const DURATION = 2.5;
const HOLD = 0.8;
/**
 * While the worker trains, a figure redraws at most every this many ms (30 frames a second):
 * each drawn frame costs the browser's compositor too, which on a software-rendered browser
 * takes a core the training needs. The clock still runs at the display's rate.
 */
const TRAINING_FRAME_MS = 33;

/** The reader asked for less motion: figures start still (the play button still plays). */
function reducedMotion() {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

export class Figure extends Run {
  /**
   * @param {object} state  a full parameter state (see state.js)
   * @param {object} elements  {canvas, and any of: chart, stats, time, timeLabel, play, train,
   *   pause, step, reset, progress, stepCount, rate, eta, badge, readout, summary}
   * @param {(text: string, options?: object) => void} notify  shows a message to the reader
   */
  constructor(state, elements, notify) {
    super(state, notify);
    Object.assign(this, { ui: elements, running: false, dirty: true, drawn: 0, lastDraw: 0, summaryAt: -Infinity });
    // With reduced motion an autoplaying figure starts still, at its `t`.
    const autoplay = state.autoplay && !reducedMotion();
    this.anim = { playing: autoplay, t: autoplay ? 0 : state.t, last: 0, hold: 0 };
    // …and stops when the preference turns on while it plays.
    this.motionQuery = typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-reduced-motion: reduce)') : null;
    this.onMotionPreference = () => { if (this.motionQuery.matches) this.stopAnimation(); };
    if (this.motionQuery) this.motionQuery.addEventListener('change', this.onMotionPreference);
    this.scene = new Scene((type, payload) => this.request(type, payload), (text, options) => this.say(text, options), this);
    this.chrome = new FigureUi(this, elements);
    this.chrome.bind();
    this.unbindInput = bindInput(this, elements.canvas);
    elements.canvas.tabIndex = 0;
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(elements.canvas);
    this.resize();
    this.chrome.updateButtons();
    this.chrome.updateProgress();
    this.chrome.syncPlay();
    this.setVisible(true);
  }

  changed(what, ...args) {
    if (what === 'buttons') this.chrome.updateButtons();
    else if (what === 'progress') this.chrome.updateProgress();
    else if (what === 'badge') this.chrome.setBadge(...args);
    else if (what === 'straightness') this.chrome.showStats(this.stats);
    else if (what === 'samples') {
      this.dirty = true;
      this.scene.invalidate();
      this.chrome.showStats(this.stats);
    }
  }

  /** Stops everything and releases the figure's share of the worker. */
  dispose() {
    this.running = false;
    this.resizeObserver.disconnect();
    if (this.motionQuery) this.motionQuery.removeEventListener('change', this.onMotionPreference);
    this.unbindInput();
    this.client.detach(this.id);
    this.scene.dispose();
  }

  /** Applies changed parameters: restarts the run, resamples or redraws as each needs. */
  async set(changes) {
    const before = this.state;
    // A class the current data does not have is refused, keeping the one there is (a change of
    // data or model type is checked once its data is in).
    if (this.ready && 'class' in changes && !['dataset', 'conditional', 'points'].some((n) => n in changes)) {
      const why = this.classProblem(changes.class, before);
      if (why) {
        this.say(why, { kind: 'error' });
        changes = { ...changes };
        delete changes.class;
      }
    }
    this.state = { ...this.state, ...changes };
    const names = Object.keys(changes).filter((n) => JSON.stringify(changes[n]) !== JSON.stringify(before[n]));
    if (!names.length) return true;
    this.dirty = true;
    if (names.includes('t')) Object.assign(this.anim, { t: this.state.t, playing: false });
    if (names.includes('autoplay')) this.anim.playing = this.state.autoplay && !reducedMotion();
    this.chrome.syncPlay();
    if (names.includes('theme')) {
      this.chrome.updateProgress();
      if (this.dataLabels) this.setLabels(this.dataLabels);
      if (this.samples) this.setSamples(this.samples);
    }
    if (names.includes('layout')) this.resize();
    if (!this.ready) return true;
    if (names.includes('backend')) this.say('The backend applies when the figure starts; reload to switch.', { kind: 'info' });
    if (names.includes('hide') && !this.straightness) this.measureStraightness();
    const restarts = restartNames(names, before, this.state);
    if (restarts.length) return this.restart(before, restarts);
    if (names.some((n) => RESAMPLES.includes(n))) await this.resample();
    else if (names.includes('steps')) this.chrome.updateProgress();
    return true;
  }

  /** Moves the average layer's point; `commit` (the drag ended) reports a state change. */
  setPoint(point, commit) {
    this.state = { ...this.state, point };
    this.dirty = true;
    if (commit) this.emit('statechange', { names: ['point'] });
  }

  /** Shows time `t` and stops the animation there. */
  setTime(t) {
    this.anim.playing = false;
    this.anim.t = Math.min(1, Math.max(0, t));
    this.state = { ...this.state, t: this.anim.t };
    this.dirty = true;
    this.chrome.syncPlay();
  }

  play() {
    this.anim.playing = true;
    if (this.anim.t >= 1) this.anim.t = 0;
    this.chrome.syncPlay();
  }

  stopAnimation() {
    this.anim.playing = false;
    this.chrome.syncPlay();
  }

  resize() {
    this.scene.layout = this.chrome.resize();
    this.dirty = true;
  }

  /** Off screen (or in a hidden tab) a figure stops animating and pauses its training; back on screen it resumes. */
  setVisible(visible) {
    if (visible === this.visible && this.running === visible) return;
    this.visible = visible;
    if (!visible) {
      this.running = false;
      if (this.training) {
        this.resumeWhenVisible = true;
        this.halt();
        this.request(Request.PAUSE).catch(() => {});
      }
      return;
    }
    if (this.resumeWhenVisible && this.ready) {
      this.resumeWhenVisible = false;
      this.startTraining();
    }
    // Straightness is measured on screen only: catch up with weights that changed off it.
    if (this.ready && !this.straightness) this.measureStraightness();
    if (!this.running) {
      this.running = true;
      this.anim.last = 0;
      window.requestAnimationFrame((now) => this.frame(now));
    }
  }

  /** One animation frame: advance the clock, fetch what the layers miss, redraw if anything changed. */
  frame(now) {
    if (!this.running) return;
    const { anim } = this;
    const dt = anim.last ? Math.min(0.1, (now - anim.last) / 1000) : 0;
    anim.last = now;
    // Snapshots and steps are fixed times: nothing to animate.
    if (anim.playing && !fixedLayout(this.state.layout)) {
      if (anim.t < 1) anim.t = Math.min(1, anim.t + dt / DURATION);
      else if ((anim.hold += dt) > HOLD) Object.assign(anim, { t: 0, hold: 0 });
      this.dirty = true;
    }
    if (this.ready) this.scene.refresh(this.state, anim.t, { training: this.training, weights: this.version });
    const due = !this.training || this.recording || now - this.lastDraw >= TRAINING_FRAME_MS - 4;
    if (due && (this.dirty || this.scene.dirty)) {
      this.lastDraw = now;
      Object.assign(this, { dirty: false, drawn: this.drawn + 1 });
      this.scene.dirty = false;
      this.chrome.showTime(anim.t);
      const { state, data, samples, pairs } = this;
      const labelled = state.conditional && this.dataLabels;
      this.scene.draw(context2d(this.ui.canvas), {
        state, data, samples, pairs, t: anim.t, dataLabels: labelled ? this.dataLabels : null, palette: labelled ? this.palette : null,
      });
      this.chrome.showAverage(this.scene.report.average, state.layers.includes('average'));
      if (this.recording) {
        this.dirty = true;
        this.recording.drawn(dt);
      }
    }
    // The wall clock, not the frame's timestamp: a frame that runs late must not bring the
    // next announcement closer than the interval.
    const wall = performance.now();
    if (wall - this.summaryAt >= SUMMARY_INTERVAL_MS) {
      this.summaryAt = wall;
      this.chrome.showSummary();
    }
    window.requestAnimationFrame((next) => this.frame(next));
  }

  /**
   * A snapshot of the figure for scripts and tests. `settled`: the animation is stopped and
   * everything the layers need has arrived and is drawn.
   */
  status() {
    const still = !this.anim.playing || fixedLayout(this.state.layout);
    const settled = this.ready && !!this.samples && !this.samples.partial && this.scene.settled && !this.dirty && !this.scene.dirty && this.drawn > 0 && still;
    return {
      ready: this.ready, backend: this.backend, adapter: this.adapter, training: this.training,
      step: this.step, loss: this.losses.length ? this.losses[this.losses.length - 1] : null,
      losses: [...this.losses], stepsPerSec: this.stepsPerSec, stats: this.stats, visible: this.visible,
      model: this.model ? this.model.file : null, t: this.anim.t, renderer: this.scene.report.renderer,
      average: this.scene.report.average, cost: this.scene.report.cost, settled,
      notes: [...this.scene.report.notes], densities: this.scene.report.densities,
      sampler: this.samples ? this.samples.sampler : null,
      messages: [...this.messages], state: { ...this.state },
      straightness: this.straightness ? this.straightness.value : null, straightnessStep: this.straightness ? this.straightness.step : null,
      reflows: this.state.reflows, reflowing: this.reflowing, classes: this.dataClasses, steps: this.scene.report.steps,
      lastStop: this.lastStop || null,
      // The particles drawn now: a first slice (`partial`) until all have arrived.
      particles: this.samples ? this.samples.n : 0, partial: !!(this.samples && this.samples.partial),
    };
  }
}
