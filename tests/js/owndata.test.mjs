// The reader's own data (www/owndata.js): a picture's darkness as a density and the points drawn
// from it, CSV points by the native parser's rules, and the link's packed cloud. The oracles are
// synthesised pixel arrays whose dark regions are known exactly, the uniform distribution's
// moments, and the native parser's messages (tests/datasets.rs, tests/labels.rs).
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  BOX, VIEW_LIMIT, MAX_CLOUD_POINTS, MAX_LINK_CHARS, LINK_STEP, GRID, rng, gridSize, imageProblem, densityOf, samplePoints,
  wordProblem, parseCsv, fitToView, encodeCloud, decodeCloud,
} from '../../www/owndata.js';
import { POINT_LIMIT, parseHash, toHash, defaults } from '../../www/state.js';

/** A white `w`×`h` RGBA picture with `paint(x, y)` → [r, g, b, a] or null (white) per pixel. */
function picture(w, h, paint) {
  const data = new Uint8ClampedArray(4 * w * h).fill(255);
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      const c = paint(x, y);
      if (c) data.set(c, 4 * (y * w + x));
    }
  }
  return { data, width: w, height: h };
}
const BLACK = [0, 0, 0, 255];
const GREY = [128, 128, 128, 255]; // luminance 128/255: darkness 0.498
/** 40×20: a black square at columns 10…19, rows 5…14, a grey one at columns 24…33, same rows. */
const twoSquares = picture(40, 20, (x, y) => (y >= 5 && y < 15 ? (x >= 10 && x < 20 ? BLACK : x >= 24 && x < 34 ? GREY : null) : null));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('the view limit agrees with the parameter registry', () => {
  assert.equal(VIEW_LIMIT, POINT_LIMIT);
});

test('the generator is seeded, uniform on [0, 1)', () => {
  const a = rng(7);
  const b = rng(7);
  const xs = Array.from({ length: 20000 }, () => a());
  assert.deepEqual(xs.slice(0, 50), Array.from({ length: 50 }, () => b()));
  assert.ok(xs.every((v) => v >= 0 && v < 1));
  // U(0, 1): mean ½ and variance 1/12, within 4 standard errors.
  assert.ok(Math.abs(mean(xs) - 0.5) < 4 * Math.sqrt(1 / 12 / xs.length), mean(xs));
  assert.ok(Math.abs(mean(xs.map((v) => (v - 0.5) ** 2)) - 1 / 12) < 0.003);
});

test('pictures are downscaled to at most GRID pixels on their long side, aspect kept', () => {
  assert.deepEqual(gridSize(1000, 500), [GRID, GRID / 2]);
  assert.deepEqual(gridSize(100, 50), [100, 50]);
  assert.deepEqual(gridSize(1, 10000), [1, GRID]);
  assert.equal(imageProblem(100, 10, 10), null);
  assert.match(imageProblem(11 * 1024 * 1024, 10, 10), /11\.0 MiB; the limit is 10\.0 MiB/);
  assert.match(imageProblem(100, 10000, 10000), /10000×10000 pixels; the limit is 50 million/);
  assert.match(imageProblem(100, 0, 0), /no size/);
});

test('darkness: black weighs 1, white 0, grey its darkness above the threshold; invert swaps', () => {
  const at = (d, x, y) => d[y * 40 + x];
  const d = densityOf(twoSquares, { threshold: 0.5 });
  assert.equal(at(d, 12, 7), 1);
  assert.equal(at(d, 0, 0), 0);
  assert.equal(at(d, 25, 7), 0, 'grey (0.498) is below 0.5');
  const low = densityOf(twoSquares, { threshold: 0.4 });
  assert.ok(Math.abs(at(low, 25, 7) - (1 - 128 / 255)) < 1e-6, at(low, 25, 7));
  const inv = densityOf(twoSquares, { threshold: 0.5, invert: true });
  assert.equal(at(inv, 0, 0), 1);
  assert.equal(at(inv, 12, 7), 0);
  assert.ok(Math.abs(at(inv, 25, 7) - 128 / 255) < 1e-6, 'grey inverted is its lightness 0.502');
  // A transparent pixel is white, whatever its colour: darkness × alpha.
  const clear = picture(2, 1, (x) => (x === 0 ? [0, 0, 0, 0] : [0, 0, 0, 51]));
  assert.deepEqual(Array.from(densityOf(clear, { threshold: 0 })).map((v) => +v.toFixed(6)), [0, 0.2]);
  assert.deepEqual(Array.from(densityOf(clear, { threshold: 0, invert: true })).map((v) => +v.toFixed(6)), [1, 0.8]);
});

