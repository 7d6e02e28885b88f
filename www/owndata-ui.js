// The reader's own data in the browser: images (PNG, JPEG, SVG) and CSV files dropped, pasted,
// picked or fetched (`data-src`), and typed words — decoded here (image → pixels, word →
// rendered glyphs) and turned into points by owndata.js. Each source gives a cloud
// {xy, labels, link, what, notes} or {error}; the figure takes it with `useCloud` (run.js).

import {
  GRID, MAX_CSV_BYTES, MAX_IMAGE_BYTES, PICTURE_POINTS, MAX_LINK_CHARS, gridSize, imageProblem, densityOf, samplePoints,
  wordProblem, CLOUD_PARAMS, parseCsv, fitToView, encodeCloud, decodeCloud,
} from './owndata.js';

const mib = (bytes) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
const IMAGE_EXT = /\.(png|jpe?g|svg)$/i;
const CSV_EXT = /\.(csv|txt)$/i;

/** 'image', 'csv' or null, from a MIME type and a file name. */
export function kindOf(type, name = '') {
  if (/^image\/(png|jpeg|svg\+xml)$/.test(type) || IMAGE_EXT.test(name)) return 'image';
  if (/^text\/(csv|plain)$/.test(type) || CSV_EXT.test(name) || (!type && !IMAGE_EXT.test(name))) return 'csv';
  return null;
}

