// The density heatmap's inputs: log p_t on a lattice at a few keyframe times, fetched from the
// worker one keyframe per request (so training and other requests interleave), and log p at
// any t by linear interpolation in t between the two nearest keyframes that have arrived. A
// moving time slider therefore never waits for the worker. When the weights change the
// keyframes are refetched on a time budget (while training at most BUDGET of the time goes to
// them), the old ones staying on screen until replaced. Pure logic, no DOM.

/** Keyframe times of the single view: t = 0, 0.1, …, 1. */
export const KEYFRAMES = Array.from({ length: 11 }, (_, k) => k / 10);
/** The exact density of the empirical data is a sum of spikes at t = 1: shown up to here. */
export const EXACT_T_MAX = 0.95;
/** While training, at most this share of the time goes to refreshing keyframes… */
export const BUDGET = 0.2;
/** …and a refresh starts at most this often (ms). */
export const MIN_GAP = 3000;

/**
 * RK4 evaluations for the learned density at time t: the points travel from t back to 0, so
 * the steps shrink with t (one RK4 step per 0.2 of time; 4 evaluations at least).
 */
export function densityNfe(t) {
  return 4 * Math.max(1, Math.ceil(5 * t - 1e-9));
}

/**
 * The order keyframes are fetched in: the one nearest `t` first (what the reader looks at),
 * then by bisection (ends, middle, quarters, …), so a half-fetched series already spans [0, 1].
 */
export function fetchOrder(times, t) {
  if (!times.length) return [];
  const sorted = [...times].sort((a, b) => a - b);
  const nearest = sorted.reduce((best, s) => (Math.abs(s - t) < Math.abs(best - t) ? s : best), sorted[0]);
  const order = [nearest];
  const take = (i) => { if (!order.includes(sorted[i])) order.push(sorted[i]); };
  take(0);
  take(sorted.length - 1);
  // Breadth-first bisection of the index range.
  let spans = [[0, sorted.length - 1]];
  while (spans.length) {
    const next = [];
    for (const [a, b] of spans) {
      if (b - a < 2) continue;
      const m = Math.floor((a + b) / 2);
      take(m);
      next.push([a, m], [m, b]);
    }
    spans = next;
  }
  return order;
}

/**
 * The two keyframes around `t` and the weight of the upper one: {lo, hi, w} with
 * value = (1 − w)·lo + w·hi. `frames` is sorted by t; t outside their span takes the end frame.
 * Null when there are none.
 */
export function bracket(frames, t) {
  if (!frames.length) return null;
  if (t <= frames[0].t) return { lo: frames[0], hi: frames[0], w: 0 };
  const last = frames[frames.length - 1];
  if (t >= last.t) return { lo: last, hi: last, w: 0 };
  let k = 1;
  while (frames[k].t < t) k += 1;
  const lo = frames[k - 1];
  const hi = frames[k];
  return { lo, hi, w: (t - lo.t) / (hi.t - lo.t) };
}

/** log p at time t, linear in t between the bracketing keyframes, into `out` (Float32Array). */
export function interpolate(frames, t, out) {
  const b = bracket(frames, t);
  if (!b) return null;
  const { lo, hi, w } = b;
  const n = lo.logp.length;
  const target = out && out.length === n ? out : new Float32Array(n);
  for (let i = 0; i < n; i += 1) target[i] = (1 - w) * lo.logp[i] + w * hi.logp[i];
  return target;
}

/** The largest finite value of the arrays (−∞ when none). */
export function finiteMax(arrays) {
  let max = -Infinity;
  for (const a of arrays) for (let i = 0; i < a.length; i += 1) if (a[i] > max && Number.isFinite(a[i])) max = a[i];
  return max;
}

/**
 * One density layer's keyframes ('learned' or 'exact') for one lattice. `key` names what they
 * depend on besides the weights (the lattice, the times, the model's settings): a new key drops
 * them. `generation` counts weight changes (the scene's).
 */
export class DensitySeries {
  constructor(which) {
    this.which = which;
    this.key = null;
    this.times = [];
    this.frames = new Map(); // t → {t, logp, generation, ms}
    this.note = null;
    this.target = 0; // the generation the current refresh fetches for
    this.passStart = -Infinity; // when the current refresh started (ms)
    this.passCost = 0; // worker time of the current refresh (ms)
    this.lastCost = 0; // …and of the last complete one
    this.grid = 0;
    this.bounds = null;
  }

  /** Keyframes for `times` on the lattice `grid` over `bounds`, depending on `key`. */
  configure(key, times, grid, bounds) {
    if (key === this.key) return;
    Object.assign(this, { key, times: [...times], grid, bounds, note: null, passCost: 0, lastCost: 0, passStart: -Infinity });
    this.frames.clear();
  }

  /** The keyframes that have arrived, sorted by t. */
  sorted() {
    return [...this.frames.values()].sort((a, b) => a.t - b.t);
  }

  /**
   * The next keyframe time to fetch at animation time `t`, or null: missing keyframes at once;
   * keyframes of older weights when a refresh is due (not training: at once; training: after
   * MIN_GAP and after the last refresh's cost ·(1 − BUDGET)/BUDGET).
   */
  next(generation, t, training, now) {
    if (this.note) return null;
    const missing = fetchOrder(this.times, t).filter((s) => !this.frames.has(s));
    if (missing.length) {
      if (this.passStart === -Infinity) Object.assign(this, { target: generation, passStart: now, passCost: 0 });
      return missing[0];
    }
    // A refresh under way finishes for the weights it started with, so the keyframes on screen
    // are never a mix of more than two versions.
    const order = fetchOrder(this.times, t);
    let stale = order.filter((s) => this.frames.get(s).generation < this.target);
    if (!stale.length && this.target < generation) {
      const wait = training ? Math.max(MIN_GAP, (this.lastCost * (1 - BUDGET)) / BUDGET) : 0;
      if (now - this.passStart < wait) return null;
      Object.assign(this, { target: generation, passStart: now, passCost: 0 });
      stale = order.filter((s) => this.frames.get(s).generation < this.target);
    }
    return stale.length ? stale[0] : null;
  }

  /** Stores a keyframe that took `ms` of worker time. */
  store(t, logp, generation, ms) {
    this.frames.set(t, { t, logp, generation, ms });
    this.passCost += ms;
    if (this.times.every((s) => this.frames.has(s) && this.frames.get(s).generation >= this.target)) this.lastCost = this.passCost;
  }

  /** log p at t (interpolated), or null before any keyframe. */
  at(t, out) {
    return interpolate(this.sorted(), t, out);
  }
}