test('points land only where the picture is dark, uniformly inside it, in the box with the aspect kept', () => {
  const d = densityOf(twoSquares, { threshold: 0.5 });
  const { xy } = samplePoints(d, 40, 20, { n: 3000, seed: 3 });
  assert.equal(xy.length, 6000);
  // 40 pixels span [−4, 4]: 0.2 a pixel; the black square's columns 10…19 are x ∈ [−2, 0],
  // its rows 5…14 are y ∈ [−1, 1].
  const xs = [];
  const ys = [];
  for (let i = 0; i < xy.length; i += 2) {
    assert.ok(xy[i] >= -2 && xy[i] <= 0 && xy[i + 1] >= -1 && xy[i + 1] <= 1, `(${xy[i]}, ${xy[i + 1]}) off the square`);
    xs.push(xy[i]);
    ys.push(xy[i + 1]);
  }
  // Uniform on the square: mean its centre (−1, 0), variance 2²/12, within 4 standard errors.
  const se = 4 * Math.sqrt(1 / 3 / 3000);
  assert.ok(Math.abs(mean(xs) + 1) < se && Math.abs(mean(ys)) < se, `${mean(xs)}, ${mean(ys)}`);
  assert.ok(Math.abs(mean(xs.map((x) => (x + 1) ** 2)) - 1 / 3) < 0.03);
  // The same seed gives the same points; another seed others.
  assert.deepEqual(samplePoints(d, 40, 20, { n: 3000, seed: 3 }).xy, xy);
  assert.notDeepEqual(samplePoints(d, 40, 20, { n: 3000, seed: 4 }).xy, xy);
});

test('the threshold lets grey in, in proportion to its darkness; inverted, the white surround takes the points', () => {
  const n = 20000;
  const { xy } = samplePoints(densityOf(twoSquares, { threshold: 0.3 }), 40, 20, { n });
  let grey = 0;
  for (let i = 0; i < xy.length; i += 2) if (xy[i] > 0) grey += 1;
  // Equal areas weighing 1 and 0.498: the grey share is 0.498 / 1.498 = 0.3325 (binomial, 4σ).
  const p = (1 - 128 / 255) / (2 - 128 / 255);
  assert.ok(Math.abs(grey / n - p) < 4 * Math.sqrt((p * (1 - p)) / n), `grey share ${grey / n} vs ${p}`);
  const inv = samplePoints(densityOf(twoSquares, { threshold: 0.9, invert: true }), 40, 20, { n: 2000 }).xy;
  for (let i = 0; i < inv.length; i += 2) {
    const inSquare = inv[i + 1] > -1 && inv[i + 1] < 1 && ((inv[i] > -2 && inv[i] < 0) || (inv[i] > 0.8 && inv[i] < 2.8));
    assert.ok(!inSquare, `inverted point (${inv[i]}, ${inv[i + 1]}) inside a square`);
  }
});

test('with a class per pixel, each point takes its pixel\'s class, renumbered 0…k−1; the points do not move', () => {
  const d = densityOf(twoSquares, { threshold: 0.3 });
  // Columns left of x = 0 (pixel 20) are class 7, the others class 9 (classes 8 and others get no points).
  const classOf = Uint32Array.from({ length: 40 * 20 }, (_, i) => (i % 40 < 20 ? 7 : 9));
  const { xy, labels } = samplePoints(d, 40, 20, { n: 3000, seed: 3, classOf });
  assert.equal(labels.length, 3000);
  assert.deepEqual([...new Set(labels)].sort(), [0, 1]);
  for (let k = 0; k < 3000; k += 1) assert.equal(labels[k], xy[2 * k] < 0 ? 0 : 1, `point (${xy[2 * k]}, ${xy[2 * k + 1]}) has class ${labels[k]}`);
  assert.deepEqual(xy, samplePoints(d, 40, 20, { n: 3000, seed: 3 }).xy, 'the classes changed the points');
  assert.equal(samplePoints(d, 40, 20, { n: 10 }).labels, null);
});

