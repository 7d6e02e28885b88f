// The figure in words: what the canvas's label and the live region say, and that the live
// text holds still while the animation runs or the model trains (no announcement per frame).
import test from 'node:test';
import assert from 'node:assert/strict';
import { summaryText } from '../../www/summary.js';
import { defaults } from '../../www/state.js';

const figure = (over = {}) => ({
  ready: true, state: defaults(), t: 1, playing: false, fixed: false, training: false, step: 3000, until: 3000,
  model: 'moons.fpw', backend: 'cpu', stats: { n: 2000, slicedW2: 0.0412 }, ...over,
});

test('a settled figure names its data, source, layers, time, model, backend and closeness', () => {
  assert.equal(summaryText(figure({ t: 0.5 })),
    'Gaussian noise carried to two moons, showing data, particles, trails and field, at t = 0.50, paused; model at step 3000 (from the shipped moons.fpw), on the CPU; 2000 particles, sliced W₂ to the data 0.041.');
});

test('the live text holds still while the animation plays and while training runs', () => {
  const frames = [0.1, 0.4, 0.9].map((t) => summaryText(figure({ playing: true, t }), { live: true }));
  assert.equal(new Set(frames).size, 1);
  assert.match(frames[0], /animated from t = 0 to 1/);
  const steps = [3100, 3500, 5000].map((step) => summaryText(figure({ training: true, step, until: 6000, backend: 'webgpu' }), { live: true }));
  assert.equal(new Set(steps).size, 1);
  assert.match(steps[0], /training on WebGPU towards step 6000/);
  // The label (read on focus) follows them.
  assert.notEqual(summaryText(figure({ playing: true, t: 0.1 })), summaryText(figure({ playing: true, t: 0.4 })));
  assert.match(summaryText(figure({ training: true, step: 3500, until: 6000 })), /step 3500 of 6000/);
});

test('a change of data, layers or layout changes the text', () => {
  const base = summaryText(figure(), { live: true });
  const other = (state) => summaryText(figure({ state: { ...defaults(), ...state } }), { live: true });
  assert.match(other({ dataset: 'checkerboard', source: '8gaussians' }), /^Eight Gaussians carried to a checkerboard/);
  assert.match(other({ layers: ['density'] }), /showing density,/);
  assert.match(other({ layers: [] }), /showing nothing/);
  assert.notEqual(other({ dataset: 'spirals' }), base);
  assert.match(summaryText(figure({ fixed: true, state: { ...defaults(), layout: 'snapshots' } })), /at five times side by side/);
  assert.match(summaryText(figure({ ready: false })), /^Gaussian noise carried to two moons: loading the model…$/);
});

test('the reader\'s own points are named by their word, as the source and as the data', () => {
  const state = { ...defaults(), source: 'points', srcword: 'Flow', dataset: 'points', word: ' Hi ' };
  assert.match(summaryText(figure({ state })), /^The word 'Flow' carried to the word 'Hi', /);
  const packed = { ...defaults(), source: 'points', dataset: 'moons' };
  assert.match(summaryText(figure({ state: packed })), /^Your own points carried to two moons, /);
});
