// Each particle's solver polyline: the straight steps an ODE solver actually took, corners
// marked. With `t=1` it shows where a few steps land and how (Euler with 1 step is one straight
// jump along the velocity at t = 0).
import { cssColor } from './colorwheel.js';
import { strokeByColor } from './strokes.js';

/** Particles whose polyline is drawn (all particles are still drawn by `particles`). */
export const POLYLINES = 160;

export default {
  name: 'polyline',
  label: 'solver steps',
  z: 45,
  needs: ['samples'],
  wheel: true,
  cost: (frame) => (frame.samples ? Math.min(POLYLINES, frame.samples.n) * frame.samples.states * 2 : 0),
  draw(ctx, view, t, frame) {
    const s = frame.samples;
    if (!s || !s.trajectory || frame.at <= 0) return;
    const width = Math.max(1, view.width / 420);
    strokeByColor(ctx, s, POLYLINES, 0, frame.at, view, 0.5, width);
    // The solver's states reached so far (the start and the corners), as small faint dots; the
    // particles layer draws where they are now.
    const { trajectory, n, colors } = s;
    const r = Math.max(1, view.width / 450);
    const last = Math.min(Math.floor(frame.at + 1e-9), s.states - 2);
    for (let p = 0; p < Math.min(POLYLINES, n); p += 1) {
      ctx.fillStyle = cssColor(colors.colors[p], 0.55);
      ctx.beginPath();
      for (let k = 0; k <= last; k += 1) {
        const o = 2 * (k * n + p);
        const x = view.px(trajectory[o]);
        const y = view.py(trajectory[o + 1]);
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI);
      }
      ctx.fill();
    }
  },
};
