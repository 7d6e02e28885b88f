// What a figure draws: its active layers (layers/index.js) over one view at the animation's
// time, or over small multiples at fixed times (`layout=snapshots`) or of the end states of
// Euler with 1, 2, 4 and 8 steps (`layout=steps`), and the inputs those layers need (fields,
// guided fields, scores, the average at the picked point, each panel's samples), fetched from
// the worker when t, the point or the weights change and cached while they stay valid.
// Densities are keyframes refreshed on a budget as the weights change (density.js).

import { activeLayers, needsOf, LAYERS } from './layers/index.js';
import { THEMES } from './layers/theme.js';
import { AVERAGE_K } from './layers/average.js';
import { wheelColor, cssColor } from './layers/colorwheel.js';
import { Request } from './client.js';
import { LineLayer, View, stateIndex, context2d } from './render.js';
import { trainConfig } from './state.js';
import { DensitySeries, KEYFRAMES, EXACT_T_MAX, densityNfe, finiteMax } from './density.js';
import { scaleFor, drawColorBar } from './layers/heatmap.js';

export const BOUNDS = [-6.5, 6.5, -6.5, 6.5];
/** Small multiples are small: they show the middle of the view, where the toy data lives. */
export const SNAPSHOT_BOUNDS = [-5.5, 5.5, -5.5, 5.5];
export const SNAPSHOT_TIMES = [0, 0.25, 0.5, 0.75, 1];
const SNAPSHOT_LABELS = ['t = 0', 't = ¼', 't = ½', 't = ¾', 't = 1'];
/** The Euler step counts of `layout=steps`, one panel each (end states at t = 1). */
export const STEP_NFES = [1, 2, 4, 8];
/** Fields and posteriors of an empirical target are singular at t = 1: shown just before. */
const T_MAX = 0.99;
const CACHE = 160;

/** The time an input is fetched for: t on a 0.01 grid, below T_MAX. */
export function inputTime(t) {
  return Math.min(T_MAX, Math.round(t * 100) / 100);
}

/** Lattice resolution for a panel of `size` pixels: arrows about 30 px apart, 9 to 19 a side. */
export function fieldGrid(size) {
  return Math.max(9, Math.min(19, Math.round(size / 30)));
}

/** The density lattice: DENSITY_GRID cells a side (smoothed when drawn), fewer in small panels. */
export const DENSITY_GRID = 48;
export function densityGrid(size) {
  return Math.max(16, Math.min(DENSITY_GRID, Math.round(size / 4)));
}

/** The density layers and the worker's name for each. */
const DENSITIES = { density: 'learned', 'exact-density': 'exact' };
/** The score layers: the FIELD request's `which` for each. */
const SCORES = ['score', 'exact-score'];

/** Layouts of fixed times, with no clock to play or scrub. */
export function fixedLayout(layout) {
  return layout === 'snapshots' || layout === 'steps';
}

/** The label of the `layout=steps` panel for `nfe` Euler steps. */
export function stepsLabel(nfe) {
  return `${nfe} Euler step${nfe === 1 ? '' : 's'}`;
}

/**
 * The canvas layout for a figure `width` pixels wide: one square view, SNAPSHOT_TIMES panels
 * side by side (`snapshots`) or one panel per STEP_NFES (`steps`, each at t = 1 with its own
 * samples: `nfe`), with a label row under them.
 * @returns {{width: number, height: number, panels: {x: number, size: number, bounds: number[], t: number|null, label: string|null, nfe?: number}[]}}
 */
export function layoutFor(layout, width) {
  if (!fixedLayout(layout)) return { width, height: width, panels: [{ x: 0, size: width, bounds: BOUNDS, t: null, label: null }] };
  const n = layout === 'steps' ? STEP_NFES.length : SNAPSHOT_TIMES.length;
  const gap = Math.max(4, Math.round(width * 0.012));
  const size = Math.floor((width - (n - 1) * gap) / n);
  const label = Math.max(16, Math.round(size * 0.16));
  const panels = layout === 'steps'
    ? STEP_NFES.map((nfe, i) => ({ x: i * (size + gap), size, bounds: SNAPSHOT_BOUNDS, t: 1, label: stepsLabel(nfe), nfe }))
    : SNAPSHOT_TIMES.map((t, i) => ({ x: i * (size + gap), size, bounds: SNAPSHOT_BOUNDS, t, label: SNAPSHOT_LABELS[i] }));
  return { width, height: size + label, panels };
}

