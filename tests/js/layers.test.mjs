// Pure pieces of the layers and the scene: the snapshot layout and pointer mapping, the
// average's angle, bilinear field lookup and streamlines, checked on fields with known answers.
import test from 'node:test';
import assert from 'node:assert/strict';
import { layoutFor, fieldGrid, inputTime, fixedLayout, stepsLabel, SNAPSHOT_TIMES, STEP_NFES, BOUNDS } from '../../www/scene.js';
import { worldAt } from '../../www/input.js';
import { angleBetween, summarize } from '../../www/layers/average.js';
import { sampleField, streamlines } from '../../www/layers/streamlines.js';

/** The lattice field f(x, y) on a g×g grid over BOUNDS (cell centres, rows from ymin). */
function lattice(g, f) {
  const v = new Float32Array(2 * g * g);
  const [x0, x1, y0, y1] = BOUNDS;
  for (let j = 0; j < g; j += 1) {
    for (let i = 0; i < g; i += 1) {
      const [a, b] = f(x0 + ((i + 0.5) / g) * (x1 - x0), y0 + ((j + 0.5) / g) * (y1 - y0));
      v[2 * (j * g + i)] = a;
      v[2 * (j * g + i) + 1] = b;
    }
  }
  return v;
}

test('snapshots lay five square panels side by side with a label row', () => {
  const single = layoutFor('single', 500);
  assert.deepEqual([single.width, single.height, single.panels.length], [500, 500, 1]);
  const s = layoutFor('snapshots', 1000);
  assert.equal(s.panels.length, SNAPSHOT_TIMES.length);
  assert.deepEqual(s.panels.map((p) => p.t), [0, 0.25, 0.5, 0.75, 1]);
  const last = s.panels[4];
  assert.ok(last.x + last.size <= 1000 && last.x + last.size > 990, `last panel ends at ${last.x + last.size}`);
  assert.ok(s.height > last.size && s.height < 1.3 * last.size);
  for (let i = 1; i < 5; i += 1) assert.ok(s.panels[i].x >= s.panels[i - 1].x + s.panels[i - 1].size);
});

test('steps lay one panel per Euler step count, each at t = 1 with its own samples', () => {
  const s = layoutFor('steps', 800);
  assert.deepEqual(s.panels.map((p) => p.nfe), STEP_NFES);
  assert.deepEqual(STEP_NFES, [1, 2, 4, 8]);
  assert.ok(s.panels.every((p) => p.t === 1));
  assert.deepEqual(s.panels.map((p) => p.label), ['1 Euler step', '2 Euler steps', '4 Euler steps', '8 Euler steps']);
  assert.equal(stepsLabel(1), '1 Euler step');
  const last = s.panels[3];
  assert.ok(last.x + last.size <= 800 && last.x + last.size > 790, `last panel ends at ${last.x + last.size}`);
  assert.ok(fixedLayout('steps') && fixedLayout('snapshots') && !fixedLayout('single'));
});

test('a pointer maps to world coordinates in the panel under it', () => {
  const rect = { left: 10, top: 20, width: 250, height: 250 };
  const layout = layoutFor('single', 500); // device pixels: twice the CSS size
  assert.deepEqual(worldAt(layout, rect, 10 + 125, 20 + 125), [0, 0]);
  assert.deepEqual(worldAt(layout, rect, 10, 20), [BOUNDS[0], BOUNDS[3]]);
  const snaps = layoutFor('snapshots', 1000);
  const p = snaps.panels[3];
  const r = { left: 0, top: 0, width: 1000, height: snaps.height };
  const [x, y] = worldAt(snaps, r, p.x + p.size / 2, p.size / 2);
  assert.ok(Math.abs(x) < 0.05 && Math.abs(y) < 0.05, `${x}, ${y}`);
  // Below the panels (the labels) or in a gap: no point.
  assert.equal(worldAt(snaps, r, p.x + 5, p.size + 2), null);
  assert.equal(worldAt(snaps, r, p.x - 1, 10), null);
});

test('inputs are fetched on a 0.01 grid of t, below the singular t = 1; lattices fit the panel', () => {
  assert.equal(inputTime(0.123), 0.12);
  assert.equal(inputTime(1), 0.99);
  assert.equal(fieldGrid(510), 17);
  assert.equal(fieldGrid(150), 9);
  assert.equal(fieldGrid(2000), 19);
});

