// The reader's own data for the `points` dataset: an image's darkness (or a word's rendered
// glyphs) as a density sampled into points, a CSV of points read by the rules of the native
// parser (PointCloud::from_csv in src/data.rs), and a point cloud packed into the shareable
// link. Pure functions on pixel arrays and text (no DOM): owndata-ui.js decodes the images,
// renders the words and feeds them here. Results are {xy, …} or {error} with a message for the
// reader; nothing here throws on bad input.

/** The data's usual box: a picture's long side spans [−BOX, BOX] (the datasets live in about [−4, 4]²). */
export const BOX = 4;
/** How far a point may lie from the origin in each coordinate and stay in view (state.js POINT_LIMIT). */
export const VIEW_LIMIT = 6.5;
/** The most points and classes a cloud may hold (src/data.rs MAX_CLOUD_POINTS, MAX_CLOUD_CLASSES). */
export const MAX_CLOUD_POINTS = 100_000;
export const MAX_CLOUD_CLASSES = 256;
/** The largest CSV file read (bytes), image file read (bytes) and decoded image (pixels). */
export const MAX_CSV_BYTES = 5 * 1024 * 1024;
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
export const MAX_IMAGE_PIXELS = 50_000_000;
/** A picture is downscaled to at most this many pixels on its long side before sampling. */
export const GRID = 256;
/** How many points a picture (image or word) becomes. */
export const PICTURE_POINTS = 3000;
/** The longest word, in characters. */
export const MAX_WORD = 24;
/** The longest cloud the link holds (characters of the `cloud` parameter). */
export const MAX_LINK_CHARS = 2000;
/** The seed of a picture's points: the same picture always gives the same points. */
export const PICTURE_SEED = 1;
/** Bits per coordinate in the link: a step of 2·VIEW_LIMIT / 4095 ≈ 0.0032. */
const LINK_BITS = 12;
const LINK_LEVELS = (1 << LINK_BITS) - 1;
/** The link's quantisation step (the largest error is half of it). */
export const LINK_STEP = (2 * VIEW_LIMIT) / LINK_LEVELS;

/** A seeded uniform generator on [0, 1) (mulberry32): the same seed, the same numbers. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The size [w, h] a `width`×`height` picture is drawn at: its long side at most `max`, aspect kept. */
export function gridSize(width, height, max = GRID) {
  const s = Math.min(1, max / Math.max(width, height));
  return [Math.max(1, Math.round(width * s)), Math.max(1, Math.round(height * s))];
}

/** Why a picture of this many bytes and pixels cannot be read, or null. */
export function imageProblem(bytes, width, height) {
  if (bytes > MAX_IMAGE_BYTES) return `the image is ${mib(bytes)}; the limit is ${mib(MAX_IMAGE_BYTES)}`;
  if (!(width > 0 && height > 0)) return 'the image has no size (an SVG needs a width and height or a viewBox)';
  if (width * height > MAX_IMAGE_PIXELS) return `the image is ${width}×${height} pixels; the limit is ${MAX_IMAGE_PIXELS / 1e6} million`;
  return null;
}

/**
 * Each role's own cloud in the state: the menu that picks `points` for it, and the parameters
 * that hold its word or packed points in the link.
 */
export const CLOUD_PARAMS = {
  data: { menu: 'dataset', word: 'word', cloud: 'cloud' },
  source: { menu: 'source', word: 'srcword', cloud: 'srccloud' },
};

const mib = (bytes) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

/**
 * The density of RGBA pixels (`data` [height·width·4], row 0 at the top): each pixel's darkness
 * 1 − luminance, composited over white (a transparent pixel is white: darkness × alpha), or,
 * with `invert`, its lightness. Pixels below `threshold` weigh 0, the others their darkness.
 * @returns {Float32Array} weights [height·width]
 */
export function densityOf({ data, width, height }, { threshold = 0.5, invert = false } = {}) {
  const out = new Float32Array(width * height);
  for (let i = 0; i < width * height; i += 1) {
    const [r, g, b, a] = [data[4 * i], data[4 * i + 1], data[4 * i + 2], data[4 * i + 3] / 255];
    const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    const dark = a * (1 - luminance);
    const d = invert ? 1 - dark : dark;
    out[i] = d > 0 && d >= threshold ? d : 0;
  }
  return out;
}

/**
 * `n` points drawn from a pixel density (weights [height·width], row 0 at the top): a pixel
 * with probability ∝ its weight, then a uniform place inside it (seeded). The picture's long
 * side spans [−box, box], centred on the origin, y up, aspect kept. With `classOf` (a class
 * per pixel, [height·width]), each point also takes its pixel's class, renumbered 0…k−1 in
 * order over the classes that got points.
 * @returns {{xy: Float32Array, labels: Uint32Array | null} | {error: string}} xy [n, 2], labels [n]
 */