export class Scene {
  /**
   * @param {(type: string, payload: object) => Promise<object>} request  the figure's worker request
   * @param {object} [host]  what panels with their own samples ask of the figure:
   *   `stepSpec(nfe)` (the SAMPLE request for Euler in nfe steps) and `decorateSamples(reply)`
   *   (its colours and statistics)
   */
  constructor(request, say, host = null) {
    this.request = request;
    this.say = say;
    this.host = host;
    this.cache = new Map();
    this.latest = {};
    this.inFlight = null;
    this.generation = 0;
    this.own = Object.fromEntries(LAYERS.filter((l) => l.create).map((l) => [l.name, l.create()]));
    this.layout = layoutFor('single', 100);
    this.report = { renderer: null, average: null, cost: 0, notes: [], densities: {}, steps: null };
    this.legend = null;
    this.raster = null;
    this.missing = 0;
    this.series = Object.fromEntries(Object.entries(DENSITIES).map(([name, which]) => [name, new DensitySeries(which)]));
    this.buffers = {};
  }

  /** The weights changed: every cached input is stale (the last ones stay on screen until replaced). */
  invalidate() {
    this.cache.clear();
    this.generation += 1;
  }

  /** The inputs the active layers need for `panels` at the animation time `t`. */
  wants(state, t) {
    const needs = needsOf(state.layers);
    const out = [];
    for (const panel of this.layout.panels) {
      const at = inputTime(panel.t ?? t);
      const grid = fieldGrid(panel.size);
      const { bounds } = panel;
      for (const which of ['field', 'exact']) {
        if (!needs.has(which)) continue;
        out.push({
          key: `${which}:${grid}:${bounds}:${at}`, kind: which, type: Request.FIELD,
          payload: { which: which === 'field' ? 'learned' : 'exact', t: at, bounds, grid },
          wrap: (reply) => ({ v: reply.v, grid, bounds, t: at }),
        });
      }
      for (const kind of SCORES) {
        if (!needs.has(kind)) continue;
        const config = JSON.stringify(trainConfig(state));
        // A score the source does not allow is asked for once per model, not once per t.
        if (this.latest[kind] && this.latest[kind].note && this.latest[kind].config === config) continue;
        out.push({
          key: `${kind}:${grid}:${bounds}:${at}`, kind, type: Request.FIELD,
          payload: { which: kind, t: at, bounds, grid },
          wrap: (reply) => ({ v: reply.v, grid, bounds, t: at }),
          unsupported: (message) => ({ note: `The ${kind === 'score' ? 'learned' : 'exact'} score is not available here: ${message}.`, config }),
        });
      }
      for (const which of ['guided', 'exact-guided']) {
        if (!needs.has(which) || !state.conditional || state.class === 'all') continue;
        const { class: c, guidance } = state;
        out.push({
          key: `${which}:${grid}:${bounds}:${at}:${c}:${guidance}`, kind: which, type: Request.GUIDED_FIELD,
          payload: { which: which === 'guided' ? 'learned' : 'exact', t: at, bounds, grid, class: c, guidance },
          wrap: (reply) => ({ v: reply.v, grid, bounds, t: at }),
        });
      }
      if (panel.nfe && this.host) {
        out.push({
          key: `steps:${panel.nfe}`, kind: `steps:${panel.nfe}`, type: Request.SAMPLE,
          payload: this.host.stepSpec(panel.nfe), wrap: (reply) => this.host.decorateSamples(reply),
        });
      }
      if (needs.has('average')) {
        const [x, y] = state.point;
        out.push({
          key: `average:${at}:${x},${y}`, kind: 'average', type: Request.AVERAGE || 'average',
          payload: { x, y, t: at, k: AVERAGE_K }, wrap: (reply) => reply,
        });
      }
    }
    return out;
  }

  /**
   * Points each active density series at its lattice and keyframe times: the view's keyframes,
   * or the panels' own times in snapshots. Returns the active series.
   */
  densitySeries(state) {
    const active = [];
    const panel = this.layout.panels[0];
    const grid = densityGrid(panel.size);
    const snapshots = this.layout.panels.length > 1;
    for (const [name, which] of Object.entries(DENSITIES)) {
      if (!state.layers.includes(name)) continue;
      const series = this.series[name];
      const limit = which === 'exact' ? EXACT_T_MAX : 1;
      const times = [...new Set((snapshots ? this.layout.panels.map((p) => p.t) : KEYFRAMES).map((t) => Math.min(limit, t)))];
      series.configure(`${JSON.stringify(trainConfig(state))}|${grid}|${panel.bounds}|${times}`, times, grid, panel.bounds);
      active.push(series);
    }
    return active;
  }

