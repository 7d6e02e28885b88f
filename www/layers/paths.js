// Marginal trajectories in full: the paths a subset of particles has followed from t = 0 to
// now (the recorded solver states are the corners).
import { strokeByColor } from './strokes.js';

/** Particles whose whole path is drawn. */
export const PATHS = 150;

export default {
  name: 'paths',
  label: 'marginal paths',
  z: 40,
  needs: ['samples'],
  wheel: true,
  cost: (frame) => (frame.samples ? Math.min(PATHS, frame.samples.n) * frame.samples.states : 0),
  draw(ctx, view, t, frame) {
    const s = frame.samples;
    if (!s || !s.trajectory || frame.at <= 0) return;
    strokeByColor(ctx, s, PATHS, 0, frame.at, view, frame.colors.paths, Math.max(1, view.width / 500));
  },
};
