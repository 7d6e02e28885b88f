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
  return { point, t, exact, learned, angle: angleBetween(exact, learned), mass: reply.mass, k: reply.w.length, note: reply.note || null };
}

function arrow(ctx, view, x, y, v, width, head) {
  const ax = view.px(x);
  const ay = view.py(y);
  const bx = view.px(x + ARROW_DT * v[0]);
  const by = view.py(y + ARROW_DT * v[1]);
  if (Math.hypot(bx - ax, by - ay) < 1) return;
  ctx.lineWidth = width;
  ctx.beginPath();
  arrowPath(ctx, ax, ay, bx, by, head);
  ctx.stroke();
}

export default {
  name: 'average',
  label: 'average at a point',
  z: 70,
  needs: ['average'],
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
      // Ink in proportion to weight: a bundle of pairs is as dark as the weight it carries.
      const ink = (w, base, gain) => Math.min(0.9, base + gain * w);
      // The conditional paths through x, faint in proportion to their weight, and the data
      // point each is heading to.
      ctx.lineWidth = u;
      for (let i = k - 1; i >= 0; i -= 1) {
        ctx.strokeStyle = `rgba(${palette.conditional}, ${ink(a.w[i], 0.02, 6)})`;
        ctx.beginPath();
        for (let s = 0; s < S; s += 1) {
          const o = 2 * (i * S + s);
          if (s === 0) ctx.moveTo(view.px(a.curves[o]), view.py(a.curves[o + 1]));
          else ctx.lineTo(view.px(a.curves[o]), view.py(a.curves[o + 1]));
        }
        ctx.stroke();
        ctx.fillStyle = `rgba(${palette.conditional}, ${ink(a.w[i], 0.05, 15)})`;
        ctx.beginPath();
        ctx.arc(view.px(a.x1[2 * i]), view.py(a.x1[2 * i + 1]), 1.8 * u, 0, 2 * Math.PI);
        ctx.fill();
      }
      // Each conditional velocity at x, opacity ∝ weight.
      for (let i = k - 1; i >= 0; i -= 1) {
        ctx.strokeStyle = `rgba(${palette.conditional}, ${ink(a.w[i], 0.02, 8)})`;
        arrow(ctx, view, x, y, [a.u[2 * i], a.u[2 * i + 1]], u, 5 * u);
      }
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
