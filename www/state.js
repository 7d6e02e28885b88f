// The typed parameter registry: every control is a named, validated parameter with a default.
// The same registry reads the URL hash and (for the embeddable element) attributes.

import { LAYER_NAMES } from './layers/index.js';
import { MAX_WORD, MAX_LINK_CHARS, decodeCloud, wordProblem } from './owndata.js';

// The menus of named things (datasets, paths, couplings, solvers, …) offer the core's names in
// its order (its catalog, src/catalog.rs): tests/catalog.rs fails where the two disagree.
const DATASETS = ['8gaussians', '25gaussians', 'moons', 'circles', 'checkerboard', 'spirals',
  'swissroll', 'pinwheel', 'rings'];
/** Parts of a figure that `hide=` can remove. */
export const PARTS = ['play', 'time', 'train', 'reset', 'progress', 'stats', 'chart', 'badge', 'export', 'messages', 'legend', 'readout', 'reflow', 'sweep'];
/** How far a picked point may lie from the origin in each coordinate (the view's bounds). */
export const POINT_LIMIT = 6.5;

const enumOf = (options, fallback) => ({ type: 'enum', options, default: fallback });
const int = (fallback, min, max, extra = {}) => ({ type: 'int', default: fallback, min, max, ...extra });
const float = (fallback, min, max) => ({ type: 'float', default: fallback, min, max });
/** A number, or `auto` (null: the core's own choice). */
const autoFloat = (min, max) => ({ type: 'float', auto: true, default: null, min, max });
/** The most classes a dataset has (25gaussians); `class` is checked against the data's own count when it is known. */
export const MAX_CLASSES = 25;

