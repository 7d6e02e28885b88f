// Short fading tails behind the particles: each one's path over the last TAIL of t, in three
// faint pieces of rising opacity, in the particle's colour. Deterministic in t (a paused figure
// shows the same tails) and thin, so the particles stay the subject; blended on the CPU
// (the scene's shared pixel buffer), which stays fast for thousands of tails. Full paths are `paths`.
import { pointAt, stateIndex } from '../render.js';

/** The length of a tail, in units of t. */
export const TAIL = 0.12;
/** Most particles given a tail (the rest are drawn without). */
export const TAILS = 3000;
const PIECES = [0.08, 0.18, 0.34];

export default {
  name: 'trails',
  label: 'trails',
  z: 50,
  needs: ['samples'],
  wheel: true,
  raster: true,
  cost: (frame) => (frame.samples ? Math.min(TAILS, frame.samples.n) * (PIECES.length + 2) : 0),
  draw(ctx, view, t, frame) {
    const s = frame.samples;
    if (!s || !s.trajectory || !s.colors || t <= 0) return;
    const buffer = frame.raster();
    const { trajectory, n, states } = s;
    const colors = s.colors.colors;
    const start = Math.max(0, t - TAIL);
    const count = Math.min(TAILS, n);
    const pixel = ([x, y]) => [view.px(x), view.py(y)];
    const thick = view.width > 900;
    for (let k = 0; k < PIECES.length; k += 1) {
      const from = stateIndex(s.times, start + ((t - start) * k) / PIECES.length);
      const to = stateIndex(s.times, start + ((t - start) * (k + 1)) / PIECES.length);
      if (!(to > from)) continue;
      for (let p = 0; p < count; p += 1) {
        // The piece's corners: its ends and the recorded solver states between them.
        let [px, py] = pixel(pointAt(trajectory, n, states, p, from));
        for (let st = Math.floor(from) + 1; st <= Math.ceil(to); st += 1) {
          const [qx, qy] = pixel(st < to ? [trajectory[2 * (st * n + p)], trajectory[2 * (st * n + p) + 1]] : pointAt(trajectory, n, states, p, to));
          buffer.line(px, py, qx, qy, colors[p], PIECES[k], thick);
          [px, py] = [qx, qy];
        }
      }
    }
  },
};