  /**
   * Fetches the first missing input (one request at a time): the fields and averages at t first,
   * then density keyframes. `run` is {training, weights}: the weights' version (a density
   * keyframe is stale once they move) and whether training moves them.
   */
  refresh(state, t, run = { training: false, weights: 0 }) {
    const wants = this.wants(state, t);
    this.missing = wants.filter((w) => !this.cache.has(w.key)).length;
    const series = this.densitySeries(state);
    for (const s of series) {
      if (s.note) continue;
      this.missing += s.times.filter((k) => !s.frames.has(k) || (!run.training && s.frames.get(k).generation < run.weights)).length;
    }
    if (this.inFlight) return;
    if (!wants.some((w) => !this.cache.has(w.key))) {
      this.refreshDensity(series, t, run);
      return;
    }
    const want = wants.find((w) => !this.cache.has(w.key));
    const generation = this.generation;
    this.inFlight = want.key;
    this.request(want.type, want.payload).then((reply) => want.wrap(reply), (error) => {
      if (error.fatal) return undefined;
      // An input that cannot be had says why once, instead of being asked for every frame.
      if (want.kind === 'average') return { supported: false, note: error.message };
      if (want.unsupported) return want.unsupported(error.message);
      this.say(error.message, { kind: 'error' });
      return null;
    }).then((value) => {
      this.inFlight = null;
      if (value === undefined || generation !== this.generation) return;
      this.cache.set(want.key, value);
      if (this.cache.size > CACHE) this.cache.delete(this.cache.keys().next().value);
      if (value) this.latest[want.kind] = value;
      this.dirty = true;
    });
  }

  /** Fetches the next due density keyframe, if any. */
  refreshDensity(series, t, { training, weights }) {
    for (const s of series) {
      const at = s.next(weights, t, training, performance.now());
      if (at === null) continue;
      const key = `${s.which}-density:${at}`;
      this.inFlight = key;
      const started = performance.now();
      const payload = { which: s.which, t: at, bounds: s.bounds, grid: s.grid };
      if (s.which === 'learned') Object.assign(payload, { solver: 'rk4', nfe: densityNfe(at) });
      const seriesKey = s.key;
      this.request(Request.DENSITY, payload).then((reply) => {
        if (s.key === seriesKey) s.store(at, reply.logp, weights, performance.now() - started);
      }, (error) => {
        // The source has no density: the layer shows why, once.
        if (!error.fatal && s.key === seriesKey) s.note = `The ${s.which} density is not available here: ${error.message}.`;
      }).then(() => {
        this.inFlight = null;
        this.dirty = true;
      });
      return;
    }
  }

  /**
   * The density inputs of a panel at time `pt`: layer name → {logp, grid, bounds, scale} or
   * {note}, on one colour scale for every density drawn (the highest keyframe value, rounded up).
   */
  densityInputs(state, pt, snapshots) {
    const out = {};
    const active = Object.keys(DENSITIES).filter((name) => state.layers.includes(name)).map((name) => [name, this.series[name]]);
    if (!active.length) return out;
    const scale = scaleFor(finiteMax(active.flatMap(([, s]) => [...s.frames.values()].map((f) => f.logp))));
    for (const [name, s] of active) {
      if (s.note) {
        out[name] = { note: s.note };
        continue;
      }
      const size = s.grid * s.grid;
      const buffer = this.buffers[name] && this.buffers[name].length === size ? this.buffers[name] : new Float32Array(size);
      // A snapshot panel shows its own keyframe (a fresh array each); the single view
      // interpolates into one buffer per layer.
      const logp = s.at(pt, snapshots ? null : buffer);
      if (!snapshots) this.buffers[name] = buffer;
      out[name] = logp ? { logp, grid: s.grid, bounds: s.bounds, scale, series: s } : null;
    }
    return out;
  }

  /** The cached input `key`, else the latest of its kind (so a moving figure does not flicker). */
  input(key, kind) {
    return this.cache.has(key) ? this.cache.get(key) : this.latest[kind] || null;
  }

  /** True when every input the current view needs has arrived. */
  get settled() { return !this.inFlight && this.missing === 0; }

