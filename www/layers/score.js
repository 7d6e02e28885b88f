// The score ∇log p_t on the field's lattice: where the density rises fastest, the drift the
// SDE sampler adds to the velocity. `score` is the network's (from its velocity; needs a
// Gaussian source), `exact-score` the empirical data's in closed form. Light arrows like the
// field's; where the source does not allow it, the worker's reason instead.
import { drawLatticeArrows } from '../render.js';
import { drawPanelNote } from './heatmap.js';

const COLORS = {
  score: { light: 'rgba(150, 50, 150, 0.38)', dark: 'rgba(230, 140, 230, 0.45)' },
  'exact-score': { light: 'rgba(200, 100, 20, 0.42)', dark: 'rgba(255, 180, 90, 0.45)' },
};

export function scoreLayer(name, label, z) {
  return {
    name,
    label,
    z,
    needs: [name],
    cost: (frame) => (frame[name] && frame[name].v ? frame[name].grid ** 2 : 0),
    draw(ctx, view, t, frame) {
      const f = frame[name];
      if (!f) return;
      if (f.note) {
        drawPanelNote(ctx, view, frame, f.note);
        return;
      }
      const color = COLORS[name][frame.state.theme] || COLORS[name].light;
      drawLatticeArrows(ctx, f, view, color);
    },
  };
}

export default scoreLayer('score', 'learned score', 22);
