// The learned velocity v(x, t) on a lattice: light arrows under the particles.
import { drawLatticeArrows } from '../render.js';

export default {
  name: 'field',
  label: 'learned field',
  z: 20,
  needs: ['field'],
  cost: (frame) => (frame.field ? frame.field.grid ** 2 : 0),
  draw(ctx, view, t, frame) {
    const f = frame.field;
    if (f) drawLatticeArrows(ctx, f, view, frame.colors.learned);
  },
};
