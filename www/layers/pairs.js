// Conditional paths: a handful of the coupled (noise x₀, data x₁) pairs the network trains on,
// each with its straight line and, on the linear path, the point x_t = (1 − t)·x₀ + t·x₁ riding
// along it. Each pair wears the colour its noise end has on the source's wheel.
import { cssColor, pack, wheelColor, wheelFrame } from './colorwheel.js';

/** How many pairs are drawn: few enough to follow each line by eye. */
export const PAIRS_SHOWN = 14;

export default {
  name: 'pairs',
  label: 'conditional paths',
  z: 30,
  needs: ['pairs'],
  wheel: true,
  create: () => ({ pairs: null, wheel: null, colors: [] }),
  cost: (frame) => (frame.pairs ? Math.min(PAIRS_SHOWN, frame.pairs.length / 4) * 4 : 0),
  draw(ctx, view, t, frame) {
    const { pairs, own } = frame;
    if (!pairs) return;
    const k = Math.min(PAIRS_SHOWN, pairs.length / 4);
    const wheel = frame.wheel || wheelFrame(pairs.filter((_, i) => i % 4 < 2));
    if (own.pairs !== pairs || own.wheel !== wheel) {
      own.pairs = pairs;
      own.wheel = wheel;
      own.colors = [];
      for (let i = 0; i < k; i += 1) {
        const [r, g, b] = wheelColor(pairs[4 * i] - wheel.cx, pairs[4 * i + 1] - wheel.cy, wheel.rim, frame.state.theme);
        own.colors.push(pack(r, g, b));
      }
    }
    const r = Math.max(2.5, view.width / 160);
    const linear = frame.state.path === 'linear';
    ctx.lineWidth = Math.max(1, view.width / 380);
    for (let i = 0; i < k; i += 1) {
      const [ax, ay, bx, by] = [pairs[4 * i], pairs[4 * i + 1], pairs[4 * i + 2], pairs[4 * i + 3]].map((v, j) => (j % 2 ? view.py(v) : view.px(v)));
      const colour = own.colors[i];
      ctx.strokeStyle = cssColor(colour, 0.6);
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
      ctx.stroke();
      // Noise end hollow, data end filled.
      ctx.strokeStyle = cssColor(colour, 0.9);
      ctx.beginPath();
      ctx.arc(ax, ay, r, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.fillStyle = cssColor(colour, 0.9);
      ctx.beginPath();
      ctx.arc(bx, by, r, 0, 2 * Math.PI);
      ctx.fill();
      if (linear) {
        ctx.beginPath();
        ctx.arc(ax + t * (bx - ax), ay + t * (by - ay), 1.6 * r, 0, 2 * Math.PI);
        ctx.fillStyle = cssColor(colour, 1);
        ctx.fill();
        ctx.strokeStyle = frame.colors.background;
        ctx.stroke();
      }
    }
  },
};