/** name → spec. Order is the order of the controls. */
export const PARAMS = {
  dataset: { ...enumOf([...DATASETS, 'points'], 'moons'), label: 'Data (t = 1)', group: 'data' },
  source: { ...enumOf(['gaussian', ...DATASETS, 'points'], 'gaussian'), label: 'Source (t = 0)', group: 'data' },
  spread: { ...autoFloat(0, 3), label: 'Data noise σ (empty: auto)', group: 'data' },
  // The reader's own cloud for `points` (owndata.js; the page's own-data panel sets them, not
  // the settings form): a word whose glyphs are the density, or the points themselves, packed.
  word: { type: 'word', default: '', max: MAX_WORD, label: 'Word (the data)', group: 'own' },
  cloud: { type: 'cloud', default: '', max: MAX_LINK_CHARS, label: 'Point cloud (the data)', group: 'own' },
  // The same for source `points`: the reader's own cloud as the noise end (t = 0).
  srcword: { type: 'word', default: '', max: MAX_WORD, label: 'Word (the source)', group: 'own' },
  srccloud: { type: 'cloud', default: '', max: MAX_LINK_CHARS, label: 'Point cloud (the source)', group: 'own' },
  // The class drawn points get (a conditional model on `points`): the colour of the pen.
  pen: { ...int(0, 0, 7), label: 'Pen class (drawn points)', group: 'data' },
  path: { ...enumOf(['linear', 'cosine', 'sigma-min', 'poly', 'bridge'], 'linear'), label: 'Path', group: 'model' },
  sigma: { ...float(0.5, 0, 10), label: 'Bridge noise σ', group: 'model' },
  param: { ...enumOf(['velocity', 'noise', 'data'], 'velocity'), label: 'Predicts', group: 'model' },
  coupling: { ...enumOf(['independent', 'ot', 'sinkhorn'], 'independent'), label: 'Coupling', group: 'model' },
  epsilon: { ...float(0.05, 0.001, 1000), label: 'Sinkhorn ε (relative)', group: 'model' },
  conditional: { type: 'bool', default: false, label: 'Conditional on the class (guidance)', group: 'model' },
  dropout: { ...float(0.1, 0, 0.95), label: 'Label dropout p', group: 'model' },
  model: { ...enumOf(['flow', 'shortcut'], 'flow'), label: 'Model type', group: 'model' },
  time: { ...enumOf(['uniform', 'logit-normal'], 'uniform'), label: 'Time sampling', group: 'model' },
  width: { ...int(64, 4, 512), label: 'Width', group: 'model' },
  depth: { ...int(3, 1, 8), label: 'Depth', group: 'model' },
  activation: { ...enumOf(['silu', 'relu', 'gelu', 'tanh'], 'silu'), label: 'Activation', group: 'model' },
  embed: { ...int(16, 0, 64, { even: true }), label: 'Time embedding', group: 'model' },
  lr: { ...float(0.002, 1e-5, 10), label: 'Learning rate', group: 'train' },
  batch: { ...int(256, 8, 4096), label: 'Batch', group: 'train' },
  steps: { ...int(3000, 1, 200000), label: 'Steps', group: 'train' },
  ema: { ...float(0, 0, 0.9999), label: 'EMA decay', group: 'train' },
  seed: { ...int(0, 0, 2147483647), label: 'Seed', group: 'train' },
  solver: { ...enumOf(['euler', 'midpoint', 'heun', 'rk4', 'dopri5'], 'heun'), label: 'Solver', group: 'sample' },
  nfe: { ...int(20, 1, 500), label: 'NFE', group: 'sample' },
  tol: { ...float(1e-4, 1e-8, 0.1), label: 'Tolerance', group: 'sample' },
  particles: { ...int(2000, 1, 200000), label: 'Particles', group: 'sample' },
  // The SDE of the same marginals (needs a source with a density): NFE Euler–Maruyama steps.
  sampler: { ...enumOf(['ode', 'sde'], 'ode'), label: 'Sampler', group: 'sample' },
  noise: { ...float(1, 0, 10), label: 'SDE noise γ', group: 'sample' },
  // `class` is HTML's own attribute on an element: there it is spelled `class-label`.
  class: { type: 'class', default: 'all', max: MAX_CLASSES - 1, attribute: 'class-label', label: 'Class', group: 'sample' },
  guidance: { ...float(1, 0, 8), slider: 0.1, label: 'Guidance w', group: 'sample' },
  t: { ...float(1, 0, 1), label: 'Time t', group: 'view' },
  layers: { type: 'set', options: LAYER_NAMES, default: ['data', 'particles', 'trails', 'field'], label: 'Layers', group: 'view' },
  layout: { ...enumOf(['single', 'snapshots', 'steps'], 'single'), label: 'Layout', group: 'view' },
  point: { type: 'point', default: [0.5, 0.5], limit: POINT_LIMIT, label: 'Point (average layer)', group: 'view' },
  backend: { ...enumOf(['auto', 'webgpu', 'cpu'], 'auto'), label: 'Backend', group: 'view' },
  renderer: { ...enumOf(['auto', 'canvas', 'webgl'], 'auto'), label: 'Particle renderer', group: 'view' },
  // Figure options (the element, the iframe and the page read them; the page shows no control).
  pretrained: { type: 'bool', default: true, label: 'Start from the shipped model', group: 'embed' },
  autoplay: { type: 'bool', default: true, label: 'Animate', group: 'embed' },
  hide: { type: 'set', options: PARTS, default: [], label: 'Hidden parts', group: 'embed' },
  theme: { ...enumOf(['light', 'dark'], 'light'), label: 'Theme', group: 'embed' },
  size: { ...int(0, 0, 4000), label: 'Size (px, 0: fill the width)', group: 'embed' },
  // An embedded figure's cost-vs-steps chart is opt-in (it computes in the background); the
  // page always has one (`hide=sweep` removes it).
  sweep: { type: 'bool', default: false, label: 'Cost-vs-steps chart', group: 'embed' },
  // Picks the shipped model with that many reflows (0: none); the Reflow button counts up.
  reflows: { ...int(0, 0, 8), label: 'Reflows of the shipped model', group: 'embed' },
};

/**
 * Validates one raw string against its spec. Returns {value} or {error}.
 * @param {string} name
 * @param {string} raw
 */