/** An image Blob's RGBA pixels, drawn at most GRID pixels on its long side (over transparency). */
export async function imagePixels(blob) {
  if (blob.size > MAX_IMAGE_BYTES) throw new Error(imageProblem(blob.size, 1, 1));
  const url = URL.createObjectURL(blob);
  try {
    const img = new Image();
    img.src = url;
    try {
      await img.decode();
    } catch {
      throw new Error('the file could not be read as an image (PNG, JPEG or SVG)');
    }
    const why = imageProblem(blob.size, img.naturalWidth, img.naturalHeight);
    if (why) throw new Error(why);
    const [w, h] = gridSize(img.naturalWidth, img.naturalHeight);
    const canvas = document.createElement('canvas');
    Object.assign(canvas, { width: w, height: h });
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(img, 0, 0, w, h);
    return ctx.getImageData(0, 0, w, h);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * A word's glyphs (bold sans-serif, black on transparent), its long side GRID pixels, and
 * `classOf` [height·width]: each pixel column's character, by the advance widths (a letter
 * spans from the end of the text before it to the end of the text through it).
 */
export function wordPixels(word) {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const font = 'bold 100px sans-serif';
  ctx.font = font;
  const m = ctx.measureText(word);
  const pad = 4;
  const w = Math.ceil(m.actualBoundingBoxLeft + m.actualBoundingBoxRight) + 2 * pad;
  const h = Math.ceil(m.actualBoundingBoxAscent + m.actualBoundingBoxDescent) + 2 * pad;
  const s = GRID / Math.max(w, h);
  Object.assign(canvas, { width: Math.max(1, Math.round(w * s)), height: Math.max(1, Math.round(h * s)) });
  ctx.scale(s, s);
  ctx.font = font;
  ctx.fillStyle = '#000';
  const x0 = pad + m.actualBoundingBoxLeft;
  ctx.fillText(word, x0, pad + m.actualBoundingBoxAscent);
  const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
  // Where each character ends, in canvas pixels (before the scale: the font's own units).
  const chars = [...word];
  const ends = chars.map((_, i) => (x0 + ctx.measureText(chars.slice(0, i + 1).join('')).width) * s);
  const classOf = new Uint32Array(pixels.width * pixels.height);
  for (let col = 0, c = 0; col < pixels.width; col += 1) {
    while (c < chars.length - 1 && col + 0.5 >= ends[c]) c += 1;
    for (let row = 0; row < pixels.height; row += 1) classOf[row * pixels.width + col] = c;
  }
  pixels.classOf = classOf;
  return pixels;
}

/** The link's share of a cloud: its packed points, or '' with a note where they do not fit. */
function linkFor(xy, labels, what) {
  const cloud = encodeCloud(xy, labels);
  if (cloud) return { link: { word: '', cloud }, notes: [] };
  return { link: { word: '', cloud: '' }, notes: [`The link does not hold ${what} (${xy.length / 2} points; a link holds at most ${MAX_LINK_CHARS} characters, about 500 points): share the file with it.`] };
}

/** A picture's points at `threshold` (and `invert`): {xy, …} or {error}. */
export function pictureCloud(pixels, { threshold = 0.5, invert = false, what = 'the image', blank } = {}) {
  const { xy, error } = samplePoints(densityOf(pixels, { threshold, invert }), pixels.width, pixels.height, { n: PICTURE_POINTS, blank });
  if (error) return { error: `${what}: ${error}` };
  return { xy, labels: null, what, ...linkFor(xy, null, `${what}'s points`) };
}

/** A word's points: {xy, link: {word}, …} or {error}. */
export function wordCloud(word) {
  const text = typeof word === 'string' ? word.trim() : word;
  const why = wordProblem(text);
  if (why) return { error: why };
  const pixels = wordPixels(text);
  const { xy, labels, error } = samplePoints(densityOf(pixels), pixels.width, pixels.height, { n: PICTURE_POINTS, blank: `'${text}' draws nothing in this browser's fonts`, classOf: pixels.classOf });
  if (error) return { error };
  const k = Math.max(...labels) + 1;
  const notes = k > 1 ? [`Each letter of '${text}' is a class (0–${k - 1}, left to right): with conditional = 1, picking a class draws that letter.`] : [];
  return { xy, labels, what: `'${text}'`, link: { word: text, cloud: '' }, notes };
}

/** CSV text's points (rescaled into view when far outside it): {xy, labels, …} or {error}. */
export function csvCloud(text, what = 'the CSV') {
  const parsed = parseCsv(text);
  if (parsed.error) return parsed;
  const { xy, note } = fitToView(parsed.xy);
  const link = linkFor(xy, parsed.labels, `${what}'s points`);
  return { xy, labels: parsed.labels, what, link: link.link, notes: [...(note ? [`${what}: ${note}.`] : []), ...link.notes] };
}

/** A File or Blob (image or CSV) as a cloud; `options` are the picture's threshold and invert. */
export async function fileCloud(file, options = {}) {
  const name = file.name || 'the file';
  const kind = kindOf(file.type, file.name || '');
  if (!kind) return { error: `${name}: not an image (PNG, JPEG, SVG) or a CSV of points (type ${file.type})` };
  try {
    if (kind === 'image') {
      const pixels = await imagePixels(file);
      return { ...pictureCloud(pixels, { ...options, what: name }), pixels };
    }
    if (file.size > MAX_CSV_BYTES) return { error: `${name}: the file is ${mib(file.size)}; the limit is ${mib(MAX_CSV_BYTES)}` };
    const cloud = csvCloud(await file.text(), name);
    return cloud.error ? { error: `${name}: ${cloud.error}` } : cloud;
  } catch (error) {
    return { error: `${name}: ${error.message}` };
  }
}

/**
 * The cloud a state's `word` or `cloud` parameter holds (`role` 'data'; `srcword` or
 * `srccloud` for 'source'), or null where it holds none.
 */
export function stateCloud(state, role = 'data') {
  const keys = CLOUD_PARAMS[role];
  const word = state[keys.word];
  const packed = state[keys.cloud];
  if (word) {
    const cloud = wordCloud(word);
    return cloud.error ? { error: `${keys.word}: ${cloud.error}` } : cloud;
  }
  if (packed) {
    const { xy, labels, error } = decodeCloud(packed);
    return error ? { error: `${keys.cloud}: ${error}` } : { xy, labels, what: 'the link\'s points', link: { word: '', cloud: packed }, notes: [] };
  }
  return null;
}

/**
 * A same-origin file (the element's `data-src` or `source-src`: `attribute`, for the messages)
 * as a cloud. Another origin, a failed request or a bad file gives {error}.
 */
export async function fetchCloud(src, options = {}, attribute = 'data-src') {
  let url;
  try {
    url = new URL(src, document.baseURI);
  } catch {
    return { error: `${attribute}: '${src}' is not a URL` };
  }
  if (url.origin !== window.location.origin) return { error: `${attribute}: ${src} is not on this site (${window.location.origin}); only same-origin files are read` };
  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (error) {
    return { error: `${attribute}: ${src} could not be fetched (${error.message})` };
  }
  if (!response.ok) return { error: `${attribute}: ${src} could not be fetched (HTTP ${response.status})` };
  const blob = await response.blob();
  const name = url.pathname.split('/').pop() || src;
  const type = (response.headers.get('content-type') || '').split(';')[0].trim();
  const file = new File([blob], name, { type });
  const cloud = await fileCloud(file, options);
  return cloud.error ? { error: `${attribute}: ${cloud.error}` } : cloud;
}

/** `tag` with properties (`aria-*`, `for` as attributes) and children. */
function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith('aria-') || k === 'for') node.setAttribute(k, v);
    else node[k] = v;
  }
  node.append(...children);
  return node;
}

/** Whether an event's target takes text itself (a paste or drop there is its own). */
const ownsText = (target) => target instanceof Element && !!target.closest('input, textarea, select, [contenteditable]');

