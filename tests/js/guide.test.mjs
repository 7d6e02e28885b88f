// Guidance, couplings, reflow and shortcut settings: the class picker, the guidance scale, the
// Sinkhorn ε and bridge σ (composed into the core's names), the model type, and which shipped
// model each combination picks; bad values are reported and leave the rest of the state as read.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  parseHash, parseAttributes, parseValue, toHash, defaults, trainConfig, restartNames, classIndex,
  ATTRIBUTES, PARAM_OF_ATTRIBUTE, MAX_CLASSES,
} from '../../www/state.js';
import { findModel } from '../../www/models.js';
import { visibleRows } from '../../www/controls.js';
import { classColors, classCount, classPalette } from '../../www/layers/classes.js';
import { defaultPoints, defaultLabels } from '../../www/input.js';

const MANIFEST = JSON.parse(readFileSync(new URL('../../www/models/index.json', import.meta.url), 'utf8')).models;

test('class is all by default, else a class number below the most classes a dataset has', () => {
  assert.equal(defaults().class, 'all');
  assert.deepEqual(parseValue('class', 'all'), { value: 'all' });
  assert.deepEqual(parseValue('class', '3'), { value: 3 });
  assert.deepEqual(parseValue('class', ' 0 '), { value: 0 });
  assert.match(parseValue('class', String(MAX_CLASSES)).error, /outside 0…24/);
  for (const bad of ['-1', '1.5', 'two', '']) assert.match(parseValue('class', bad).error, /not all or a class number/, bad);
  assert.equal(classIndex(defaults()), -1);
  assert.equal(classIndex({ ...defaults(), class: 5 }), 5);
});

test('on an element the class is the attribute class-label (HTML owns class); in a hash it is class', () => {
  assert.equal(ATTRIBUTES.class, 'class-label');
  assert.equal(PARAM_OF_ATTRIBUTE['class-label'], 'class');
  assert.equal(ATTRIBUTES.guidance, 'guidance');
  assert.equal(PARAM_OF_ATTRIBUTE.dataset, 'dataset');
  const { state } = parseHash('#dataset=8gaussians&conditional=1&class=2&guidance=3');
  assert.equal(state.class, 2);
  assert.equal(state.guidance, 3);
  assert.equal(toHash(state), '#dataset=8gaussians&conditional=1&class=2&guidance=3');
});

test('a hash names the parameters it refused, so a live change can keep their current values', () => {
  const { state, errors, invalid } = parseHash('#guidance=99&class=3&epsilon=0');
  assert.deepEqual(invalid, ['guidance', 'epsilon']);
  assert.equal(errors.length, 2);
  assert.equal(state.class, 3);
  assert.deepEqual(parseHash('').invalid, []);
});

test('guidance w is a number in [0, 8], 1 by default (the conditional model itself)', () => {
  assert.equal(defaults().guidance, 1);
  assert.deepEqual(parseValue('guidance', '0'), { value: 0 });
  assert.deepEqual(parseValue('guidance', '2.5'), { value: 2.5 });
  assert.match(parseValue('guidance', '-1').error, /outside 0…8/);
  assert.match(parseValue('guidance', '9').error, /outside 0…8/);
  assert.match(parseValue('guidance', 'strong').error, /not a number/);
});

test('bad guidance settings are reported one by one and leave the good ones as read', () => {
  const { state, errors } = parseAttributes([['dataset', '8gaussians'], ['conditional', ''], ['class', 'nine'], ['guidance', '20'], ['model', 'fast']]);
  assert.equal(state.dataset, '8gaussians');
  assert.equal(state.conditional, true);
  assert.equal(state.class, 'all');
  assert.equal(state.guidance, 1);
  assert.equal(state.model, 'flow');
  assert.equal(errors.length, 3);
  assert.match(errors.join('\n'), /class: 'nine'/);
  assert.match(errors.join('\n'), /guidance: 20 is outside 0…8/);
  assert.match(errors.join('\n'), /model: 'fast' is not one of flow, shortcut/);
});

test('the training config composes sinkhorn:ε and bridge:σ and carries the model type', () => {
  const plain = trainConfig(defaults());
  assert.equal(plain.coupling, 'independent');
  assert.equal(plain.path, 'linear');
  assert.equal(plain.conditional, false);
  assert.equal(plain.labelDropout, null);
  assert.equal(plain.shortcut, false);
  const s = { ...defaults(), coupling: 'sinkhorn', epsilon: 0.2, path: 'bridge', sigma: 0.25, conditional: true, dropout: 0.3, model: 'shortcut' };
  const c = trainConfig(s);
  assert.equal(c.coupling, 'sinkhorn:0.2');
  assert.equal(c.path, 'bridge:0.25');
  assert.equal(c.conditional, true);
  assert.equal(c.labelDropout, 0.3);
  assert.equal(c.shortcut, true);
  // ε and σ only mean something to their coupling and path.
  assert.equal(trainConfig({ ...defaults(), epsilon: 0.2, sigma: 2 }).coupling, 'independent');
  assert.equal(trainConfig({ ...defaults(), epsilon: 0.2, sigma: 2 }).path, 'linear');
  assert.match(parseValue('epsilon', '0').error, /outside 0.001…1000/);
  assert.match(parseValue('sigma', '11').error, /outside 0…10/);
  assert.match(parseValue('dropout', '1').error, /outside 0…0.95/);
});

