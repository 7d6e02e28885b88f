// Display samples in slices (www/slices.js): which samples may be cut, how the slice size
// follows the measured time, and that slices put back together are the whole sample.
import test from 'node:test';
import assert from 'node:assert/strict';
import { MIN_SLICE, SLICE_MS, mergeSlices, nextSlice, sliceable } from '../../www/slices.js';

test('only fixed-step samples on the CPU are cut into slices', () => {
  assert.equal(sliceable({ sampler: 'ode', solver: 'rk4' }, 'cpu'), true);
  assert.equal(sliceable({ sampler: 'ode', solver: 'euler' }, 'cpu'), true);
  assert.equal(sliceable({ sampler: 'sde', solver: 'dopri5' }, 'cpu'), true);
  assert.equal(sliceable({ sampler: 'ode', solver: 'dopri5:1e-4' }, 'cpu'), false);
  assert.equal(sliceable({ sampler: 'ode', solver: 'rk4' }, 'webgpu'), false);
});

test('the slice size converges on SLICE_MS of work at any speed', () => {
  for (const perParticle of [0.01, 0.15, 0.6, 3]) {
    let size = MIN_SLICE;
    for (let i = 0; i < 8; i += 1) size = nextSlice(size, size * perParticle);
    const ms = size * perParticle;
    assert.ok(ms <= 1.1 * SLICE_MS || size === MIN_SLICE, `${perParticle} ms/particle: ${size} particles, ${ms} ms`);
    assert.ok(ms >= 0.9 * SLICE_MS || size === MIN_SLICE, `${perParticle} ms/particle: ${size} particles, ${ms} ms`);
  }
  // A machine that slows down fourfold shrinks the next slice fourfold; one quick slice grows
  // the next by at most 4×; never below MIN_SLICE.
  assert.equal(nextSlice(400, 100), 100);
  assert.equal(nextSlice(100, 1), 400);
  assert.equal(nextSlice(40, 1000), MIN_SLICE);
});

/** A fake sample of `n` particles over `steps` recorded steps: value = 1000·step + 2·row + axis. */
function fake(from, n, steps, withClasses) {
  const trajectory = new Float32Array(steps * 2 * n);
  for (let s = 0; s < steps; s += 1) {
    for (let r = 0; r < n; r += 1) {
      trajectory[s * 2 * n + 2 * r] = 1000 * s + 2 * (from + r);
      trajectory[s * 2 * n + 2 * r + 1] = 1000 * s + 2 * (from + r) + 1;
    }
  }
  const x = trajectory.slice((steps - 1) * 2 * n);
  const out = { x, trajectory, times: Float64Array.from({ length: steps }, (_, s) => s / (steps - 1)), nfe: 4 * (steps - 1), completed: true };
  if (withClasses) out.classes = Uint32Array.from({ length: n }, (_, r) => (from + r) % 3);
  return out;
}

test('slices merge into the whole sample, step by step', () => {
  const steps = 5;
  const whole = fake(0, 23, steps, true);
  const parts = [fake(0, 10, steps, true), fake(10, 1, steps, true), fake(11, 12, steps, true)];
  const merged = mergeSlices(parts);
  assert.deepEqual(merged.x, whole.x);
  assert.deepEqual(merged.trajectory, whole.trajectory);
  assert.deepEqual(merged.classes, whole.classes);
  assert.deepEqual(merged.times, whole.times);
  assert.equal(merged.nfe, whole.nfe);
  assert.equal(merged.completed, true);
  // Without trails (and classes) only x is joined; one unfinished slice makes the whole unfinished.
  const bare = [fake(0, 3, steps, false), fake(3, 4, steps, false)].map((p) => ({ ...p, trajectory: null }));
  bare[1].completed = false;
  const joined = mergeSlices(bare);
  assert.deepEqual(joined.x, fake(0, 7, steps, false).x);
  assert.equal(joined.trajectory, null);
  assert.equal(joined.classes, undefined);
  assert.equal(joined.completed, false);
  // Slices that took different numbers of steps cannot be one sample.
  assert.throws(() => mergeSlices([fake(0, 3, steps, false), fake(3, 3, steps + 1, false)]), /steps/);
});
