// Drawing: functions of (context, typed arrays, view) with no other state, plus one pixel
// buffer for particles with fading trails. World coordinates are mapped by a View.

/** Maps world coordinates (y up) to canvas pixels (y down). */
export class View {
  constructor(bounds, width, height) {
    this.bounds = bounds; // [xmin, xmax, ymin, ymax]
    this.width = width;
    this.height = height;
    this.sx = width / (bounds[1] - bounds[0]);
    this.sy = height / (bounds[3] - bounds[2]);
  }

  px(x) { return (x - this.bounds[0]) * this.sx; }

  py(y) { return (this.bounds[3] - y) * this.sy; }
}

/** Small squares at each point of `xy` ([n, 2]). */
export function drawPoints(ctx, xy, view, color, size) {
  ctx.fillStyle = color;
  const h = size / 2;
  for (let i = 0; i < xy.length; i += 2) {
    ctx.fillRect(view.px(xy[i]) - h, view.py(xy[i + 1]) - h, size, size);
  }
}

/** Arrows of the field `v` ([g², 2]) on the g×g lattice over the view (row by row from ymin). */
export function drawArrows(ctx, v, grid, view, color, scale) {
  const [x0, x1, y0, y1] = view.bounds;
  const cell = Math.min(view.width, view.height) / grid;
  // Scale so the longest arrow spans about one cell.
  let max = 1e-9;
  for (let i = 0; i < v.length; i += 2) max = Math.max(max, Math.hypot(v[i], v[i + 1]));
  const k = (scale * 0.9 * cell) / max;
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = Math.max(1, cell / 18);
  ctx.beginPath();
  for (let j = 0; j < grid; j += 1) {
    for (let i = 0; i < grid; i += 1) {
      const idx = 2 * (j * grid + i);
      const cx = view.px(x0 + ((i + 0.5) / grid) * (x1 - x0));
      const cy = view.py(y0 + ((j + 0.5) / grid) * (y1 - y0));
      const dx = v[idx] * k;
      const dy = -v[idx + 1] * k;
      const len = Math.hypot(dx, dy);
      if (len < 0.5) continue;
      const ex = cx + dx / 2;
      const ey = cy + dy / 2;
      ctx.moveTo(cx - dx / 2, cy - dy / 2);
      ctx.lineTo(ex, ey);
      // Arrow head: two short strokes back from the tip.
      const hx = (dx / len) * Math.min(len * 0.4, cell * 0.25);
      const hy = (dy / len) * Math.min(len * 0.4, cell * 0.25);
      ctx.moveTo(ex, ey);
      ctx.lineTo(ex - hx - hy * 0.5, ey - hy + hx * 0.5);
      ctx.moveTo(ex, ey);
      ctx.lineTo(ex - hx + hy * 0.5, ey - hy - hx * 0.5);
    }
  }
  ctx.stroke();
}

/** Straight segments x₀ → x₁ for rows of `pairs` ([n, 4]). */
export function drawSegments(ctx, pairs, view, color) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let i = 0; i < pairs.length; i += 4) {
    ctx.moveTo(view.px(pairs[i]), view.py(pairs[i + 1]));
    ctx.lineTo(view.px(pairs[i + 2]), view.py(pairs[i + 3]));
  }
  ctx.stroke();
}

/**
 * Polylines of the first `count` particles of `trajectory` ([states, n, 2]) up to time index
 * `upto` (fractional: the last segment is cut at the interpolated point).
 */
export function drawTrajectories(ctx, trajectory, n, states, count, upto, view, color) {
  ctx.strokeStyle = color;
  ctx.lineWidth = 1;
  ctx.beginPath();
  const last = Math.min(states - 1, Math.floor(upto));
  const frac = upto - last;
  for (let p = 0; p < Math.min(count, n); p += 1) {
    ctx.moveTo(view.px(trajectory[2 * p]), view.py(trajectory[2 * p + 1]));
    for (let s = 1; s <= last; s += 1) {
      const o = 2 * (s * n + p);
      ctx.lineTo(view.px(trajectory[o]), view.py(trajectory[o + 1]));
    }
    if (frac > 0 && last + 1 < states) {
      const a = 2 * (last * n + p);
      const b = 2 * ((last + 1) * n + p);
      const x = trajectory[a] + frac * (trajectory[b] - trajectory[a]);
      const y = trajectory[a + 1] + frac * (trajectory[b + 1] - trajectory[a + 1]);
      ctx.lineTo(view.px(x), view.py(y));
    }
  }
  ctx.stroke();
}

/**
 * The fractional state index of time `t` in the increasing (or decreasing) `times`.
 * @param {Float64Array} times
 */
