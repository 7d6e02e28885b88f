// Class colours for a conditional model: particles take the colour of the class they were
// sampled for, data points the colour of their label, so a reader sees which class went where.
// Hues are spread evenly round the OKLCH circle, starting where the colour wheel puts angle 0:
// on 8gaussians, class k (the mode at angle kπ/4) wears the hue of its own direction.

import { oklchToRgb, pack } from './colorwheel.js';

const LIGHTNESS = { light: 0.6, dark: 0.76 };
const CHROMA = 0.16;
/** Many classes alternate two lightnesses, so neighbouring hues stay apart. */
const ALTERNATE_ABOVE = 10;

/** Packed colours (0xAABBGGRR) of `k` classes. */
export function classPalette(k, theme = 'light') {
  const out = new Uint32Array(Math.max(1, k));
  const base = LIGHTNESS[theme] ?? LIGHTNESS.light;
  for (let c = 0; c < out.length; c += 1) {
    const lightness = k > ALTERNATE_ABOVE && c % 2 ? base + (theme === 'dark' ? -0.14 : 0.12) : base;
    const [r, g, b] = oklchToRgb(lightness, CHROMA, (2 * Math.PI * c) / out.length);
    out[c] = pack(r, g, b);
  }
  return out;
}

/**
 * The particle colours of a conditional sample: `classes` ([n], each particle's class) among
 * `k` classes, in the shape particleColors (colorwheel.js) has, so every layer that strokes one
 * path per colour bucket works unchanged: the bucket is the class.
 * @returns {{kind: 'class', colors: Uint32Array, bucket: Uint8Array, bucketColors: Uint32Array, frame: null, classes: number}}
 */
export function classColors(classes, k, theme = 'light') {
  const palette = classPalette(k, theme);
  const colors = new Uint32Array(classes.length);
  const bucket = new Uint8Array(classes.length);
  for (let i = 0; i < classes.length; i += 1) {
    const c = Math.min(classes[i], palette.length - 1);
    colors[i] = palette[c];
    bucket[i] = c;
  }
  return { kind: 'class', colors, bucket, bucketColors: palette, frame: null, classes: k };
}

/** The number of classes among `labels` (their largest value + 1; 0 when empty). */
export function classCount(labels) {
  let max = -1;
  for (let i = 0; i < labels.length; i += 1) if (labels[i] > max) max = labels[i];
  return max + 1;
}
