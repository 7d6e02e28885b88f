// The worker's chunk sizing against simulated devices: a chunk of k steps takes L + k·c ms,
// plus noise where stated.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chunker } from '../../www/pacing.js';

/** A seeded uniform noise in [-1, 1]. */
function noise(seed) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (2 * s) / 2147483648 - 1;
  };
}

/** Runs `rounds` chunks; returns the sizes and the fraction of time spent on steps. */
function run({ latency, cost, jitter = 0, rounds = 60, chunker = new Chunker(), start = 1, seed = 1 }) {
  const rand = noise(seed);
  const sizes = [];
  let stepping = 0;
  let total = 0;
  let k = start;
  for (let i = 0; i < rounds; i += 1) {
    const elapsed = Math.max(1, latency + k * cost + jitter * rand());
    stepping += k * cost;
    total += elapsed;
    sizes.push(k);
    k = chunker.next(k, elapsed);
  }
  return { sizes, chunker, k, busy: stepping / total };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test('a fast device without read latency settles on ~100 ms chunks', () => {
  const { sizes } = run({ latency: 0, cost: 1 });
  const k = median(sizes.slice(-20));
  assert.ok(Math.abs(k - 100) <= 3, `chunk ${k}`);
});

test('a slow read is amortised: chunks of ~2L, half the time on steps', () => {
  // 300 ms per read (SwiftShader-like), 5 ms per step: the target is 2·305 ms → ~62 steps.
  const { sizes, busy } = run({ latency: 300, cost: 5 });
  const k = median(sizes.slice(-20));
  assert.ok(k >= 55 && k <= 70, `chunk ${k}`);
  assert.ok(busy > 0.4, `only ${(100 * busy).toFixed(0)}% of the time on steps`);
  // The rule it replaces (k·100 ms / elapsed) stays at one step per 300 ms read: 2% busy.
});

test('noisy reads do not collapse the chunks to single steps', () => {
  // Reads of 250 ± 120 ms, as measured on SwiftShader, over several seeds.
  for (const seed of [1, 2, 3, 4, 5]) {
    const { sizes, busy } = run({ latency: 250, cost: 5, jitter: 120, rounds: 120, seed });
    const k = median(sizes.slice(-60));
    assert.ok(k >= 25, `seed ${seed}: median chunk ${k}`);
    assert.ok(busy > 0.3, `seed ${seed}: ${(100 * busy).toFixed(0)}% of the time on steps`);
  }
});

test('chunks stay within one step and 500 steps, and a second of steps past the read', () => {
  assert.equal(median(run({ latency: 0, cost: 0.01 }).sizes.slice(-10)), 500);
  // One-second steps: a one-step read cannot tell the step from the latency, so two at most.
  assert.ok(run({ latency: 0, cost: 1000, rounds: 10 }).k <= 2);
  // A 2 s read: about a second of steps (~100) after it, not 2 s.
  const { sizes } = run({ latency: 2000, cost: 10 });
  const k = median(sizes.slice(-20));
  assert.ok(k >= 90 && k <= 110, `chunk ${k}`);
});

test('a device that slows down gets shorter chunks', () => {
  const { chunker, k } = run({ latency: 0, cost: 1 });
  const slower = median(run({ latency: 0, cost: 4, rounds: 30, chunker, start: k }).sizes.slice(-10));
  assert.ok(Math.abs(slower - 25) <= 2, `chunk ${slower}`);
});

test('a lower floor gives proportionally shorter chunks where reads cost nothing', () => {
  const { sizes } = run({ latency: 0, cost: 1, chunker: new Chunker({ floor: 40 }) });
  const k = median(sizes.slice(-20));
  assert.ok(Math.abs(k - 40) <= 2, `chunk ${k}`);
});
