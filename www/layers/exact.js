// The exact marginal velocity of the empirical data (the average of the conditional
// velocities, src/exact.rs) on the same lattice as the learned field, to compare with it.
import { drawLatticeArrows } from '../render.js';

export default {
  name: 'exact',
  label: 'exact field',
  z: 21,
  needs: ['exact'],
  cost: (frame) => (frame.exact ? frame.exact.grid ** 2 : 0),
  draw(ctx, view, t, frame) {
    const f = frame.exact;
    if (f) drawLatticeArrows(ctx, f, view, frame.colors.exact);
  },
};
