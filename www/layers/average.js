// The marginal velocity as an average. At a point x and time t, every noise–data pair whose
// conditional path passes through x contributes its conditional velocity u, weighted by how
// probable that pair is given x (the posterior over data points). Drawn: those paths, faint in
// proportion to their weight, with the data point each heads to; each u as a thin arrow whose
// opacity is its weight; their weighted average (the exact marginal velocity) as a bold
// arrow; the network's v(x, t) over it. The readout (figure-ui.js) gives both vectors and the angle between them.
import { arrowPath } from '../render.js';

/** World units of arrow per unit of velocity: an arrow shows where x goes in Δt = 0.6. */
export const ARROW_DT = 0.6;
/** How many of the most probable pairs are asked for. */
export const AVERAGE_K = 400;

/** The angle between two 2-D vectors, in degrees (NaN when one vanishes). */
export function angleBetween(a, b) {
  const na = Math.hypot(a[0], a[1]);
  const nb = Math.hypot(b[0], b[1]);
  if (!(na > 0 && nb > 0)) return NaN;
  const c = (a[0] * b[0] + a[1] * b[1]) / (na * nb);
  return (Math.acos(Math.max(-1, Math.min(1, c))) * 180) / Math.PI;
}

/** The summary the readout shows for an average reply at `point`, `t`. */
export function summarize(reply, point, t) {
  if (!reply) return { point, t, pending: true };
  if (!reply.supported) return { point, t, note: reply.note || 'The average is not available for this setting.' };
  const exact = [reply.exact[0], reply.exact[1]];
  const learned = [reply.learned[0], reply.learned[1]];
  // The heaviest pair's data end identifies which pairs are drawn.
  const heaviest = [reply.x1[0], reply.x1[1]];
  return { point, t, exact, learned, angle: angleBetween(exact, learned), mass: reply.mass, k: reply.w.length, heaviest, note: reply.note || null };
}

/** Adds the arrow of velocity `v` from world (x, y) (length ARROW_DT·v) to the current path. */
function arrowAt(ctx, view, x, y, v, head) {
  const ax = view.px(x);
  const ay = view.py(y);
  const bx = view.px(x + ARROW_DT * v[0]);
  const by = view.py(y + ARROW_DT * v[1]);
  if (Math.hypot(bx - ax, by - ay) >= 1) arrowPath(ctx, ax, ay, bx, by, head);
}

function arrow(ctx, view, x, y, v, width, head) {
  ctx.lineWidth = width;
  ctx.beginPath();
  arrowAt(ctx, view, x, y, v, head);
  ctx.stroke();
}

export default {
  name: 'average',
  label: 'average at a point',
  z: 70,
  needs: ['average'],
  raster: true,
  cost: (frame) => (frame.average && frame.average.w ? frame.average.w.length * ((frame.average.samplesPerCurve || 2) + 3) : 1),
  draw(ctx, view, t, frame) {
    const [x, y] = frame.point;
    const palette = frame.colors.average;
    const a = frame.average;
    const u = Math.max(1, view.width / 450);
    if (frame.primary) frame.report.average = summarize(a, frame.point, frame.averageT);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    if (a && a.supported) {
      const k = a.w.length;
      const S = a.samplesPerCurve;
      const ink = frame.raster();
      // Ink in proportion to weight, blended, so a bundle of pairs is as dark as the weight it
      // carries: the conditional paths through x, the data point each heads to, and each
      // conditional velocity at x.
      const colour = palette.conditional;
      const thick = view.width > 900;
      const px = view.px(x);
      const py = view.py(y);
      for (let i = k - 1; i >= 0; i -= 1) {
        const wi = a.w[i];
        const line = Math.min(0.9, 0.03 + 8 * wi);
        for (let s = 1; s < S; s += 1) {
          const o = 2 * (i * S + s);
          ink.line(view.px(a.curves[o - 2]), view.py(a.curves[o - 1]), view.px(a.curves[o]), view.py(a.curves[o + 1]), colour, line, thick);
        }
        ink.dot(view.px(a.x1[2 * i]), view.py(a.x1[2 * i + 1]), 1.5 * u, colour, Math.min(0.9, 0.05 + 15 * wi));
        const bx = view.px(x + ARROW_DT * a.u[2 * i]);
        const by = view.py(y + ARROW_DT * a.u[2 * i + 1]);
        ink.arrow(px, py, bx, by, 5 * u, colour, Math.min(0.9, 0.02 + 8 * wi), thick);
      }
      frame.flush();
      ctx.strokeStyle = palette.halo;
      arrow(ctx, view, x, y, a.exact, 7 * u, 13 * u);
      ctx.strokeStyle = palette.exact;
      arrow(ctx, view, x, y, a.exact, 4 * u, 11 * u);
      ctx.strokeStyle = palette.learned;
      arrow(ctx, view, x, y, a.learned, 1.8 * u, 8 * u);
    }
    // The point itself: a ring.
    ctx.strokeStyle = palette.point;
    ctx.lineWidth = 1.5 * u;
    ctx.beginPath();
    ctx.arc(view.px(x), view.py(y), 5 * u, 0, 2 * Math.PI);
    ctx.stroke();
  },
};