export function samplePoints(weights, width, height, { n = PICTURE_POINTS, seed = PICTURE_SEED, box = BOX, blank = 'the image is blank at this threshold', classOf = null } = {}) {
  const cdf = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i += 1) {
    total += weights[i];
    cdf[i] = total;
  }
  if (!(total > 0)) return { error: blank };
  const random = rng(seed);
  const scale = (2 * box) / Math.max(width, height);
  const xy = new Float32Array(2 * n);
  const raw = classOf ? new Uint32Array(n) : null;
  for (let k = 0; k < n; k += 1) {
    const u = random() * total;
    // The first pixel whose cumulative weight exceeds u (never one of weight 0).
    let lo = 0;
    let hi = weights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    const px = (lo % width) + random();
    const py = Math.floor(lo / width) + random();
    xy[2 * k] = (px - width / 2) * scale;
    xy[2 * k + 1] = (height / 2 - py) * scale;
    if (raw) raw[k] = classOf[lo];
  }
  return { xy, labels: raw ? renumber(raw) : null };
}

/** Classes renumbered 0…k−1 in increasing order of the original values. */
function renumber(raw) {
  const used = [...new Set(raw)].sort((a, b) => a - b);
  const index = new Map(used.map((c, i) => [c, i]));
  return Uint32Array.from(raw, (c) => index.get(c));
}

/** Why `word` cannot be drawn, or null: 1…MAX_WORD characters, not blank, no control characters. */
export function wordProblem(word) {
  if (typeof word !== 'string' || !word.trim()) return 'type a word (at least one visible character)';
  if ([...word].length > MAX_WORD) return `the word is ${[...word].length} characters; the limit is ${MAX_WORD}`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(word)) return 'the word has a control character';
  return null;
}

// ------------------------------------------------------------------ CSV

/** A decimal number as Rust's f32 parser reads one (and `inf`, `nan`: read, then refused as non-finite). */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity|nan)$/i;

/**
 * Reads `x,y` or `x,y,label` lines like the command line does (PointCloud::from_csv): every
 * line alike; an optional header such as `x,y` or `x,y,label` before the first point; blank
 * lines and `#` comments skipped; labels whole numbers 0…255; at most MAX_CLOUD_POINTS points,
 * all finite. Errors name the line.
 * @returns {{xy: Float32Array, labels: Uint32Array | null} | {error: string}}
 */
export function parseCsv(text) {
  if (text.length > MAX_CSV_BYTES) return { error: `the file is ${mib(text.length)}; the limit is ${mib(MAX_CSV_BYTES)}` };
  const xy = [];
  const labels = [];
  let columns = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i].trim();
    const at = `line ${i + 1}`;
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(',').map((f) => f.trim());
    if (columns === null && (fields.length === 2 || fields.length === 3) && fields.slice(0, 2).some((f) => !NUMBER.test(f))) {
      // A header line such as `x,y` or `x,y,label` before the first point.
      columns = fields.length;
      continue;
    }
    if (columns === null) columns = fields.length;
    if (fields.length !== columns || !(columns === 2 || columns === 3)) {
      const what = columns === 3 ? "'x,y,label'" : "two numbers 'x,y' (or 'x,y,label' on every line)";
      return { error: `${at}: expected ${what}, got '${clip(line)}'` };
    }
    for (const f of fields.slice(0, 2)) {
      if (!NUMBER.test(f)) return { error: `${at}: '${clip(f)}' is not a number` };
      // The core keeps f32: 1e39 is as infinite there as inf.
      const v = Math.fround(Number(f.replace(/^([+-]?)inf(inity)?$/i, '$1Infinity')));
      if (!Number.isFinite(v)) return { error: `${at}: '${clip(f)}' is not a finite number` };
      xy.push(v);
    }
    if (columns === 3) {
      const f = fields[2];
      if (!/^\+?\d+$/.test(f)) return { error: `${at}: label '${clip(f)}' is not a whole number 0..${MAX_CLOUD_CLASSES}` };
      const label = Number(f);
      if (label >= MAX_CLOUD_CLASSES) return { error: `${at}: label ${clip(f)} must be below ${MAX_CLOUD_CLASSES}` };
      labels.push(label);
    }
    if (xy.length / 2 > MAX_CLOUD_POINTS) return { error: `a point cloud may hold at most ${MAX_CLOUD_POINTS} points; ${at} is point ${xy.length / 2}` };
  }
  if (!xy.length) return { error: 'a point cloud needs at least one point (lines of x,y); the file holds none' };
  return { xy: Float32Array.from(xy), labels: columns === 3 ? Uint32Array.from(labels) : null };
}