  /**
   * Draws everything on `ctx`: `inputs` holds {state, data, samples, pairs, t} and, for a
   * conditional model, the data's labels and the class palette.
   */
  draw(ctx, { state, data, dataLabels, palette, samples: shared, pairs, t }) {
    const colors = THEMES[state.theme] || THEMES.light;
    const layers = activeLayers(state.layers);
    const { width, height, panels } = this.layout;
    ctx.clearRect(0, 0, width, height);
    const report = { renderer: null, average: null, cost: 0, notes: [], densities: {}, steps: null };
    const primary = panels.length > 1 ? 2 : 0;
    let scale = null;
    panels.forEach((panel, index) => {
      const pt = panel.t ?? t;
      const at = inputTime(pt);
      const grid = fieldGrid(panel.size);
      const [px, py] = state.point;
      // A steps panel draws its own samples (Euler in panel.nfe steps), only once they came.
      let samples = shared;
      let label = panel.label;
      if (panel.nfe) {
        samples = this.input(`steps:${panel.nfe}`, `steps:${panel.nfe}`);
        if (!report.steps) report.steps = [];
        report.steps.push({ nfe: panel.nfe, slicedW2: samples && samples.stats ? samples.stats.slicedW2 : null });
        if (samples && samples.stats) label = `${label} · sliced W₂ ${samples.stats.slicedW2.toFixed(2)}`;
      }
      const { class: c, guidance } = state;
      const frame = {
        state, colors, data, dataLabels, palette, samples, pairs, report, primary: index === primary, say: this.say,
        solver: panel.nfe ? 'euler' : state.solver,
        dot: Math.max(2, Math.round(panel.size / 300)),
        at: samples && samples.trajectory ? stateIndex(samples.times, pt) : 0,
        wheel: samples && samples.colors ? samples.colors.frame : null,
        field: this.input(`field:${grid}:${panel.bounds}:${at}`, 'field'),
        exact: this.input(`exact:${grid}:${panel.bounds}:${at}`, 'exact'),
        average: this.input(`average:${at}:${px},${py}`, 'average'),
        score: this.input(`score:${grid}:${panel.bounds}:${at}`, 'score'),
        'exact-score': this.input(`exact-score:${grid}:${panel.bounds}:${at}`, 'exact-score'),
        densities: this.densityInputs(state, pt, panels.length > 1),
        guided: this.input(`guided:${grid}:${panel.bounds}:${at}:${c}:${guidance}`, 'guided'),
        exactGuided: this.input(`exact-guided:${grid}:${panel.bounds}:${at}:${c}:${guidance}`, 'exact-guided'),
        averageT: at,
        point: state.point,
        own: null,
      };
      const view = new View(panel.bounds, panel.size, panel.size);
      // Layers that draw on the CPU (`raster`) share one pixel buffer, put on the canvas in one
      // upload before the next canvas-drawn layer (so the order of the layers holds).
      if (!this.raster || this.raster.width !== panel.size) this.raster = new LineLayer(panel.size, panel.size);
      let used = false;
      frame.raster = () => { used = true; return this.raster; };
      frame.flush = () => {
        if (!used) return;
        this.raster.blit(ctx);
        this.raster.clear();
        used = false;
      };
      ctx.save();
      ctx.translate(panel.x, 0);
      ctx.beginPath();
      ctx.rect(0, 0, panel.size, panel.size);
      ctx.clip();
      for (const layer of layers) {
        if (!layer.raster) frame.flush();
        frame.own = this.own[layer.name] || null;
        report.cost += layer.cost(frame);
        layer.draw(ctx, view, pt, frame);
      }
      frame.flush();
      ctx.restore();
      if (index === primary) report.densities = densityReport(frame.densities, pt);
      for (const d of Object.values(frame.densities)) if (d && d.scale) ({ scale } = d);
      if (label) this.drawLabel(ctx, panel, colors, label);
    });
    const legend = !state.hide.includes('legend') && layers.some((l) => l.wheel) && shared;
    // Class colours need their key in every layout; in snapshots the t = 0 panel is itself the
    // wheel's legend.
    if (legend && shared.colors && shared.colors.kind === 'class') this.drawClassLegend(ctx, panels[0].size, state, shared.colors.bucketColors, colors);
    else if (legend && !panels[0].label) this.drawLegend(ctx, panels[0].size, state.theme, colors);
    // The density colour bar, top right (of the last panel in snapshots).
    if (scale && !state.hide.includes('legend')) {
      const last = panels[panels.length - 1];
      ctx.save();
      ctx.translate(last.x, 0);
      drawColorBar(ctx, last.size, scale, state.theme, colors);
      ctx.restore();
    }
    this.report = report;
  }

