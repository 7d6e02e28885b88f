// Strokes many particles' paths with few draw calls: one path per colour bucket (the coarse
// wheel colour of colorwheel.js) and per opacity.
import { tracePath } from '../render.js';
import { cssColor } from './colorwheel.js';

/**
 * Strokes the paths of particles 0..count−1 of `samples` between the fractional
 * state indices `from` and `to`, at opacity `alpha`, `width` pixels wide.
 */
export function strokeByColor(ctx, samples, count, from, to, view, alpha, width) {
  const { trajectory, n, states, colors } = samples;
  const { bucket, bucketColors } = colors;
  const k = Math.min(count, n);
  ctx.lineWidth = width;
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  for (let b = 0; b < bucketColors.length; b += 1) {
    let any = false;
    ctx.beginPath();
    for (let p = 0; p < k; p += 1) {
      if (bucket[p] !== b) continue;
      tracePath(ctx, trajectory, n, states, p, from, to, view);
      any = true;
    }
    if (!any) continue;
    ctx.strokeStyle = cssColor(bucketColors[b], alpha);
    ctx.stroke();
  }
}
