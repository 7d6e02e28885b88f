// The source's colour wheel: hue follows the angle of x₀ around the source's centre, chroma its
// distance; OKLCH values checked against known sRGB colours.
import test from 'node:test';
import assert from 'node:assert/strict';
import { oklchToRgb, pack, cssColor, wheelFrame, wheelColor, particleColors, HUES } from '../../www/layers/colorwheel.js';

const close = (a, b, tol, what) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= tol, `${what}: ${a} vs ${b}`));

test('OKLCH converts to the sRGB of known colours', () => {
  // White, black, mid grey (OKLab L = 0.5987 is sRGB 128) and pure sRGB red (L 0.6279, C 0.2577, h 29.23°).
  close(oklchToRgb(1, 0, 0), [255, 255, 255], 0, 'white');
  close(oklchToRgb(0, 0, 0), [0, 0, 0], 0, 'black');
  close(oklchToRgb(0.5987, 0, 0), [128, 128, 128], 1, 'grey');
  close(oklchToRgb(0.62796, 0.25768, (29.2339 * Math.PI) / 180), [255, 0, 0], 1, 'red');
});

test('packed colours are ImageData bytes read as little-endian u32', () => {
  const word = pack(1, 2, 3);
  const bytes = new Uint8Array(new Uint32Array([word]).buffer);
  assert.deepEqual([...bytes], [1, 2, 3, 255]);
  assert.equal(cssColor(word, 0.5), 'rgba(1, 2, 3, 0.5)');
});

test('the wheel is centred on the mean with a rim of 1.6 root-mean-square radii', () => {
  // Four points on a circle of radius 2 around (1, −1).
  const f = wheelFrame(Float32Array.from([3, -1, -1, -1, 1, 1, 1, -3]));
  close([f.cx, f.cy, f.rim], [1, -1, 3.2], 1e-6, 'frame');
});

test('hue follows the angle and chroma the radius', () => {
  const grey = wheelColor(0, 0, 1);
  const spread = (c) => Math.max(...c) - Math.min(...c);
  assert.ok(spread(grey) < 25, `centre is near grey: ${grey}`);
  const rim = [0, 1, 2, 3].map((k) => wheelColor(Math.cos((k * Math.PI) / 2), Math.sin((k * Math.PI) / 2), 1));
  for (const c of rim) assert.ok(spread(c) > 60, `rim is saturated: ${c}`);
  // Opposite directions differ clearly; the same direction at any distance beyond the rim is one colour.
  const distance = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  assert.ok(distance(rim[0], rim[2]) > 100 && distance(rim[1], rim[3]) > 100, `${rim}`);
  assert.deepEqual(wheelColor(2, 0, 1), wheelColor(5, 0, 1));
  // Right (angle 0) is reddish, left (angle π) cyan-ish: OKLCH hue 0 is pink-red.
  assert.ok(rim[0][0] > rim[0][2] && rim[2][2] > rim[2][0], `${rim[0]} / ${rim[2]}`);
});

test('particle colours come from each start point, with coarse buckets for strokes', () => {
  const x0 = Float32Array.from([2, 0, 0, 2, -2, 0, 0, -2, 0, 0.01]);
  const { colors, bucket, bucketColors, frame } = particleColors(x0);
  assert.equal(colors.length, 5);
  assert.equal(bucketColors.length, 2 * HUES);
  const c = (p) => [colors[p] & 255, (colors[p] >>> 8) & 255, (colors[p] >>> 16) & 255];
  // Each colour is (to the lookup table's resolution) the wheel's colour at the start point.
  for (let p = 0; p < 5; p += 1) close(c(p), wheelColor(x0[2 * p] - frame.cx, x0[2 * p + 1] - frame.cy, frame.rim), 6, `particle ${p}`);
  // The four on the circle fall in four different hue buckets, the outer ring; the centre one in the inner.
  assert.equal(new Set(bucket.slice(0, 4)).size, 4);
  for (let p = 0; p < 4; p += 1) assert.equal(bucket[p] % 2, 1);
  assert.equal(bucket[4] % 2, 0);
});
