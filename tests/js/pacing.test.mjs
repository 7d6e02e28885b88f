// The worker's chunk sizing against simulated devices: a chunk of k steps takes L + k·c ms.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Chunker } from '../../www/pacing.js';

function settle(latency, cost, rounds = 12, chunker = new Chunker(), start = 1) {
  let k = start;
  for (let i = 0; i < rounds; i += 1) k = chunker.next(k, latency + k * cost);
  return { k, chunker };
}

test('a fast device without read latency settles on ~100 ms chunks', () => {
  const { k } = settle(0, 1); // 1 ms a step
  assert.ok(Math.abs(k - 100) <= 2, `chunk ${k}`);
});

test('a large read latency is amortised: half the time goes to steps', () => {
  // 300 ms per read (SwiftShader-like), 5 ms per step: aim at 600 ms chunks, 60 steps.
  const { k } = settle(300, 5);
  assert.ok(Math.abs(k - 60) <= 2, `chunk ${k}`);
  // The old rule (k·100/elapsed) would have stayed at 1 step per 300 ms read.
});

test('chunks never exceed 500 steps and never fall below one', () => {
  assert.equal(settle(0, 0.01, 30).k, 500);
  assert.equal(settle(0, 1000, 10).k, 1);
});

test('a device that slows down gets shorter chunks', () => {
  const { k, chunker } = settle(0, 1);
  const slower = settle(0, 4, 6, chunker, k).k; // another figure now shares the device
  assert.ok(Math.abs(slower - 25) <= 2, `chunk ${slower}`);
});