test('the angle between the exact and the learned vector', () => {
  assert.equal(angleBetween([1, 0], [0, 2]), 90);
  assert.ok(Math.abs(angleBetween([1, 1], [1, 0]) - 45) < 1e-9);
  assert.equal(angleBetween([1, 0], [-3, 0]), 180);
  assert.ok(Number.isNaN(angleBetween([0, 0], [1, 0])));
  const reply = { supported: true, note: null, w: new Float32Array([0.6, 0.3]), x1: new Float32Array([2, 3, 4, 5]), exact: new Float32Array([1, 0]), learned: new Float32Array([1, 1]), mass: 0.9 };
  const s = summarize(reply, [0.5, 0.5], 0.5);
  assert.deepEqual([s.k, s.mass, Math.round(s.angle), ...s.heaviest], [2, 0.9, 45, 2, 3]);
  assert.match(summarize({ supported: false, note: 'not for OT' }, [0, 0], 0.5).note, /not for OT/);
});

test('bilinear lookup is exact on an affine field', () => {
  const g = 13;
  const v = lattice(g, (x, y) => [2 * x - y + 1, 0.5 * y]);
  for (const [x, y] of [[0.3, -1.7], [2.2, 2.9], [-4, 4.1]]) {
    const [a, b] = sampleField(v, g, BOUNDS, x, y);
    assert.ok(Math.abs(a - (2 * x - y + 1)) < 1e-4 && Math.abs(b - 0.5 * y) < 1e-4, `${x}, ${y}: ${a}, ${b}`);
  }
  assert.equal(sampleField(v, g, BOUNDS, 7, 0), null);
});

test('streamlines of a rotation are circles about the origin, and of a uniform flow straight', () => {
  const g = 21;
  const rotation = streamlines(lattice(g, (x, y) => [-y, x]), g, BOUNDS);
  assert.ok(rotation.length >= 5, `${rotation.length} lines`);
  for (const line of rotation) {
    const r = [];
    for (let k = 0; k < line.length; k += 2) r.push(Math.hypot(line[k], line[k + 1]));
    const spread = Math.max(...r) - Math.min(...r);
    // Midpoint steps on a bilinear field: the radius drifts by a few percent at most.
    assert.ok(spread < 0.06 * Math.max(...r) + 0.1, `radius ${Math.min(...r)}…${Math.max(...r)}`);
  }
  const uniform = streamlines(lattice(g, () => [1, 0.5]), g, BOUNDS);
  for (const line of uniform) {
    for (let k = 2; k < line.length; k += 2) {
      const dx = line[k] - line[k - 2];
      const dy = line[k + 1] - line[k - 1];
      assert.ok(Math.abs(dy / dx - 0.5) < 1e-3 && dx > 0, `step ${dx}, ${dy}`);
    }
  }
});

test('lines blend over what is there: two strokes at opacity ½ make ¾', async () => {
  const { LineLayer } = await import('../../www/render.js');
  const layer = new LineLayer(8, 4);
  const red = 0x0000ff; // packed 0xAABBGGRR: r = 255
  layer.line(1, 1, 5, 1, red, 0.5);
  const alpha = (x, y) => layer.pixels[y * 8 + x] >>> 24;
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((x) => alpha(x, 1)), [0, 128, 128, 128, 128, 128, 0]);
  layer.line(3, 0, 3, 3, 0xff0000, 0.5); // blue, crossing at (3, 1)
  const crossing = layer.pixels[1 * 8 + 3];
  assert.equal(crossing >>> 24, 192);
  // Over: blue at ½ over red at ½ → colour (⅓ red, ⅔ blue) at ¾ opacity.
  assert.deepEqual([crossing & 255, (crossing >>> 16) & 255], [85, 170]);
  // A thick horizontal line also covers the row below.
  const thick = new LineLayer(8, 4);
  thick.line(0, 1, 7, 1, red, 1, true);
  assert.equal([...thick.pixels].filter((p) => p >>> 24 === 255).length, 16);
  // Lines far outside are skipped, not walked.
  thick.line(-1e9, 0, 1e9, 0, red, 1);
});