export function parseValue(name, raw) {
  // Own names only: `constructor` or `__proto__` is not a parameter.
  const spec = Object.hasOwn(PARAMS, name) ? PARAMS[name] : null;
  if (!spec) return { error: `unknown parameter '${name}'` };
  if (spec.auto && (raw.trim() === '' || raw.trim() === 'auto')) return { value: null };
  switch (spec.type) {
    case 'enum':
      return spec.options.includes(raw) ? { value: raw }
        : { error: `${name}: '${raw}' is not one of ${spec.options.join(', ')}` };
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) return { error: `${name}: '${raw}' is not a whole number` };
      const v = Number(raw);
      if (v < spec.min || v > spec.max) return { error: `${name}: ${v} is outside ${spec.min}…${spec.max}` };
      if (spec.even && v % 2) return { error: `${name}: ${v} must be even` };
      return { value: v };
    }
    case 'float': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) return { error: `${name}: '${raw}' is not a number` };
      if (v < spec.min || v > spec.max) return { error: `${name}: ${v} is outside ${spec.min}…${spec.max}` };
      return { value: v };
    }
    case 'set': {
      const items = raw.split(',').map((i) => i.trim()).filter(Boolean);
      const bad = items.filter((i) => !spec.options.includes(i));
      return bad.length ? { error: `${name}: unknown ${bad.join(', ')} (options: ${spec.options.join(', ')})` }
        : { value: items };
    }
    case 'point': {
      const parts = raw.split(',');
      const xy = parts.map((v) => Number(v));
      if (parts.length !== 2 || parts.some((v) => v.trim() === '') || !xy.every(Number.isFinite)) {
        return { error: `${name}: '${raw}' is not a point x,y` };
      }
      if (xy.some((v) => Math.abs(v) > spec.limit)) return { error: `${name}: ${raw} is outside ±${spec.limit}` };
      return { value: xy };
    }
    case 'class': {
      const text = raw.trim();
      if (text === 'all') return { value: 'all' };
      if (!/^\d+$/.test(text)) return { error: `${name}: '${raw}' is not all or a class number` };
      const v = Number(text);
      return v > spec.max ? { error: `${name}: ${v} is outside 0…${spec.max}` } : { value: v };
    }
    case 'word': {
      // Empty: no word. A word is kept as written (the page trims what it draws).
      const why = raw === '' ? null : wordProblem(raw);
      return why ? { error: `${name}: ${why}` } : { value: raw };
    }
    case 'cloud': {
      const { error } = raw === '' ? {} : decodeCloud(raw);
      return error ? { error: `${name}: ${error}` } : { value: raw };
    }
    case 'bool':
      return raw === '1' || raw === 'true' || raw === '' ? { value: true }
        : raw === '0' || raw === 'false' ? { value: false }
          : { error: `${name}: '${raw}' is not true/false` };
    default:
      return { error: `${name}: unsupported type` };
  }
}

/** The element attribute of each parameter: its name, unless HTML owns that name. */
export const ATTRIBUTES = Object.fromEntries(Object.entries(PARAMS).map(([name, spec]) => [name, spec.attribute || name]));
/** attribute → parameter name. */
export const PARAM_OF_ATTRIBUTE = Object.fromEntries(Object.entries(ATTRIBUTES).map(([name, attribute]) => [attribute, name]));

/** Every parameter at its default. */
export function defaults() {
  const out = {};
  for (const [name, spec] of Object.entries(PARAMS)) {
    out[name] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  }
  return out;
}

/**
 * Reads `#a=1&b=2`: each valid value overrides its default; each invalid or unknown one is
 * reported and left at the default.
 * @returns {{state: object, errors: string[]}}
 */
export function parseHash(hash) {
  const state = defaults();
  const errors = [];
  // The parameters whose value was refused (a live hash change keeps their current values).
  const invalid = [];
  const text = hash.replace(/^#/, '');
  if (!text) return { state, errors, invalid };
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = decoded(eq < 0 ? part : part.slice(0, eq));
    if (name === null) {
      errors.push(`'${part}' is not valid URL encoding`);
      continue;
    }
    const raw = eq < 0 ? '' : decoded(part.slice(eq + 1));
    // A known name with a garbled value is that parameter's error (its current value stays).
    const { value, error } = raw === null && Object.hasOwn(PARAMS, name)
      ? { error: `${name}: '${part.slice(eq + 1)}' is not valid URL encoding` } : parseValue(name, raw ?? '');
    if (error) {
      errors.push(`${error} — using the default`);
      invalid.push(name);
    } else {
      state[name] = value;
    }
  }
  return { state, errors, invalid };
}