  /**
   * The class colours, top left: one swatch per class (the picked class alone when there is
   * one) and the guidance scale.
   */
  drawClassLegend(ctx, size, state, palette, colors) {
    const font = Math.round(Math.max(10, Math.min(15, size * 0.032)));
    const m = Math.round(font * 0.8);
    const box = Math.round(font * 0.8);
    const picked = state.class === 'all' ? null : state.class;
    const shown = picked === null ? [...palette.keys()] : [picked];
    ctx.save();
    ctx.font = `${font}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    let x = m;
    let y = m + font / 2;
    ctx.fillStyle = colors.muted;
    const title = picked === null ? 'class' : `class ${picked}`;
    ctx.fillText(title, x, y);
    x += ctx.measureText(title).width + font * 0.5;
    const start = x;
    for (const k of shown) {
      const text = picked === null ? String(k) : '';
      const w = box + (text ? ctx.measureText(text).width + font * 0.25 : 0) + font * 0.45;
      if (x + w > size - m && x > start) { x = start; y += font * 1.3; }
      ctx.fillStyle = cssColor(palette[k], 1);
      ctx.fillRect(x, Math.round(y - box / 2), box, box);
      if (text) {
        ctx.fillStyle = colors.muted;
        ctx.fillText(text, x + box + font * 0.2, y);
      }
      x += w;
    }
    ctx.fillStyle = colors.muted;
    ctx.fillText(`guidance w = ${state.guidance}`, m, y + font * 1.3);
    ctx.restore();
  }

  drawLabel(ctx, panel, colors, text = panel.label) {
    ctx.save();
    ctx.strokeStyle = 'rgba(128, 136, 150, 0.35)';
    ctx.lineWidth = 1;
    ctx.strokeRect(panel.x + 0.5, 0.5, panel.size - 1, panel.size - 1);
    ctx.fillStyle = colors.text;
    let font = Math.round(Math.max(11, panel.size * 0.085));
    ctx.font = `${font}px system-ui, sans-serif`;
    // A long label shrinks to its panel's width (not below 9 px).
    const fits = (0.96 * panel.size) / Math.max(1, ctx.measureText(text).width);
    if (fits < 1) {
      font = Math.max(9, Math.floor(font * fits));
      ctx.font = `${font}px system-ui, sans-serif`;
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(text, panel.x + panel.size / 2, panel.size + 3);
    ctx.restore();
  }

  /** The source's colour wheel on a disc, top left: colour says where a particle started. */
  drawLegend(ctx, size, theme, colors) {
    const r = Math.round(Math.max(12, Math.min(30, size * 0.045)));
    if (!this.legend || this.legend.r !== r || this.legend.theme !== theme) {
      const disc = new OffscreenCanvas(2 * r, 2 * r);
      const c = context2d(disc);
      const image = c.createImageData(2 * r, 2 * r);
      for (let j = 0; j < 2 * r; j += 1) {
        for (let i = 0; i < 2 * r; i += 1) {
          const dx = i + 0.5 - r;
          const dy = r - (j + 0.5);
          const d = Math.hypot(dx, dy);
          if (d > r) continue;
          const [R, G, B] = wheelColor(dx, dy, r, theme);
          const o = 4 * (j * 2 * r + i);
          image.data.set([R, G, B, Math.round(255 * Math.min(1, r - d + 0.5))], o);
        }
      }
      c.putImageData(image, 0, 0);
      this.legend = { r, theme, disc };
    }
    const m = Math.round(r * 0.4);
    ctx.drawImage(this.legend.disc, m, m);
    ctx.fillStyle = colors.muted;
    ctx.font = `${Math.round(Math.max(10, r * 0.6))}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillText('colour = start (t = 0)', m + 2 * r + 6, m + r);
  }

  dispose() {
    for (const layer of LAYERS) if (layer.dispose && this.own[layer.name]) layer.dispose(this.own[layer.name]);
  }
}

/**
 * What the primary panel's density layers drew, for status(): per layer the time, lattice,
 * scale, log p at the lattice cell nearest the origin, the largest value and the worker's
 * milliseconds per keyframe (t → ms), or the note.
 */
function densityReport(densities, t) {
  const out = {};
  for (const [name, d] of Object.entries(densities)) {
    if (!d) continue;
    if (d.note) {
      out[name] = { note: d.note };
      continue;
    }
    const [x0, x1, y0, y1] = d.bounds;
    const i = Math.max(0, Math.min(d.grid - 1, Math.floor(((0 - x0) / (x1 - x0)) * d.grid)));
    const j = Math.max(0, Math.min(d.grid - 1, Math.floor(((0 - y0) / (y1 - y0)) * d.grid)));
    const cx = x0 + ((i + 0.5) / d.grid) * (x1 - x0);
    const cy = y0 + ((j + 0.5) / d.grid) * (y1 - y0);
    out[name] = { t, grid: d.grid, bounds: d.bounds, scale: d.scale, centre: [cx, cy, d.logp[j * d.grid + i]], max: finiteMax([d.logp]), keyframeMs: Object.fromEntries([...d.series.frames].map(([k, f]) => [k, Math.round(f.ms)])) };
  }
  return out;
}
