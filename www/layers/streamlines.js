// Streamlines of the learned field frozen at time t: where a particle would drift if the
// field stopped changing. Lines start on a lattice of seeds and stop near another line (an
// occupancy grid), so they spread evenly; an arrowhead halfway along gives the direction.
import { arrowPath, lengthQuantile } from '../render.js';

/** Bilinear interpolation of the lattice field `v` ([g², 2]) at world (x, y); null outside. */
export function sampleField(v, grid, bounds, x, y) {
  const [x0, x1, y0, y1] = bounds;
  const u = ((x - x0) / (x1 - x0)) * grid - 0.5;
  const w = ((y - y0) / (y1 - y0)) * grid - 0.5;
  if (u < -0.5 || w < -0.5 || u > grid - 0.5 || w > grid - 0.5) return null;
  const i = Math.max(0, Math.min(grid - 2, Math.floor(u)));
  const j = Math.max(0, Math.min(grid - 2, Math.floor(w)));
  const fu = Math.max(0, Math.min(1, u - i));
  const fw = Math.max(0, Math.min(1, w - j));
  const at = (a, b, c) => v[2 * (b * grid + a) + c];
  const mix = (c) => (1 - fw) * ((1 - fu) * at(i, j, c) + fu * at(i + 1, j, c)) + fw * ((1 - fu) * at(i, j + 1, c) + fu * at(i + 1, j + 1, c));
  return [mix(0), mix(1)];
}

/**
 * Evenly spaced streamlines of the lattice field `v` over `bounds`: an array of polylines
 * (flat [x, y, …] in world units, in the direction of the flow).
 */
export function streamlines(v, grid, bounds) {
  const [x0, x1, y0, y1] = bounds;
  const cell = (x1 - x0) / grid;
  const h = 0.4 * cell;
  const slow = 0.02 * lengthQuantile(v, 0.9);
  // Occupancy at twice the lattice's resolution: a line may not enter another line's cells.
  const m = 2 * grid;
  const owner = new Int32Array(m * m).fill(-1);
  const cellOf = (x, y) => {
    const i = Math.floor(((x - x0) / (x1 - x0)) * m);
    const j = Math.floor(((y - y0) / (y1 - y0)) * m);
    return i < 0 || j < 0 || i >= m || j >= m ? -1 : j * m + i;
  };
  const direction = (x, y, sign) => {
    const a = sampleField(v, grid, bounds, x, y);
    if (!a) return null;
    const s = Math.hypot(a[0], a[1]);
    return s < slow ? null : [(sign * a[0]) / s, (sign * a[1]) / s];
  };
  const lines = [];
  const seeds = Math.max(4, Math.round(grid * 0.55));
  for (let sj = 0; sj < seeds; sj += 1) {
    for (let si = 0; si < seeds; si += 1) {
      const sx = x0 + ((si + 0.5) / seeds) * (x1 - x0);
      const sy = y0 + ((sj + 0.5) / seeds) * (y1 - y0);
      const c = cellOf(sx, sy);
      if (c < 0 || owner[c] >= 0) continue;
      const id = lines.length;
      const halves = [];
      for (const sign of [-1, 1]) {
        const pts = [];
        let x = sx;
        let y = sy;
        for (let k = 0; k < 80; k += 1) {
          // Midpoint rule on the unit direction field.
          const d1 = direction(x, y, sign);
          if (!d1) break;
          const d2 = direction(x + 0.5 * h * d1[0], y + 0.5 * h * d1[1], sign);
          if (!d2) break;
          x += h * d2[0];
          y += h * d2[1];
          const cc = cellOf(x, y);
          if (cc < 0 || (owner[cc] >= 0 && owner[cc] !== id)) break;
          owner[cc] = id;
          pts.push(x, y);
        }
        halves.push(pts);
      }
      owner[c] = id;
      const back = halves[0];
      const line = [];
      for (let k = back.length - 2; k >= 0; k -= 2) line.push(back[k], back[k + 1]);
      line.push(sx, sy, ...halves[1]);
      if (line.length >= 10) lines.push(line);
    }
  }
  return lines;
}

export default {
  name: 'streamlines',
  label: 'streamlines',
  z: 25,
  needs: ['field'],
  create: () => ({ field: null, lines: [] }),
  cost: (frame) => (frame.own.lines || []).reduce((a, l) => a + l.length / 2, 0),
  draw(ctx, view, t, frame) {
    const f = frame.field;
    if (!f) return;
    const own = frame.own;
    if (own.field !== f.v) {
      own.field = f.v;
      own.lines = streamlines(f.v, f.grid, f.bounds);
    }
    ctx.strokeStyle = frame.colors.streamlines;
    ctx.lineWidth = Math.max(1, view.width / 500);
    ctx.lineJoin = 'round';
    ctx.beginPath();
    const head = Math.max(3, view.width / 110);
    for (const line of own.lines) {
      ctx.moveTo(view.px(line[0]), view.py(line[1]));
      for (let k = 2; k < line.length; k += 2) ctx.lineTo(view.px(line[k]), view.py(line[k + 1]));
      const mid = 2 * Math.floor(line.length / 4);
      arrowPath(ctx, view.px(line[mid - 2]), view.py(line[mid - 1]), view.px(line[mid]), view.py(line[mid + 1]), head);
    }
    ctx.stroke();
  },
};