export function stateIndex(times, t) {
  const n = times.length;
  if (n < 2) return 0;
  const forward = times[n - 1] >= times[0];
  for (let s = 0; s < n - 1; s += 1) {
    const a = times[s];
    const b = times[s + 1];
    if ((forward && t <= b) || (!forward && t >= b)) {
      return s + Math.min(1, Math.max(0, (t - a) / (b - a || 1)));
    }
  }
  return n - 1;
}

/** Positions at fractional state index `at`, written into `out` ([n, 2]). */
export function positionsAt(trajectory, n, states, at, out) {
  const s = Math.min(states - 1, Math.floor(at));
  const frac = s + 1 < states ? at - s : 0;
  const a = 2 * s * n;
  const b = 2 * Math.min(states - 1, s + 1) * n;
  for (let i = 0; i < 2 * n; i += 1) {
    out[i] = trajectory[a + i] + frac * (trajectory[b + i] - trajectory[a + i]);
  }
  return out;
}

/**
 * Particles drawn into a pixel buffer whose alpha decays every frame, which leaves fading
 * trails behind moving particles at a cost independent of their history.
 */
export class ParticleLayer {
  constructor(width, height) {
    this.canvas = new OffscreenCanvas(width, height);
    this.ctx = this.canvas.getContext('2d');
    this.image = this.ctx.createImageData(width, height);
    this.pixels = new Uint32Array(this.image.data.buffer);
    this.width = width;
    this.height = height;
  }

  clear() { this.pixels.fill(0); }

  /** Multiplies every pixel's alpha by `keep` (0: no trails, → 1: long trails). */
  fade(keep) {
    const p = this.pixels;
    const k = Math.round(keep * 256);
    for (let i = 0; i < p.length; i += 1) {
      const c = p[i];
      if (c === 0) continue;
      const a = ((c >>> 24) * k) >>> 8;
      p[i] = a < 8 ? 0 : (c & 0x00ffffff) | (a << 24);
    }
  }

  /** Plots `xy` ([n, 2]) as `size`×`size` dots of colour `rgb` (0xRRGGBB). */
  plot(xy, view, rgb, size) {
    const p = this.pixels;
    const w = this.width;
    const h = this.height;
    // ImageData is RGBA in memory: on little-endian machines that is 0xAABBGGRR as a u32.
    const r = (rgb >> 16) & 255;
    const g = (rgb >> 8) & 255;
    const b = rgb & 255;
    const colour = (0xff << 24) | (b << 16) | (g << 8) | r;
    const half = size >> 1;
    for (let i = 0; i < xy.length; i += 2) {
      const x = Math.round(view.px(xy[i])) - half;
      const y = Math.round(view.py(xy[i + 1])) - half;
      if (x < 0 || y < 0 || x + size > w || y + size > h) continue;
      for (let dy = 0; dy < size; dy += 1) {
        const row = (y + dy) * w + x;
        for (let dx = 0; dx < size; dx += 1) p[row + dx] = colour;
      }
    }
  }

  /** Draws the buffer onto `ctx`. */
  blit(ctx) {
    this.ctx.putImageData(this.image, 0, 0);
    ctx.drawImage(this.canvas, 0, 0);
  }
}

/** The loss curve (log scale) of `losses` at `steps`, with the latest value printed. */
export function drawLossChart(ctx, steps, losses, width, height, colors) {
  ctx.clearRect(0, 0, width, height);
  const finite = [];
  for (let i = 0; i < losses.length; i += 1) if (Number.isFinite(losses[i]) && losses[i] > 0) finite.push(i);
  ctx.fillStyle = colors.text;
  ctx.font = `${Math.round(height / 8)}px system-ui, sans-serif`;
  if (finite.length < 2) {
    ctx.fillText('loss: train to see the curve', 8, height / 2);
    return;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of finite) {
    const l = Math.log10(losses[i]);
    lo = Math.min(lo, l);
    hi = Math.max(hi, l);
  }
  if (hi - lo < 0.1) { hi += 0.05; lo -= 0.05; }
  const s0 = steps[finite[0]];
  const s1 = steps[finite[finite.length - 1]];
  const pad = 4;
  ctx.strokeStyle = colors.line;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  finite.forEach((i, k) => {
    const x = pad + ((steps[i] - s0) / Math.max(1, s1 - s0)) * (width - 2 * pad);
    const y = pad + (1 - (Math.log10(losses[i]) - lo) / (hi - lo)) * (height - 2 * pad);
    if (k === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
  const last = losses[finite[finite.length - 1]];
  ctx.fillText(`loss ${last.toPrecision(4)}  (log scale, ${10 ** lo < 1 ? (10 ** lo).toPrecision(2) : (10 ** lo).toFixed(1)}–${(10 ** hi).toPrecision(2)})`, 8, Math.round(height / 8) + 4);
}
