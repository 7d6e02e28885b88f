// The density heatmap's pure pieces: keyframe order, interpolation in t, the refresh schedule,
// the colour scale, and the loss-by-t running means and NLL text — checked on inputs with known
// answers (log-densities of Gaussians, linear ramps).
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  KEYFRAMES, EXACT_T_MAX, BUDGET, MIN_GAP, densityNfe, fetchOrder, bracket, interpolate, finiteMax, DensitySeries,
} from '../../www/density.js';
import { SPAN, RAMPS, scaleFor, rampColor, rampTable, paint } from '../../www/layers/heatmap.js';
import { LossByTime, DECAY } from '../../www/loss-by-time.js';
import { nllText, nextAllowed, NLL_GAP } from '../../www/nll.js';
import { densityGrid, DENSITY_GRID } from '../../www/scene.js';

const close = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

/** log N(x; 0, s²I) in 2-D on a g×g lattice over [-L, L]² (rows from ymin). */
function gaussianLattice(g, L, s) {
  const out = new Float32Array(g * g);
  for (let j = 0; j < g; j += 1) {
    for (let i = 0; i < g; i += 1) {
      const x = -L + ((i + 0.5) / g) * 2 * L;
      const y = -L + ((j + 0.5) / g) * 2 * L;
      out[j * g + i] = -(x * x + y * y) / (2 * s * s) - Math.log(2 * Math.PI * s * s);
    }
  }
  return out;
}

test('keyframes span [0, 1] in tenths; the learned density uses one RK4 step per 0.2 of time', () => {
  assert.equal(KEYFRAMES.length, 11);
  assert.equal(KEYFRAMES[0], 0);
  assert.equal(KEYFRAMES[10], 1);
  assert.deepEqual([0, 0.1, 0.2, 0.3, 0.5, 0.8, 1].map(densityNfe), [4, 4, 4, 8, 12, 16, 20]);
  // The whole series costs 6× one t = 1 keyframe rather than 11×.
  assert.equal(KEYFRAMES.reduce((a, t) => a + densityNfe(t), 0), 6 * densityNfe(1) - 4 * 0 + 4);
});

test('keyframes are fetched nearest-first, then by bisection, each once', () => {
  const order = fetchOrder(KEYFRAMES, 0.33);
  assert.equal(order[0], 0.3);
  assert.deepEqual(order.slice(1, 4), [0, 1, 0.5]);
  assert.deepEqual([...order].sort((a, b) => a - b), KEYFRAMES);
  assert.deepEqual(fetchOrder([0, 0.25, 0.5, 0.75, 1], 1).slice(0, 3), [1, 0, 0.5]);
  assert.deepEqual(fetchOrder([], 0.5), []);
});

test('interpolation in t is linear between the bracketing keyframes and clamps outside them', () => {
  const frames = [0, 0.5, 1].map((t) => ({ t, logp: Float32Array.from([t, 2 * t, -10 * t]) }));
  assert.deepEqual(Array.from(interpolate(frames, 0.25)), [0.25, 0.5, -2.5]);
  assert.deepEqual(Array.from(interpolate(frames, 0.5)), [0.5, 1, -5]);
  const out = new Float32Array(3);
  assert.equal(interpolate(frames, 0.9, out), out);
  assert.deepEqual(Array.from(out).map((v) => +v.toFixed(5)), [0.9, 1.8, -9]);
  // Outside the arrived keyframes: the end frame.
  assert.deepEqual(Array.from(interpolate(frames.slice(0, 2), 0.8)), [0.5, 1, -5]);
  assert.equal(bracket([], 0.3), null);
  assert.equal(interpolate([], 0.3), null);
  const b = bracket(frames, 0.75);
  assert.deepEqual([b.lo.t, b.hi.t, b.w], [0.5, 1, 0.5]);
});

test('interpolating two Gaussians\' log-densities gives the log-density of the interpolated precision', () => {
  // log N(x; 0, s²) is linear in 1/s² at each x (plus the normaliser, linear in log s²): the
  // interpolation of two such lattices is exact for the precision's interpolation there.
  const g = 16;
  const a = gaussianLattice(g, 4, 1);
  const b = gaussianLattice(g, 4, 0.5);
  const mid = interpolate([{ t: 0, logp: a }, { t: 1, logp: b }], 0.5);
  const precision = 0.5 * (1 + 4);
  const logNorm = 0.5 * (Math.log(2 * Math.PI * 1) + Math.log(2 * Math.PI * 0.25));
  for (let j = 0; j < g; j += 1) {
    for (let i = 0; i < g; i += 1) {
      const x = -4 + ((i + 0.5) / g) * 8;
      const y = -4 + ((j + 0.5) / g) * 8;
      close(mid[j * g + i], -(x * x + y * y) * precision / 2 - logNorm, 1e-4, `(${i}, ${j})`);
    }
  }
});

