// Drawing log-densities: a sequential colour scale over a fixed span of nats (low densities
// fade to transparent, so the background and the particles stay readable), the lattice painted
// as a small image and drawn smoothed over the view, the colour bar that names the scale, and a
// note in place of a layer that cannot be drawn here.

import { context2d } from '../render.js';

/** The nats a heatmap spans: from its top down to SPAN below, the rest transparent. */
export const SPAN = 8;

/** Colour stops [position, r, g, b, alpha] per theme: pale and transparent to deep and opaque. */
export const RAMPS = {
  light: [
    [0, 236, 240, 250, 0],
    [0.2, 214, 222, 242, 0.45],
    [0.45, 150, 170, 222, 0.75],
    [0.7, 88, 104, 190, 0.9],
    [1, 44, 30, 110, 0.97],
  ],
  dark: [
    [0, 30, 36, 60, 0],
    [0.2, 40, 58, 110, 0.5],
    [0.45, 70, 110, 190, 0.75],
    [0.7, 140, 170, 240, 0.9],
    [1, 235, 232, 255, 0.97],
  ],
};

/**
 * The scale for keyframes whose largest value is `max` nats: {top, bottom}, the top rounded up
 * to a whole nat (so it does not flicker as keyframes arrive), SPAN nats deep.
 */
export function scaleFor(max) {
  const top = Number.isFinite(max) ? Math.ceil(max) : 0;
  return { top, bottom: top - SPAN };
}

/** The ramp's [r, g, b, a] (0–255) at position `v` in [0, 1] (clamped; NaN: transparent). */
export function rampColor(ramp, v) {
  if (!(v > 0)) return [ramp[0][1], ramp[0][2], ramp[0][3], Number.isNaN(v) ? 0 : Math.round(255 * ramp[0][4])];
  if (v >= 1) {
    const l = ramp[ramp.length - 1];
    return [l[1], l[2], l[3], Math.round(255 * l[4])];
  }
  let k = 1;
  while (ramp[k][0] < v) k += 1;
  const a = ramp[k - 1];
  const b = ramp[k];
  const w = (v - a[0]) / (b[0] - a[0]);
  const mix = (i) => (1 - w) * a[i] + w * b[i];
  return [Math.round(mix(1)), Math.round(mix(2)), Math.round(mix(3)), Math.round(255 * mix(4))];
}

/** A 256-entry RGBA table of the ramp (Uint8ClampedArray [256·4]). */
export function rampTable(ramp) {
  const table = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i += 1) table.set(rampColor(ramp, i / 255), 4 * i);
  return table;
}

/**
 * Paints `logp` ([g²], row by row from ymin) into `rgba` ([g²·4], rows from the top, as an
 * image) with `table` over `scale`.
 */
export function paint(logp, grid, scale, table, rgba) {
  const span = scale.top - scale.bottom;
  for (let j = 0; j < grid; j += 1) {
    const row = grid - 1 - j; // the lattice's first row is the lowest y: the image's last
    for (let i = 0; i < grid; i += 1) {
      const v = (logp[j * grid + i] - scale.bottom) / span;
      const k = Number.isNaN(v) ? 0 : Math.max(0, Math.min(255, Math.round(v * 255)));
      rgba.set(table.subarray(4 * k, 4 * k + 4), 4 * (row * grid + i));
    }
  }
  return rgba;
}

/**
 * Draws `logp` over the view: painted on a grid×grid canvas kept in `own`, stretched over the
 * lattice's bounds with smoothing (the lattice's cell centres land on the image's pixel centres).
 */
export function drawHeatmap(ctx, view, logp, grid, bounds, scale, theme, own) {
  if (!own.canvas || own.canvas.width !== grid) {
    own.canvas = new OffscreenCanvas(grid, grid);
    own.image = new ImageData(grid, grid);
  }
  if (own.theme !== theme) Object.assign(own, { theme, table: rampTable(RAMPS[theme] || RAMPS.light) });
  paint(logp, grid, scale, own.table, own.image.data);
  context2d(own.canvas).putImageData(own.image, 0, 0);
  const [x0, x1, y0, y1] = bounds;
  ctx.save();
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'low';
  ctx.drawImage(own.canvas, view.px(x0), view.py(y1), view.px(x1) - view.px(x0), view.py(y0) - view.py(y1));
  ctx.restore();
}

/** The colour bar, top right of a `size`-pixel view: the ramp from `bottom` to `top` nats. */
export function drawColorBar(ctx, size, scale, theme, colors) {
  const ramp = RAMPS[theme] || RAMPS.light;
  const font = Math.round(Math.max(10, Math.min(15, size * 0.022)));
  const w = Math.round(Math.max(60, size * 0.2));
  const h = Math.round(font * 0.7);
  const m = Math.round(Math.max(8, size * 0.02));
  const x = size - m - w;
  const y = m + font + 4;
  ctx.save();
  const gradient = ctx.createLinearGradient(x, 0, x + w, 0);
  for (const [p, r, g, b, a] of ramp) gradient.addColorStop(p, `rgba(${r}, ${g}, ${b}, ${a})`);
  ctx.fillStyle = colors.background;
  ctx.globalAlpha = 0.8;
  ctx.fillRect(x - 4, m - 2, w + 8, font * 2 + h + 12);
  ctx.globalAlpha = 1;
  ctx.fillStyle = gradient;
  ctx.fillRect(x, y, w, h);
  ctx.strokeStyle = colors.muted;
  ctx.lineWidth = 1;
  ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
  ctx.fillStyle = colors.text;
  ctx.font = `${font}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText('log pₜ (nats)', x, m);
  ctx.fillStyle = colors.muted;
  ctx.fillText(`${scale.bottom}`, x, y + h + 2);
  ctx.textAlign = 'right';
  ctx.fillText(`${scale.top}`, x + w, y + h + 2);
  ctx.restore();
}

/** Words wrapped to lines at most `width` pixels wide in the context's font. */
export function wrap(ctx, text, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > width) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * Says why a layer draws nothing here, in the lower part of the view (a note per layer, stacked
 * by `slot`), over a light band so it reads on top of anything.
 */
export function drawNote(ctx, view, text, colors, slot = 0) {
  const font = Math.round(Math.max(11, Math.min(16, view.width * 0.026)));
  ctx.save();
  ctx.font = `${font}px system-ui, sans-serif`;
  const lines = wrap(ctx, text, view.width * 0.86);
  const lineHeight = Math.round(font * 1.3);
  const height = lines.length * lineHeight + 10;
  const top = view.height - (slot + 1) * (height + 6) - Math.round(view.height * 0.03);
  ctx.fillStyle = colors.background;
  ctx.globalAlpha = 0.85;
  ctx.fillRect(view.width * 0.05, top, view.width * 0.9, height);
  ctx.globalAlpha = 1;
  ctx.fillStyle = colors.text;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  lines.forEach((l, i) => ctx.fillText(l, view.width / 2, top + 5 + i * lineHeight));
  ctx.restore();
}

/**
 * A layer's note (why it cannot draw here), said once: in the primary panel, stacked above the
 * notes other layers said this frame, and listed in the scene's report.
 */
export function drawPanelNote(ctx, view, frame, text) {
  if (!frame.primary) return;
  frame.report.notes.push(text);
  drawNote(ctx, view, text, frame.colors, frame.report.notes.length - 1);
}
