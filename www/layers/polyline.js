// Each particle's solver polyline: the straight steps an ODE solver actually took, corners
// marked. With `t=1` it shows where a few steps land and how (Euler with 1 step is one straight
// jump along the velocity at t = 0).
import { cssColor } from './colorwheel.js';
import { strokeByColor } from './strokes.js';

/** Particles whose polyline is drawn (all particles are still drawn by `particles`). */
export const POLYLINES = 160;
/** Corners are marked up to this many solver states. */
const CORNERS = 12;
const SOLVERS = { euler: 'Euler', midpoint: 'midpoint', heun: 'Heun', rk4: 'RK4', dopri5: 'dopri5' };

/** Names the solver and its evaluations, bottom left: small multiples differ by it. */
function label(ctx, view, frame) {
  // A panel may sample with its own solver (layout=steps).
  const solver = frame.solver || frame.state.solver;
  const steps = frame.samples.states - 1;
  const plural = `${steps} step${steps === 1 ? '' : 's'}`;
  const text = frame.samples.sampler === 'sde' ? `SDE, γ = ${frame.state.noise} · ${plural}`
    : solver === 'dopri5' ? `dopri5 · ${frame.samples.nfe} evaluations`
      : `${SOLVERS[solver] || solver} · ${plural}`;
  ctx.save();
  ctx.font = `${Math.round(Math.max(11, view.width * 0.045))}px system-ui, sans-serif`;
  ctx.fillStyle = frame.colors.text;
  ctx.textBaseline = 'bottom';
  ctx.fillText(text, Math.round(view.width * 0.03), Math.round(view.height * 0.97));
  ctx.restore();
}

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
    label(ctx, view, frame);
    // The solver's states reached so far (the start and the corners), as small faint dots,
    // while there are few enough to count; the particles layer draws where they are now.
    const { trajectory, n, colors } = s;
    if (s.states > CORNERS) return;
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