test('a series fetches missing keyframes at once and stale ones on the training budget', () => {
  const s = new DensitySeries('learned');
  s.configure('a', [0, 0.5, 1], 8, [-1, 1, -1, 1]);
  const logp = new Float32Array(64);
  // Nothing yet: the one nearest t first.
  assert.equal(s.next(1, 0.6, false, 0), 0.5);
  s.store(0.5, logp, 1, 100);
  assert.equal(s.next(1, 0.6, false, 0), 0);
  s.store(0, logp, 1, 100);
  s.store(1, logp, 1, 200);
  assert.equal(s.lastCost, 400);
  assert.equal(s.next(1, 0.6, false, 0), null);
  // The weights moved while training: a refresh waits max(MIN_GAP, cost·(1 − b)/b) after the last start.
  const wait = Math.max(MIN_GAP, (400 * (1 - BUDGET)) / BUDGET);
  assert.equal(s.next(2, 0.6, true, wait - 1), null);
  assert.equal(s.next(2, 0.6, true, wait + 1), 0.5);
  s.store(0.5, logp, 2, 50);
  // Mid-refresh the weights move again: the refresh finishes for the generation it started with.
  assert.equal(s.next(3, 0.6, true, wait + 2), 0);
  s.store(0, logp, 3, 50);
  assert.equal(s.next(3, 0.6, true, wait + 3), 1);
  s.store(1, logp, 3, 50);
  assert.equal(s.lastCost, 150);
  // Not training: stale keyframes are refetched at once.
  assert.equal(s.next(4, 0.6, false, wait + 4), 0.5);
  // A new key drops the keyframes; a note stops fetching.
  s.configure('b', [0, 1], 8, [-1, 1, -1, 1]);
  assert.equal(s.frames.size, 0);
  s.note = 'no density';
  assert.equal(s.next(5, 0, false, 0), null);
  assert.ok(EXACT_T_MAX < 1);
});

test('the colour scale spans SPAN nats below the rounded-up top, transparent at the bottom', () => {
  assert.deepEqual(scaleFor(1.2), { top: 2, bottom: 2 - SPAN });
  assert.deepEqual(scaleFor(-1.84), { top: -1, bottom: -1 - SPAN });
  assert.deepEqual(scaleFor(-Infinity), { top: 0, bottom: -SPAN });
  assert.equal(finiteMax([Float32Array.from([-3, NaN, Infinity, 1.5]), [0.5]]), 1.5);
  for (const ramp of Object.values(RAMPS)) {
    assert.equal(rampColor(ramp, 0)[3], 0);
    assert.equal(rampColor(ramp, -5)[3], 0);
    assert.equal(rampColor(ramp, NaN)[3], 0);
    assert.ok(rampColor(ramp, 1)[3] > 240);
    // Opacity rises monotonically along the ramp: denser is never fainter.
    const table = rampTable(ramp);
    for (let i = 1; i < 256; i += 1) assert.ok(table[4 * i + 3] >= table[4 * (i - 1) + 3], `alpha at ${i}`);
  }
  // A midpoint between stops mixes them.
  const light = RAMPS.light;
  const [p, r] = [light[1][0], light[1][1]];
  const [q, r2] = [light[2][0], light[2][1]];
  close(rampColor(light, (p + q) / 2)[0], (r + r2) / 2, 1, 'red halfway');
});

test('painting puts the lattice\'s lowest row at the image\'s bottom, coloured by the scale', () => {
  const g = 4;
  const logp = new Float32Array(g * g).fill(-100);
  logp[0] = 2; // (i = 0, j = 0): lowest y, left — the image's bottom-left pixel
  const table = rampTable(RAMPS.light);
  const rgba = paint(logp, g, scaleFor(2), table, new Uint8ClampedArray(g * g * 4));
  const pixel = (row, col) => Array.from(rgba.subarray(4 * (row * g + col), 4 * (row * g + col) + 4));
  assert.deepEqual(pixel(g - 1, 0), Array.from(table.subarray(255 * 4, 256 * 4)));
  assert.equal(pixel(0, 0)[3], 0);
  assert.equal(pixel(g - 1, 1)[3], 0);
});

test('density lattices are 48 a side in a full view, fewer in small panels', () => {
  assert.equal(densityGrid(1000), DENSITY_GRID);
  assert.equal(densityGrid(100), 25);
  assert.equal(densityGrid(20), 16);
});

test('loss by t keeps decayed running means per bin and counts every sample once', () => {
  const m = new LossByTime(4);
  assert.equal(m.add({ sums: [0, 0, 0, 0], counts: [0, 0, 0, 0], pi: [1, 1, 1, 1] }), false);
  assert.deepEqual(m.pi, [1, 1, 1, 1]);
  assert.ok(m.means().every(Number.isNaN));
  m.add({ sums: Float32Array.from([4, 6, 0, 10]), counts: Uint32Array.from([2, 3, 0, 5]), pi: [1, 1, 1, 1] });
  assert.deepEqual(m.means().map((v) => (Number.isNaN(v) ? null : v)), [2, 2, null, 2]);
  m.add({ sums: Float32Array.from([8, 3, 1, 5]), counts: Uint32Array.from([2, 3, 1, 5]), pi: [1, 1, 1, 1] });
  // Bin 0: (0.8·4 + 8)/(0.8·2 + 2).
  close(m.means()[0], (DECAY * 4 + 8) / (DECAY * 2 + 2), 1e-12, 'bin 0');
  assert.equal(m.means()[2], 1);
  assert.equal(m.total, 21);
  m.reset();
  assert.equal(m.total, 0);
});

test('the NLL line names the floor only where the entropy is known, and waits on its budget', () => {
  assert.match(nllText({ nll: 3.612, entropy: Math.log(32) }, 'checkerboard', 5000), /NLL 3\.61 nats.*checkerboard: 3\.47 nats is the floor/);
  assert.doesNotMatch(nllText({ nll: 2.5, entropy: null }, 'moons', 10), /floor/);
  assert.equal(nextAllowed(1000, 100), 1000 + NLL_GAP);
  // A 2 s estimate at a 5% budget waits 2 s · 0.95 / 0.05 = 38 s.
  assert.equal(nextAllowed(1000, 2000), 1000 + 38000);
});
