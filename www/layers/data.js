// The data (the t = 1 distribution) as faint points: the target the particles should reach.
// For a conditional model each point wears its label's colour (classes.js); with one class
// picked, the other classes stay grey, so the picked class's data is the target.
import { drawPoints } from '../render.js';
import { cssColor } from './colorwheel.js';

/** Opacity of the labelled data (the particles over it stay the subject). */
const LABEL_ALPHA = 0.3;

function drawLabelled(ctx, frame, view, size) {
  const { data, dataLabels, palette, state } = frame;
  const picked = state.class === 'all' ? -1 : state.class;
  const h = size / 2;
  // One fill style per class: few state changes for thousands of points.
  for (let c = -1; c < palette.length; c += 1) {
    if (c >= 0 && picked >= 0 && c !== picked) continue;
    ctx.fillStyle = c < 0 ? frame.colors.data : cssColor(palette[c], LABEL_ALPHA);
    for (let i = 0; i < dataLabels.length; i += 1) {
      const label = dataLabels[i];
      const grey = picked >= 0 && label !== picked;
      if (c < 0 ? !grey : grey || label !== c) continue;
      ctx.fillRect(view.px(data[2 * i]) - h, view.py(data[2 * i + 1]) - h, size, size);
    }
  }
}

export default {
  name: 'data',
  label: 'data',
  z: 10,
  needs: ['data'],
  cost: (frame) => (frame.data ? frame.data.length / 2 : 0),
  draw(ctx, view, t, frame) {
    if (!frame.data) return;
    const size = Math.max(1.5, frame.dot - 0.5);
    if (frame.dataLabels && frame.palette && frame.dataLabels.length === frame.data.length / 2) drawLabelled(ctx, frame, view, size);
    else drawPoints(ctx, frame.data, view, frame.colors.data, size);
  },
};