/** `text` URL-decoded, or null where it is not valid URL encoding. */
function decoded(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * What a new hash changes in the `current` state: each parameter whose value differs (those
 * the hash leaves out go back to their defaults); a refused value keeps the current one.
 * @returns {{changes: object, errors: string[]}}
 */
export function hashChanges(current, hash) {
  const { state, errors, invalid } = parseHash(hash);
  const changes = {};
  for (const [name, value] of Object.entries(state)) {
    if (invalid.includes(name)) continue;
    if (JSON.stringify(value) !== JSON.stringify(current[name])) changes[name] = value;
  }
  return { changes, errors };
}

function format(spec, value) {
  if (spec.auto && value === null) return 'auto';
  if (spec.type === 'set' || spec.type === 'point') return value.join(',');
  if (spec.type === 'bool') return value ? '1' : '0';
  return String(value);
}

/** The hash holding every parameter that differs from its default. */
export function toHash(state) {
  const parts = [];
  for (const [name, spec] of Object.entries(PARAMS)) {
    const text = format(spec, state[name]);
    if (text !== format(spec, spec.default)) parts.push(`${name}=${encodeURIComponent(text)}`);
  }
  return parts.length ? `#${parts.join('&')}` : '';
}

/** The core's coupling name: `sinkhorn:ε` carries its ε. */
export function couplingSpec(state) {
  return state.coupling === 'sinkhorn' ? `sinkhorn:${state.epsilon}` : state.coupling;
}

/** The core's path name: `bridge:σ` carries its σ. */
export function pathSpec(state) {
  return state.path === 'bridge' ? `bridge:${state.sigma}` : state.path;
}

/** The training config object the core expects (see WebConfig in src/web.rs). */
export function trainConfig(state) {
  return {
    dataset: state.dataset,
    // Drawn points are used as drawn: the spread applies to the named datasets.
    spread: state.dataset === 'points' ? null : state.spread,
    source: state.source,
    path: pathSpec(state),
    param: state.param,
    coupling: couplingSpec(state),
    timeSampling: state.time,
    width: state.width,
    depth: state.depth,
    activation: state.activation,
    timeEmbedding: state.embed,
    lr: state.lr,
    batch: state.batch,
    warmup: 0,
    ema: state.ema,
    clip: 0,
    seed: state.seed,
    conditional: state.conditional,
    labelDropout: state.conditional ? state.dropout : null,
    shortcut: state.model === 'shortcut',
  };
}

/** The sample's class for the core: −1 for all (each particle's drawn like the data's). */
export function classIndex(state) {
  return state.class === 'all' ? -1 : state.class;
}

/** The solver string the core expects. */
export function solverSpec(state) {
  return state.solver === 'dopri5' ? `dopri5:${state.tol}:${state.tol}` : state.solver;
}

/**
 * Reads attribute-like pairs (name → string) over the defaults, e.g. an element's attributes.
 * @returns {{state: object, errors: string[]}}
 */
export function parseAttributes(pairs) {
  const state = defaults();
  const errors = [];
  for (const [name, raw] of pairs) {
    const { value, error } = parseValue(name, raw);
    if (error) errors.push(`${error} — using the default`);
    else state[name] = value;
  }
  return { state, errors };
}

/** The settings that pick a shipped model (see www/models/index.json and manifestKey). */
export const MODEL_KEYS = ['dataset', 'spread', 'source', 'path', 'sigma', 'param', 'coupling', 'epsilon', 'width',
  'depth', 'activation', 'embed', 'conditional', 'dropout', 'model', 'reflows'];

/**
 * The manifest's fields for `state`: the core's composed path and coupling names, the model
 * type as the flag `shortcut`, a conditional model's label dropout (null for the others), and
 * the rest as they are.
 */
export function manifestKey(state) {
  return {
    dataset: state.dataset, spread: state.spread, source: state.source, path: pathSpec(state), param: state.param,
    coupling: couplingSpec(state), width: state.width, depth: state.depth, activation: state.activation,
    embed: state.embed, conditional: state.conditional, label_dropout: state.conditional ? state.dropout : null,
    shortcut: state.model === 'shortcut', reflows: state.reflows,
  };
}

/** Parameters whose change needs a fresh training run (the others only resample or redraw). */
export const RESTARTS = new Set(['dataset', 'spread', 'source', 'path', 'sigma', 'param', 'coupling', 'epsilon',
  'time', 'width', 'depth', 'activation', 'embed', 'lr', 'batch', 'ema', 'seed', 'conditional', 'dropout', 'model', 'reflows']);

/**
 * The changed `names` (from `before` to `after`) that need a fresh run: ε and σ only while
 * they are part of the coupling's and the path's names, the label dropout only for a
 * conditional model.
 */
export function restartNames(names, before, after) {
  return names.filter((n) => RESTARTS.has(n)
    && !(n === 'epsilon' && couplingSpec(before) === couplingSpec(after))
    && !(n === 'sigma' && pathSpec(before) === pathSpec(after))
    && !(n === 'dropout' && !before.conditional && !after.conditional));
}