const clip = (text) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/**
 * Points as they are when every coordinate is within the view (±VIEW_LIMIT); else centred and
 * scaled (aspect kept) so their long side spans [−BOX, BOX], with a note saying so.
 * @returns {{xy: Float32Array, note: string | null}}
 */
export function fitToView(xy) {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < xy.length; i += 2) {
    x0 = Math.min(x0, xy[i]); x1 = Math.max(x1, xy[i]);
    y0 = Math.min(y0, xy[i + 1]); y1 = Math.max(y1, xy[i + 1]);
  }
  const reach = Math.max(-x0, x1, -y0, y1);
  if (reach <= VIEW_LIMIT) return { xy, note: null };
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  const span = Math.max(x1 - x0, y1 - y0);
  const s = span > 0 ? (2 * BOX) / span : 1;
  const out = new Float32Array(xy.length);
  for (let i = 0; i < xy.length; i += 2) {
    out[i] = (xy[i] - cx) * s;
    out[i + 1] = (xy[i + 1] - cy) * s;
  }
  return { xy: out, note: `the points reach ${round3(reach)}, outside the view (±${VIEW_LIMIT}): centred and scaled ×${round3(s)} to fit [−${BOX}, ${BOX}]` };
}

const round3 = (v) => Number(v.toPrecision(3));

// ------------------------------------------------------------------ the link

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const INDEX = Object.fromEntries([...ALPHABET].map((c, i) => [c, i]));

function toBase64url(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k += 1) out += ALPHABET[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

function fromBase64url(text) {
  if (text.length % 4 === 1 || ![...text].every((c) => c in INDEX)) return null;
  const bytes = new Uint8Array(Math.floor((text.length * 6) / 8));
  let j = 0;
  for (let i = 0; i < text.length; i += 4) {
    const chunk = text.slice(i, i + 4);
    let n = 0;
    for (let k = 0; k < 4; k += 1) n = (n << 6) | (k < chunk.length ? INDEX[chunk[k]] : 0);
    for (let k = 0; k < chunk.length - 1; k += 1) bytes[j++] = (n >> (16 - 8 * k)) & 255;
  }
  return bytes;
}

const quantise = (v) => Math.max(0, Math.min(LINK_LEVELS, Math.round(((v + VIEW_LIMIT) / (2 * VIEW_LIMIT)) * LINK_LEVELS)));
const level = (q) => (q / LINK_LEVELS) * 2 * VIEW_LIMIT - VIEW_LIMIT;

/**
 * A cloud as the link's `cloud` parameter: `p` then base64url of each point's x and y on a
 * 12-bit grid over ±VIEW_LIMIT (3 bytes a point, 4 characters), or `l` then the same with a
 * label byte after each point (labelled clouds whose labels are not all 0). Null where that
 * would take more than MAX_LINK_CHARS characters (499 points; 374 labelled).
 */
export function encodeCloud(xy, labels = null) {
  const n = xy.length / 2;
  const labelled = !!labels && labels.some((l) => l !== 0);
  const per = labelled ? 4 : 3;
  if (1 + Math.ceil((n * per * 8) / 6) > MAX_LINK_CHARS) return null;
  const bytes = new Uint8Array(n * per);
  for (let i = 0; i < n; i += 1) {
    const [qx, qy] = [quantise(xy[2 * i]), quantise(xy[2 * i + 1])];
    bytes.set([qx >> 4, ((qx & 15) << 4) | (qy >> 8), qy & 255], i * per);
    if (labelled) bytes[i * per + 3] = labels[i];
  }
  return (labelled ? 'l' : 'p') + toBase64url(bytes);
}

/**
 * Reads a `cloud` parameter back (see encodeCloud).
 * @returns {{xy: Float32Array, labels: Uint32Array | null} | {error: string}}
 */
export function decodeCloud(text) {
  const bad = { error: 'not a point cloud (p… or l…, as a shared link writes it)' };
  if (typeof text !== 'string' || text.length < 2) return bad;
  if (text.length > MAX_LINK_CHARS) return { error: `too long: ${text.length} characters, a link holds at most ${MAX_LINK_CHARS}` };
  const kind = text[0];
  const bytes = kind === 'p' || kind === 'l' ? fromBase64url(text.slice(1)) : null;
  const per = kind === 'l' ? 4 : 3;
  if (!bytes || !bytes.length || bytes.length % per) return bad;
  const n = bytes.length / per;
  const xy = new Float32Array(2 * n);
  const labels = kind === 'l' ? new Uint32Array(n) : null;
  for (let i = 0; i < n; i += 1) {
    const [a, b, c] = bytes.subarray(i * per, i * per + 3);
    xy[2 * i] = level((a << 4) | (b >> 4));
    xy[2 * i + 1] = level(((b & 15) << 8) | c);
    if (labels) labels[i] = bytes[i * per + 3];
  }
  return { xy, labels };
}
