// The exact guided velocity towards the picked class: the class-restricted closed-form fields
// of the data combined as v_∅ + w·(v_c − v_∅) (src/guidance.rs ExactGuidedField), the oracle
// for the `guided` layer, in the exact field's green.
import { drawLatticeArrows } from '../render.js';
import { cornerNote, guidedNote } from './guided.js';

export default {
  name: 'exact-guided',
  label: 'exact guided field',
  z: 23,
  needs: ['exact-guided'],
  cost: (frame) => (frame.exactGuided ? frame.exactGuided.grid ** 2 : 0),
  draw(ctx, view, t, frame) {
    const note = guidedNote(frame.state);
    if (note) {
      // One note is enough when both guided layers are drawn.
      if (!frame.state.layers.includes('guided')) cornerNote(ctx, view, frame, note);
      return;
    }
    const f = frame.exactGuided;
    if (f) drawLatticeArrows(ctx, f, view, frame.colors.exact);
  },
};