test('ε, σ and the label dropout restart training only where they are used; class and w only resample', () => {
  const d = defaults();
  assert.deepEqual(restartNames(['epsilon'], d, { ...d, epsilon: 0.5 }), []);
  assert.deepEqual(restartNames(['epsilon'], { ...d, coupling: 'sinkhorn' }, { ...d, coupling: 'sinkhorn', epsilon: 0.5 }), ['epsilon']);
  assert.deepEqual(restartNames(['sigma'], d, { ...d, sigma: 1 }), []);
  assert.deepEqual(restartNames(['sigma'], { ...d, path: 'bridge' }, { ...d, path: 'bridge', sigma: 1 }), ['sigma']);
  assert.deepEqual(restartNames(['dropout'], d, { ...d, dropout: 0.3 }), []);
  assert.deepEqual(restartNames(['dropout'], { ...d, conditional: true }, { ...d, conditional: true, dropout: 0.3 }), ['dropout']);
  assert.deepEqual(restartNames(['class', 'guidance'], d, { ...d, class: 2, guidance: 3 }), []);
  assert.deepEqual(restartNames(['conditional', 'model', 'reflows'], d, d), ['conditional', 'model', 'reflows']);
});

test('the settings pick the shipped conditional, shortcut and reflowed models, and nothing else', () => {
  const d = defaults();
  const pick = (s) => (findModel(MANIFEST, { ...d, ...s }) || { file: null }).file;
  assert.equal(pick({}), 'moons.fpw');
  assert.equal(pick({ conditional: true }), 'moons-conditional.fpw');
  assert.equal(pick({ dataset: '8gaussians', conditional: true }), '8gaussians-conditional.fpw');
  assert.equal(pick({ dataset: '8gaussians' }), '8gaussians.fpw');
  assert.equal(pick({ model: 'shortcut' }), 'moons-shortcut.fpw');
  assert.equal(pick({ reflows: 1 }), 'moons-reflow.fpw');
  // The class and w are sampling settings: the same model.
  assert.equal(pick({ conditional: true, class: 1, guidance: 4 }), 'moons-conditional.fpw');
  // Not shipped: another label dropout, a second reflow, a Sinkhorn coupling, a bridge path.
  assert.equal(pick({ conditional: true, dropout: 0.3 }), null);
  assert.equal(pick({ reflows: 2 }), null);
  assert.equal(pick({ coupling: 'sinkhorn' }), null);
  assert.equal(pick({ path: 'bridge' }), null);
  // The dropout of an unconditional model does not exist.
  assert.equal(pick({ dropout: 0.3 }), 'moons.fpw');
});

test('ε, σ, class, w, the dropout, the solver and the SDE noise show only where they apply', () => {
  const d = defaults();
  const shown = (s) => Object.entries(visibleRows({ ...d, ...s })).filter(([, v]) => v).map(([k]) => k).sort();
  assert.deepEqual(shown({}), ['nfe', 'solver']);
  assert.deepEqual(shown({ coupling: 'sinkhorn', path: 'bridge' }), ['epsilon', 'nfe', 'sigma', 'solver']);
  assert.deepEqual(shown({ conditional: true, solver: 'dopri5' }), ['class', 'dropout', 'guidance', 'solver', 'tol']);
  // The SDE is stepped by Euler–Maruyama in `nfe` steps: no solver, no tolerance, its noise γ.
  assert.deepEqual(shown({ sampler: 'sde', solver: 'dopri5' }), ['nfe', 'noise']);
});

test('class colours: one per class, distinct, and each particle wears its class', () => {
  const palette = classPalette(8);
  assert.equal(palette.length, 8);
  assert.equal(new Set(palette).size, 8);
  // Opaque (alpha byte 0xff in the packed 0xAABBGGRR).
  for (const c of palette) assert.equal(c >>> 24, 0xff);
  const labels = Uint32Array.from([0, 3, 7, 3, 1]);
  assert.equal(classCount(labels), 8);
  assert.equal(classCount(new Uint32Array(0)), 0);
  const c = classColors(labels, 8);
  assert.equal(c.kind, 'class');
  assert.deepEqual([...c.bucket], [0, 3, 7, 3, 1]);
  assert.deepEqual([...c.colors], [0, 3, 7, 3, 1].map((k) => palette[k]));
  // 25 classes alternate two lightnesses, so neighbours stay apart.
  assert.equal(new Set(classPalette(25)).size, 25);
});

test('drawn points take the pen\'s class; the default smile has three: mouth, left eye, right eye', () => {
  assert.equal(defaults().pen, 0);
  assert.deepEqual(parseValue('pen', '3'), { value: 3 });
  assert.match(parseValue('pen', '8').error, /outside 0…7/);
  const xy = defaultPoints();
  const labels = defaultLabels();
  assert.equal(labels.length, xy.length / 2);
  // Each class is one part of the face: the mouth below y = 1, the eyes above it, left and right.
  for (let i = 0; i < labels.length; i += 1) {
    const [x, y] = [xy[2 * i], xy[2 * i + 1]];
    const part = y < 1 ? 0 : x < 0 ? 1 : 2;
    assert.equal(labels[i], part, `point ${i} at ${x.toFixed(2)},${y.toFixed(2)}`);
  }
  // The pen shows only for a conditional model on drawn points.
  assert.equal(visibleRows({ ...defaults(), dataset: 'points', conditional: true }).pen, true);
  assert.equal(visibleRows({ ...defaults(), dataset: 'points' }).pen, false);
});
