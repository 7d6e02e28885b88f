// Short fading tails behind the particles: each one's path over the last TAIL of t, in three
// faint pieces of rising opacity. Deterministic in t (a paused figure shows the same tails), and
// thin, so the particles stay the subject. Full paths are the `paths` layer.
import { strokeByColor } from './strokes.js';
import { stateIndex } from '../render.js';

/** The length of a tail, in units of t. */
export const TAIL = 0.12;
/** Most particles given a tail (the rest are drawn without). */
export const TAILS = 3000;
const PIECES = [0.05, 0.12, 0.24];

export default {
  name: 'trails',
  label: 'trails',
  z: 50,
  needs: ['samples'],
  wheel: true,
  cost: (frame) => (frame.samples ? Math.min(TAILS, frame.samples.n) * (PIECES.length + 2) : 0),
  draw(ctx, view, t, frame) {
    const s = frame.samples;
    if (!s || !s.trajectory || t <= 0) return;
    const width = Math.max(1, view.width / 700);
    const start = Math.max(0, t - TAIL);
    for (let k = 0; k < PIECES.length; k += 1) {
      const a = stateIndex(s.times, start + ((t - start) * k) / PIECES.length);
      const b = stateIndex(s.times, start + ((t - start) * (k + 1)) / PIECES.length);
      if (b > a) strokeByColor(ctx, s, TAILS, a, b, view, PIECES[k], width);
    }
  },
};