test('a blank picture is an error, not points', () => {
  const white = picture(8, 8, () => null);
  assert.deepEqual(samplePoints(densityOf(white, { threshold: 0.5 }), 8, 8), { error: 'the image is blank at this threshold' });
  // Black at a threshold above 1: blank too.
  const black = picture(8, 8, () => BLACK);
  assert.ok(samplePoints(densityOf(black, { threshold: 1.01 }), 8, 8).error);
  // A tall picture keeps its aspect: its height spans [−4, 4], its width a quarter of that.
  const { xy } = samplePoints(densityOf(picture(4, 16, () => BLACK)), 4, 16, { n: 4000 });
  const xs = xy.filter((_, i) => i % 2 === 0);
  const ys = xy.filter((_, i) => i % 2 === 1);
  assert.ok(Math.min(...xs) >= -1 && Math.max(...xs) <= 1 && Math.min(...ys) >= -BOX && Math.max(...ys) <= BOX);
  assert.ok(Math.max(...ys) > 3.9 && Math.min(...ys) < -3.9 && Math.max(...xs) > 0.9);
});

test('a word: one to 24 visible characters', () => {
  assert.equal(wordProblem('Flow'), null);
  assert.equal(wordProblem('Hi 👋'), null);
  assert.match(wordProblem(''), /type a word/);
  assert.match(wordProblem('   '), /type a word/);
  assert.match(wordProblem('a'.repeat(25)), /25 characters; the limit is 24/);
  assert.match(wordProblem('a\u0007'), /control character/);
});

test('CSV: the native parser\'s rules, with the line named in each error', () => {
  const ok = parseCsv('x,y\n1,2\n# a comment\n\n3,4\n');
  assert.deepEqual(Array.from(ok.xy), [1, 2, 3, 4]);
  assert.equal(ok.labels, null);
  const labelled = parseCsv('x,y,label\r\n1,2,0\r\n# c\r\n3,4,2\r\n');
  assert.deepEqual(Array.from(labelled.labels), [0, 2]);
  assert.deepEqual(Array.from(parseCsv(' -1.5e0 , .25\n+2.,-3\n').xy), [-1.5, 0.25, 2, -3]);
  for (const [bad, message] of [
    ['', 'a point cloud needs at least one point (lines of x,y); the file holds none'],
    ['x,y\n# none\n', 'a point cloud needs at least one point (lines of x,y); the file holds none'],
    ['1,2\n3\n', "line 2: expected two numbers 'x,y' (or 'x,y,label' on every line), got '3'"],
    ['x,y\n1,2\n\n3,abc\n', "line 4: 'abc' is not a number"],
    ['1,2,0\n3,4\n', "line 2: expected 'x,y,label', got '3,4'"],
    ['1,2\n3,4,1\n', "line 2: expected two numbers 'x,y' (or 'x,y,label' on every line), got '3,4,1'"],
    ['1,2,-1\n', "line 1: label '-1' is not a whole number 0..256"],
    ['1,2,x\n', "line 1: label 'x' is not a whole number 0..256"],
    ['1,2,999\n', 'line 1: label 999 must be below 256'],
    ['1,2\n0x10,1\n', "line 2: '0x10' is not a number"],
    ['1,2\n1,inf\n', "line 2: 'inf' is not a finite number"],
    ['1,NaN\n', "line 1: 'NaN' is not a finite number"],
    ['1,2\n1e39,0\n', "line 2: '1e39' is not a finite number"],
    ['1;2\n', "line 1: expected two numbers 'x,y' (or 'x,y,label' on every line), got '1;2'"],
  ]) assert.deepEqual(parseCsv(bad), { error: message }, bad);
  assert.deepEqual(parseCsv('0,0\n'.repeat(MAX_CLOUD_POINTS + 1)), { error: `a point cloud may hold at most ${MAX_CLOUD_POINTS} points; line ${MAX_CLOUD_POINTS + 1} is point ${MAX_CLOUD_POINTS + 1}` });
  assert.equal(parseCsv('0,0\n'.repeat(MAX_CLOUD_POINTS)).xy.length, 2 * MAX_CLOUD_POINTS);
  assert.match(parseCsv('1'.repeat(6 * 1024 * 1024)).error, /the file is 6\.0 MiB; the limit is 5\.0 MiB/);
});

