// A figure's DOM around the canvas: the buttons (Reflow among them), the time slider, the
// progress line (with the flow's rectifications), the loss chart, the backend badge, the
// statistics line (with the straightness), the average readout and the figure in words (the
// canvas's label and a live region, summary.js). Every element is
// optional (the host passes what it has); the figure (figure.js) calls these to update them.

import * as render from './render.js';
import { THEMES } from './layers/theme.js';
import { summaryText } from './summary.js';
import { fixedLayout, layoutFor } from './scene.js';

function formatSeconds(s) {
  return s < 60 ? `${Math.ceil(s)} s` : `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s`;
}

const f2 = (v) => v.toFixed(2);
const vec = (v) => `(${f2(v[0])}, ${f2(v[1])})`;

/** The readout's text for an average summary (layers/average.js). */
export function readoutText(a) {
  if (!a) return '';
  const where = `at x = ${vec(a.point)}, t = ${f2(a.t)}`;
  if (a.pending) return `Averaging the conditional velocities ${where}…`;
  if (!a.exact) return a.note;
  const pairs = `these ${a.k} pairs carry ${Math.round(100 * a.mass)}% of the weight`;
  return `${where}: average of the conditional velocities ${vec(a.exact)} (bold), network v(x, t) ${vec(a.learned)} (thin), ${Number.isFinite(a.angle) ? `${a.angle.toFixed(1)}°` : 'no angle'} apart; ${pairs}.${a.note ? ` ${a.note}` : ''}`;
}

/** A straightness value: three significant digits, small ones too (a reflowed flow's is ≈ 10⁻³). */
export function straightText(v) {
  return Number.isFinite(v) ? v.toPrecision(3) : String(v);
}

export class FigureUi {
  constructor(figure, elements) {
    this.figure = figure;
    this.ui = elements;
  }

  bind() {
    const { ui, figure } = this;
    if (ui.train) ui.train.addEventListener('click', () => figure.train(0));
    if (ui.step) ui.step.addEventListener('click', () => figure.train(1));
    if (ui.pause) ui.pause.addEventListener('click', () => figure.pause());
    if (ui.reset) ui.reset.addEventListener('click', () => figure.reset());
    if (ui.reflow) ui.reflow.addEventListener('click', () => figure.reflow());
    if (ui.play) {
      ui.play.addEventListener('click', () => (figure.anim.playing ? figure.stopAnimation() : figure.play()));
    }
    if (ui.time) {
      ui.time.addEventListener('input', () => figure.setTime(Number(ui.time.value) / 1000));
      ui.time.addEventListener('change', () => figure.dispatchEvent(new CustomEvent('statechange', { detail: { names: ['t'] } })));
    }
  }

  syncPlay() {
    const { play } = this.ui;
    if (!play) return;
    const playing = this.figure.anim.playing;
    play.textContent = playing ? '❚❚' : '▶';
    play.setAttribute('aria-label', playing ? 'Pause the animation' : 'Play the animation');
  }

  /** The time slider and label at time `t`. */
  showTime(t) {
    if (this.ui.time) this.ui.time.value = String(Math.round(t * 1000));
    if (this.ui.timeLabel) this.ui.timeLabel.textContent = `t = ${t.toFixed(2)}`;
  }

  updateButtons() {
    const { train, step, pause, reset, reflow } = this.ui;
    const { training, ready, reflowing } = this.figure;
    if (reflow) reflow.disabled = !ready || reflowing;
    if (train) train.disabled = training || !ready;
    if (step) step.disabled = training || !ready;
    if (pause) pause.disabled = !training;
    if (reset) reset.disabled = !ready;
  }

  updateProgress() {
    const { ui, figure } = this;
    if (ui.stepCount) ui.stepCount.textContent = String(figure.step);
    if (ui.reflows) ui.reflows.textContent = figure.state.reflows ? `${figure.state.reflows}-rectified` : '';
    if (ui.rate) ui.rate.textContent = figure.stepsPerSec ? `${figure.stepsPerSec.toFixed(1)} steps/s` : '';
    const total = figure.until || figure.state.steps;
    if (ui.progress) {
      ui.progress.max = Math.max(1, total);
      ui.progress.value = Math.min(figure.step, total);
    }
    const left = total - figure.step;
    if (ui.eta) ui.eta.textContent = figure.training && figure.stepsPerSec > 0 && left > 0 ? `ETA ${formatSeconds(left / figure.stepsPerSec)}` : '';
    if (ui.chart && ui.chart.width) {
      const colors = (THEMES[figure.state.theme] || THEMES.light).chart;
      render.drawLossChart(render.context2d(ui.chart), figure.steps, figure.losses, ui.chart.width, ui.chart.height, colors);
    }
  }

  setBadge(text, kind) {
    if (!this.ui.badge) return;
    this.ui.badge.textContent = text;
    this.ui.badge.dataset.kind = kind;
  }

  showStats(stats) {
    if (!this.ui.stats || !stats) return;
    const { samples: s, data: d, n, nfe, slicedW2 } = stats;
    const straight = this.figure.straightness;
    const straightness = straight ? ` · straightness ${straightText(straight.value)} (step ${straight.step})` : '';
    this.ui.stats.textContent = `${n} particles, ${nfe} NFE · mean ${vec(s.mean)} vs data ${vec(d.mean)} · spread ${vec(s.std)} vs ${vec(d.std)} · sliced W₂ to ${stats.class === 'all' || stats.class === undefined ? 'data' : `class ${stats.class}'s data`} ${slicedW2.toFixed(3)}${straightness}`;
  }

  /**
   * The figure in words (summary.js): the canvas's label, and the polite live region's text
   * without the parts that change every frame. The figure calls this at most once a
   * SUMMARY_INTERVAL_MS, and a node is written only when its text changed.
   */
  showSummary() {
    const { figure: f, ui } = this;
    const info = {
      ready: f.ready && !f.restarting, state: f.state, t: f.anim.t, playing: f.anim.playing, fixed: fixedLayout(f.state.layout),
      training: f.training, step: f.step, until: f.until, model: f.model ? f.model.file : null, backend: f.backend, stats: f.stats,
    };
    const label = summaryText(info);
    if (ui.canvas.getAttribute('aria-label') !== label) ui.canvas.setAttribute('aria-label', label);
    if (ui.summary) {
      const live = summaryText(info, { live: true });
      if (ui.summary.textContent !== live) ui.summary.textContent = live;
    }
  }

  /** The average readout (hidden unless the `average` layer is drawn). */
  showAverage(summary, shown) {
    const { readout } = this.ui;
    if (!readout) return;
    readout.hidden = !shown || this.figure.state.hide.includes('readout');
    const text = shown ? readoutText(summary) : '';
    if (readout.textContent !== text) readout.textContent = text;
  }

  /** Sizes the canvas to its box (device pixels) and the figure's layout; returns the layout. */
  resize() {
    const { canvas, chart } = this.ui;
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(100, Math.round(canvas.clientWidth * dpr));
    const layout = layoutFor(this.figure.state.layout, width);
    const ratio = `${layout.width} / ${layout.height}`;
    if (canvas.style.aspectRatio !== ratio) canvas.style.aspectRatio = ratio;
    if (canvas.width !== layout.width || canvas.height !== layout.height) {
      canvas.width = layout.width;
      canvas.height = layout.height;
    }
    if (chart) {
      const w = Math.round(chart.clientWidth * dpr);
      if (w && chart.width !== w) {
        chart.width = w;
        chart.height = Math.round(chart.clientHeight * dpr);
        this.updateProgress();
      }
    }
    return layout;
  }
}
