// The data (the t = 1 distribution) as faint points: the target the particles should reach.
import { drawPoints } from '../render.js';

export default {
  name: 'data',
  label: 'data',
  z: 10,
  needs: ['data'],
  cost: (frame) => (frame.data ? frame.data.length / 2 : 0),
  draw(ctx, view, t, frame) {
    if (frame.data) drawPoints(ctx, frame.data, view, frame.colors.data, Math.max(1.5, frame.dot - 0.5));
  },
};