test('points far outside the view are centred and scaled into the box, aspect kept; others stay as they are', () => {
  const near = Float32Array.from([1, 2, -6.5, 6.5]);
  assert.deepEqual(fitToView(near), { xy: near, note: null });
  // x ∈ [100, 300], y ∈ [50, 100]: the long side (200) becomes 8, centred on (200, 75).
  const far = fitToView(Float32Array.from([100, 50, 300, 100, 200, 75]));
  assert.deepEqual(Array.from(far.xy), [-4, -1, 4, 1, 0, 0]);
  assert.equal(far.note, 'the points reach 300, outside the view (±6.5): centred and scaled ×0.04 to fit [−4, 4]');
  // One point repeated far away: centred, not scaled.
  assert.deepEqual(Array.from(fitToView(Float32Array.from([9, 9, 9, 9])).xy), [0, 0, 0, 0]);
});

test('the link packs a cloud on a 12-bit grid: back within half a step, labels exact, at most 2000 characters', () => {
  const random = rng(11);
  const n = 400;
  const xy = Float32Array.from({ length: 2 * n }, () => (random() * 2 - 1) * VIEW_LIMIT);
  const text = encodeCloud(xy);
  assert.match(text, /^p[A-Za-z0-9_-]+$/);
  assert.equal(text.length, 1 + 4 * n);
  const back = decodeCloud(text);
  assert.equal(back.labels, null);
  const worst = Math.max(...Array.from(xy, (v, i) => Math.abs(v - back.xy[i])));
  assert.ok(worst <= LINK_STEP / 2 + 1e-6, `error ${worst} vs half step ${LINK_STEP / 2}`);
  assert.ok(LINK_STEP < 0.0032);
  // Labels ride along (only where some label is not 0): 4 bytes a point, 374 points at most.
  const labels = Uint32Array.from({ length: 300 }, (_, i) => i % 7);
  const l = decodeCloud(encodeCloud(xy.subarray(0, 600), labels));
  assert.deepEqual(Array.from(l.labels), Array.from(labels));
  assert.deepEqual(l.xy, back.xy.subarray(0, 600));
  assert.equal(encodeCloud(new Float32Array(2 * 374), new Uint32Array(374).fill(1)).length, 1 + Math.ceil((374 * 4 * 8) / 6));
  assert.equal(encodeCloud(new Float32Array(2 * 375), new Uint32Array(375).fill(1)), null);
  assert.equal(encodeCloud(xy, new Uint32Array(n)), text);
  // 499 points fit in 1 + 4·499 = 1997 characters; 500 do not.
  assert.equal(encodeCloud(new Float32Array(2 * 499)).length, 1997);
  assert.equal(encodeCloud(new Float32Array(2 * 500)), null);
  // Out-of-view coordinates are clamped to the view's edge.
  assert.deepEqual(Array.from(decodeCloud(encodeCloud(Float32Array.from([-100, 100]))).xy), [-VIEW_LIMIT, VIEW_LIMIT]);
  for (const bad of ['', 'p', 'x1234', 'pAAA', 'pAA*A', 'lAAAA', `p${'A'.repeat(MAX_LINK_CHARS)}`]) assert.ok(decodeCloud(bad).error, bad);
});

test('word and cloud live in the hash: validated, and round-trip', () => {
  const cloud = encodeCloud(Float32Array.from([1, 2, -3, 0.5]));
  const state = { ...defaults(), dataset: 'points', word: 'Hi & bye', cloud };
  const hash = toHash(state);
  assert.match(hash, /word=Hi%20%26%20bye/);
  assert.deepEqual(parseHash(hash).state, state);
  const { state: s, errors } = parseHash(`#word=${'x'.repeat(30)}&cloud=zzz`);
  assert.equal(s.word, '');
  assert.equal(s.cloud, '');
  assert.deepEqual(errors, ['word: the word is 30 characters; the limit is 24 — using the default',
    'cloud: not a point cloud (p… or l…, as a shared link writes it) — using the default']);
});
