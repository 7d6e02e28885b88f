// The learned guided velocity towards the picked class, v_∅ + w·(v_c − v_∅) (classifier-free
// guidance, src/guidance.rs), on the field's lattice, in the learned field's blue. It needs a
// conditional model and one class: with `class=all` it says so in the corner instead.
import { drawLatticeArrows } from '../render.js';

/** A quiet line in the panel's bottom-right corner. */
export function cornerNote(ctx, view, frame, text) {
  ctx.save();
  ctx.font = `${Math.round(Math.max(10, view.width * 0.035))}px system-ui, sans-serif`;
  ctx.fillStyle = frame.colors.muted;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'bottom';
  ctx.fillText(text, Math.round(view.width * 0.97), Math.round(view.height * 0.97));
  ctx.restore();
}

/** The note a guided layer shows when it has nothing to draw, or null. */
export function guidedNote(state) {
  if (!state.conditional) return 'guided field: train a conditional model';
  if (state.class === 'all') return 'guided field: pick a class';
  return null;
}

export default {
  name: 'guided',
  label: 'guided field',
  z: 22,
  needs: ['guided'],
  cost: (frame) => (frame.guided ? frame.guided.grid ** 2 : 0),
  draw(ctx, view, t, frame) {
    const note = guidedNote(frame.state);
    if (note) { cornerNote(ctx, view, frame, note); return; }
    const f = frame.guided;
    if (!f) return;
    drawLatticeArrows(ctx, f, view, frame.colors.learned);
  },
};
