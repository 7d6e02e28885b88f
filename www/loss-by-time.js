// Where the loss lives: the training loss binned by the time t of each sample (the worker sums
// it per bin, LOSS_BINS / READ_LOSS_BINS), as running means, with the time-sampling density
// π(t) over them. The loss is not spread evenly in t, and π(t) says where training looks. The
// sums are read when the worker sends fresh samples while training (its own time budget) and
// when training stops, never per frame.

import { Request } from './client.js';
import { context2d } from './render.js';

/** Bins of [0, 1]. */
export const LOSS_BINS = 20;
/** Each read keeps this share of the earlier sums: a running mean over the last few reads. */
export const DECAY = 0.8;

/** Running per-bin means of the loss, from the worker's per-read sums and counts. */
export class LossByTime {
  constructor(bins = LOSS_BINS) {
    this.bins = bins;
    this.pi = null;
    this.reset();
  }

  reset() {
    this.sums = new Float64Array(this.bins);
    this.counts = new Float64Array(this.bins);
    /** Every sample binned since the reset (not decayed). */
    this.total = 0;
  }

  /** Adds one read {sums, counts, pi}; false when it held no samples. */
  add({ sums, counts, pi }) {
    if (pi && pi.length === this.bins) this.pi = Array.from(pi);
    if (!counts || counts.length !== this.bins) return false;
    let n = 0;
    for (let j = 0; j < this.bins; j += 1) n += counts[j];
    if (!n) return false;
    for (let j = 0; j < this.bins; j += 1) {
      this.sums[j] = DECAY * this.sums[j] + sums[j];
      this.counts[j] = DECAY * this.counts[j] + counts[j];
    }
    this.total += n;
    return true;
  }

  /** The mean loss per bin (NaN where nothing was binned). */
  means() {
    return Array.from(this.sums, (s, j) => (this.counts[j] > 0 ? s / this.counts[j] : NaN));
  }
}

/**
 * The chart: a bar per bin (the running mean loss, on a linear scale from 0) and π(t) as a line
 * on its own scale from 0. The title names the bars (top left), the bottom row the axis ends
 * and, between them, the line (so the labels never overlap, however narrow the chart).
 */
export function drawLossByTime(ctx, model, width, height, colors) {
  ctx.clearRect(0, 0, width, height);
  const font = Math.round(height / 8);
  ctx.font = `${font}px system-ui, sans-serif`;
  const pad = 4;
  const top = font + 8;
  const bottom = height - font - 6;
  const plot = (v, max) => bottom - (v / max) * (bottom - top);
  const means = model.means();
  const finite = means.filter(Number.isFinite);
  const bin = (width - 2 * pad) / model.bins;
  ctx.textBaseline = 'top';
  ctx.fillStyle = colors.text;
  if (finite.length) {
    const max = Math.max(...finite) * 1.05 || 1;
    ctx.fillStyle = colors.bar;
    means.forEach((m, j) => {
      if (!Number.isFinite(m)) return;
      const y = plot(m, max);
      ctx.fillRect(pad + j * bin + 1, y, bin - 2, bottom - y);
    });
    ctx.fillStyle = colors.text;
    ctx.fillText(`loss by t (bars, running mean; top ${(max / 1.05).toPrecision(3)})`, pad + 2, 3);
  } else {
    ctx.fillText('loss by t: train to see where the loss lives', pad + 2, 3);
  }
  ctx.fillStyle = colors.muted;
  ctx.textBaseline = 'bottom';
  ctx.fillText('t = 0', pad + 2, height - 2);
  ctx.textAlign = 'right';
  ctx.fillText('t = 1', width - pad - 2, height - 2);
  if (model.pi) {
    const max = Math.max(...model.pi) * 1.1 || 1;
    ctx.strokeStyle = colors.pi;
    ctx.lineWidth = Math.max(1.5, height / 50);
    ctx.beginPath();
    model.pi.forEach((p, j) => {
      const x = pad + (j + 0.5) * bin;
      const y = plot(p, max);
      if (j === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
    // The line's key, centred between the axis ends, shortened where the chart is narrow.
    ctx.fillStyle = colors.pi;
    ctx.textAlign = 'center';
    const room = width - 2 * (ctx.measureText('t = 0').width + 3 * pad);
    const long = 'line: π(t), how often training picks t';
    ctx.fillText(ctx.measureText(long).width <= room ? long : 'line: π(t)', width / 2, height - 2);
  }
  ctx.textAlign = 'left';
}

/** Chart colours per theme. */
export const CHART_COLORS = {
  light: { bar: 'rgba(42, 111, 219, 0.35)', pi: '#c2410c', text: '#555', muted: '#888' },
  dark: { bar: 'rgba(127, 176, 255, 0.4)', pi: '#fb923c', text: '#bbb', muted: '#888' },
};

/**
 * Binds the chart on `canvas` to `figure` (figure.js): turns the worker's bins on whenever the
 * figure's module starts, reads them on the worker's schedule and redraws. Returns the model
 * (with dispose(), which stops redrawing on resize).
 */
export function bindLossByTime(figure, canvas) {
  const model = new LossByTime();
  let reading = false;
  const draw = () => {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(canvas.clientWidth * dpr);
    const h = Math.round(canvas.clientHeight * dpr);
    if (!w || !h) return;
    if (canvas.width !== w || canvas.height !== h) Object.assign(canvas, { width: w, height: h });
    drawLossByTime(context2d(canvas), model, w, h, CHART_COLORS[figure.state.theme] || CHART_COLORS.light);
  };
  const read = async () => {
    if (reading) return;
    reading = true;
    try {
      model.add(await figure.request(Request.READ_LOSS_BINS));
      draw();
    } catch { /* a restarting module: the next read catches up */ } finally {
      reading = false;
    }
  };
  figure.addEventListener('ready', async () => {
    try {
      await figure.request(Request.LOSS_BINS, { bins: LOSS_BINS });
    } catch (error) {
      figure.say(`Loss by t: ${error.message}`);
      return;
    }
    model.reset();
    read();
  });
  figure.addEventListener('samples', () => { if (figure.training) read(); });
  figure.addEventListener('stopped', () => read());
  figure.addEventListener('cleared', () => {
    model.reset();
    read();
  });
  const observer = new ResizeObserver(draw);
  observer.observe(canvas);
  draw();
  model.dispose = () => observer.disconnect();
  return model;
}
