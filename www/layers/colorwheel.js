// The source's colour wheel: a particle is coloured by where it started (its x₀ at t = 0), hue
// from the angle of x₀ around the source's centre and chroma from its distance, so transport,
// crossings and the order a coupling keeps stay visible all the way to t = 1. Colours are
// OKLCH (equal steps of hue look like equal steps), packed once per sample.

/** Lightness of the wheel on each theme's background. */
const LIGHTNESS = { light: 0.6, dark: 0.78 };
/** Chroma at the centre (a faint grey, still visible) and at the rim. */
const CHROMA = [0.025, 0.17];
/** The rim: this many root-mean-square radii from the centre (≈ 90% of a Gaussian inside). */
const RIM = 1.6;

/**
 * sRGB bytes of an OKLCH colour (L in [0, 1], C ≥ 0, h in radians), clipped to the gamut.
 * @returns {[number, number, number]}
 */
export function oklchToRgb(L, C, h) {
  const a = C * Math.cos(h);
  const b = C * Math.sin(h);
  // OKLab → LMS (cube roots) → linear sRGB (Björn Ottosson's matrices).
  const l = (L + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (L - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const linear = [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ];
  return linear.map((c) => {
    const v = Math.min(1, Math.max(0, c));
    const g = v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
    return Math.round(255 * g);
  });
}

/** 0xAABBGGRR: ImageData's byte order read as a little-endian u32 (and WebGL's RGBA bytes). */
export function pack(r, g, b, a = 255) {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** `rgba(…)` of a packed colour with opacity `alpha`. */
export function cssColor(packed, alpha = 1) {
  return `rgba(${packed & 255}, ${(packed >>> 8) & 255}, ${(packed >>> 16) & 255}, ${alpha})`;
}

/**
 * The wheel's placement over the points `xy` ([n, 2]): their mean and a rim radius of RIM
 * root-mean-square distances from it.
 * @returns {{cx: number, cy: number, rim: number}}
 */
export function wheelFrame(xy) {
  const n = xy.length / 2;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < xy.length; i += 2) { cx += xy[i]; cy += xy[i + 1]; }
  cx /= Math.max(n, 1);
  cy /= Math.max(n, 1);
  let r2 = 0;
  for (let i = 0; i < xy.length; i += 2) r2 += (xy[i] - cx) ** 2 + (xy[i + 1] - cy) ** 2;
  const rim = RIM * Math.sqrt(r2 / Math.max(n, 1)) || 1;
  return { cx, cy, rim };
}

/**
 * The wheel's colour at offset (dx, dy) from its centre: hue = the angle, chroma grows with
 * the distance up to the rim (and stays there beyond it).
 * @returns {[number, number, number]}
 */
export function wheelColor(dx, dy, rim, theme = 'light') {
  return polarColor(Math.atan2(dy, dx), Math.min(1, Math.hypot(dx, dy) / rim), theme);
}

/** The wheel's colour at angle `h` (radians) and relative radius `rho` in [0, 1]. */
export function polarColor(h, rho, theme = 'light') {
  const chroma = CHROMA[0] + (CHROMA[1] - CHROMA[0]) * rho;
  return oklchToRgb(LIGHTNESS[theme] ?? LIGHTNESS.light, chroma, h);
}

/** Hue buckets of the coarse colour grouping (see particleColors). */
export const HUES = 12;

/**
 * Packed colours of particles whose starting points are `x0` ([n, 2]), plus `bucket`: the
 * particles grouped by a coarse version of their colour (HUES hues × 2 rings), for layers that
 * stroke one path per colour.
 * @returns {{colors: Uint32Array, frame: {cx, cy, rim}, bucket: Uint8Array, bucketColors: Uint32Array}}
 */
export function particleColors(x0, theme = 'light') {
  const n = x0.length / 2;
  const frame = wheelFrame(x0);
  const colors = new Uint32Array(n);
  const bucket = new Uint8Array(n);
  // Colours are computed on a fine lattice of (angle, radius) and looked up: n can be 200k.
  const A = 256;
  const R = 32;
  const table = new Uint32Array(A * (R + 1));
  for (let i = 0; i < A; i += 1) {
    const h = (2 * Math.PI * i) / A;
    for (let j = 0; j <= R; j += 1) {
      const [r, g, b] = polarColor(h, j / R, theme);
      table[i * (R + 1) + j] = pack(r, g, b);
    }
  }
  for (let p = 0; p < n; p += 1) {
    const dx = x0[2 * p] - frame.cx;
    const dy = x0[2 * p + 1] - frame.cy;
    const angle = Math.atan2(dy, dx);
    const rho = Math.min(1, Math.hypot(dx, dy) / frame.rim);
    const ai = ((Math.round((angle / (2 * Math.PI)) * A) % A) + A) % A;
    colors[p] = table[ai * (R + 1) + Math.round(rho * R)];
    const hi = ((Math.round((angle / (2 * Math.PI)) * HUES) % HUES) + HUES) % HUES;
    bucket[p] = hi * 2 + (rho > 0.5 ? 1 : 0);
  }
  const bucketColors = new Uint32Array(2 * HUES);
  for (let k = 0; k < 2 * HUES; k += 1) {
    const h = (2 * Math.PI * (k >> 1)) / HUES;
    const rho = k & 1 ? 0.8 : 0.3;
    const [r, g, b] = polarColor(h, rho, theme);
    bucketColors[k] = pack(r, g, b);
  }
  return { colors, frame, bucket, bucketColors };
}
