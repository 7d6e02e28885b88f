// The cost-vs-steps chart's data, gathered in the background: one SWEEP_POINT at a time from
// the figure's worker (each a sample of SWEEP_N particles and an exact W₂), only while the chart
// is on screen and the figure is not training, so it never holds training up for longer than
// one point. New weights (training, a reflow, another model) start it again.

import { Request } from './client.js';
import { drawSweepChart } from './sweep-chart.js';
import { context2d } from './render.js';

/** Particles (and data points) per point: W₂ is exact (an assignment), so kept small. */
export const SWEEP_N = 500;
/** The draws' seed: the CLI's default, as in `bench-nfe --n 500 --sde-noise 1`. */
const SWEEP_SEED = 0;
/** The SDE's noise scale γ (its points join where the source has a density). */
const SDE_NOISE = 1;
/** The chart's ink per theme (`ink`: the dopri5 line, the reference solver). */
const LIGHT = { text: '#555', grid: 'rgba(0,0,0,0.08)', floor: '#8a909c', ink: '#1d1f24' };
const DARK = { text: '#bbb', grid: 'rgba(255,255,255,0.1)', floor: '#9aa0ac', ink: '#e6e8ee' };
/** How often an idle sweep looks whether it may go on (ms). */
const POLL = 300;

export class Sweep {
  /** @param {{canvas: HTMLCanvasElement, note?: HTMLElement}} elements */
  constructor({ canvas, note = null }) {
    Object.assign(this, { canvas, note, figure: null, visible: false, hidden: false, inFlight: false, error: null });
    this.reset(-1);
    this.observer = new IntersectionObserver(([entry]) => { this.visible = entry.isIntersecting; this.tick(); });
    this.observer.observe(canvas);
    this.resizer = new ResizeObserver(() => this.draw());
    this.resizer.observe(canvas);
    this.timer = setInterval(() => this.tick(), POLL);
  }

  /** Stops watching and asking (the figure is gone). */
  dispose() {
    clearInterval(this.timer);
    this.observer.disconnect();
    this.resizer.disconnect();
    this.figure = null;
    this.token = {};
  }

  /** Follows `figure` (a new one after a backend switch). */
  attach(figure) {
    this.figure = figure;
    this.reset(-1);
  }

  /** Hides the chart (`hide=sweep`): nothing is computed while hidden. */
  setHidden(hidden) {
    this.hidden = hidden;
    this.tick();
  }

  reset(version) {
    Object.assign(this, { points: [], count: null, floor: null, index: 0, version, token: {}, error: null });
    this.draw();
  }

  /** True when the sweep may ask for its next point now. */
  get active() {
    const f = this.figure;
    return !!f && f.ready && !f.training && !f.reflowing && this.visible && !this.hidden && document.visibilityState === 'visible';
  }

  tick() {
    const f = this.figure;
    if (!this.active) return;
    if (f.version !== this.version) this.reset(f.version);
    if (this.inFlight || this.error || (this.count !== null && this.index >= this.count)) return;
    this.inFlight = true;
    const { token } = this;
    f.request(Request.SWEEP_POINT, { index: this.index, n: SWEEP_N, seed: SWEEP_SEED, noise: SDE_NOISE }).then(({ point }) => {
      if (token !== this.token) return;
      if (!point) {
        this.count = this.index;
      } else {
        this.points.push(point);
        Object.assign(this, { count: point.count, floor: point.w2Floor, index: this.index + 1 });
      }
      this.draw();
    }, (error) => {
      if (token !== this.token || error.fatal) return;
      this.error = error.message;
      f.say(`Cost vs steps: ${error.message}`, { kind: 'error' });
      this.draw();
    }).finally(() => {
      this.inFlight = false;
      if (token === this.token) setTimeout(() => this.tick(), 0);
    });
  }

  /** What the chart holds, for scripts and tests. */
  status() {
    return {
      points: this.points.map((p) => ({ ...p })), count: this.count, floor: this.floor, n: SWEEP_N,
      done: this.count !== null && this.points.length >= this.count, error: this.error,
    };
  }

  draw() {
    const { canvas } = this;
    const scale = window.devicePixelRatio || 1;
    const w = Math.round(canvas.clientWidth * scale);
    const h = Math.round(canvas.clientHeight * scale);
    if (!w || !h) return;
    if (canvas.width !== w || canvas.height !== h) Object.assign(canvas, { width: w, height: h });
    const { points, count } = this;
    const status = count === null ? (this.active ? 'starting…' : 'waits for training to stop') : points.length < count ? `${points.length} of ${count} points…` : '';
    const dark = this.figure && this.figure.state.theme === 'dark';
    drawSweepChart(context2d(canvas), points, this.floor, w, h, { scale, status: this.error ? 'stopped' : status, colors: dark ? DARK : LIGHT });
    if (this.note) {
      this.note.textContent = `W₂ between ${SWEEP_N} particles and ${SWEEP_N} fresh data points, every solver from the same noise. Dashed: the two-sample floor, W₂ between two data draws of that size, below which a sampler cannot be told from the data; it is itself random (on moons about ±20% from draw to draw).`;
    }
  }
}