/**
 * The page's own-data panel in `root` (pick a file, type a word, the picture's threshold and
 * invert, whether it becomes the data or the source) and the page's drop and paste: each source
 * is read, and its cloud handed to `use(cloud, role)` (a promise; role 'data' or 'source'), or
 * its error to `fail(message)`. Returns a function that unbinds.
 */
export function bindOwnData(root, { use, fail }) {
  const file = el('input', { type: 'file', id: 'own-file', accept: 'image/png,image/jpeg,image/svg+xml,.png,.jpg,.jpeg,.svg,.csv,.txt,text/csv,text/plain' });
  const word = el('input', { type: 'text', id: 'own-word', maxLength: 24, placeholder: 'Flow', spellcheck: false, autocomplete: 'off' });
  const useWord = el('button', { type: 'button', id: 'own-word-use', textContent: 'Use word' });
  const threshold = el('input', { type: 'range', id: 'own-threshold', min: '0', max: '0.95', step: '0.05', value: '0.5' });
  const shown = el('output', { htmlFor: 'own-threshold', textContent: '0.50' });
  const invert = el('input', { type: 'checkbox', id: 'own-invert' });
  const role = el('select', { id: 'own-role' }, [
    el('option', { value: 'data', textContent: 'the data (t = 1)' }),
    el('option', { value: 'source', textContent: 'the source (t = 0)' }),
  ]);
  root.replaceChildren(el('fieldset', { className: 'own-data' }, [
    el('legend', { textContent: 'Your own data' }),
    el('span', { className: 'own-row' }, [el('label', { for: 'own-role', textContent: 'Use as' }), role]),
    el('label', { className: 'upload', for: 'own-file' }, ['Image or CSV ', file]),
    el('span', { className: 'own-row' }, [el('label', { for: 'own-word', textContent: 'Word' }), word, useWord]),
    el('span', { className: 'own-row' }, [el('label', { for: 'own-threshold', textContent: 'Darkness threshold' }), threshold, shown,
      el('label', { className: 'check', for: 'own-invert' }, [invert, ' Invert'])]),
    el('p', { className: 'own-note', textContent: 'Drop or paste an image (PNG, JPEG, SVG: its dark parts become the density) or a CSV of x,y points anywhere on the page. Your file stays in your browser.' }),
  ]));
  // The picture the threshold and invert apply to (the latest image).
  let picture = null;
  const options = () => ({ threshold: Number(threshold.value), invert: invert.checked });
  const take = async (pending) => {
    const cloud = await pending;
    if (cloud.error) { fail(cloud.error); return; }
    if (cloud.pixels) picture = { pixels: cloud.pixels, what: cloud.what };
    else picture = null;
    await use(cloud, role.value);
  };
  const fromFile = (f) => take(fileCloud(f, options()));
  const fromText = (text) => take(Promise.resolve(csvCloud(text, 'the pasted text')));
  file.addEventListener('change', () => {
    const f = file.files[0];
    file.value = '';
    if (f) fromFile(f);
  });
  const typed = () => take(Promise.resolve(wordCloud(word.value)));
  useWord.addEventListener('click', typed);
  word.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); typed(); } });
  const again = () => {
    shown.textContent = Number(threshold.value).toFixed(2);
    if (!picture) return;
    const { pixels, what } = picture;
    take(Promise.resolve({ ...pictureCloud(pixels, { ...options(), what }), pixels }));
  };
  threshold.addEventListener('change', again);
  threshold.addEventListener('input', () => { shown.textContent = Number(threshold.value).toFixed(2); });
  invert.addEventListener('change', again);
  const over = (e) => { if (e.dataTransfer && [...e.dataTransfer.types].some((t) => t === 'Files' || t === 'text/plain')) e.preventDefault(); };
  const drop = (e) => {
    if (ownsText(e.target)) return;
    const f = e.dataTransfer.files[0];
    const text = f ? null : e.dataTransfer.getData('text/plain');
    if (!f && !text) return;
    e.preventDefault();
    if (f) fromFile(f);
    else fromText(text);
  };
  const paste = (e) => {
    if (ownsText(e.target)) return;
    const f = e.clipboardData.files[0];
    const text = f ? null : e.clipboardData.getData('text/plain');
    if (!f && !text) return;
    e.preventDefault();
    if (f) fromFile(f);
    else fromText(text);
  };
  document.addEventListener('dragover', over);
  document.addEventListener('drop', drop);
  document.addEventListener('paste', paste);
  return () => {
    document.removeEventListener('dragover', over);
    document.removeEventListener('drop', drop);
    document.removeEventListener('paste', paste);
  };
}
