// The cost-vs-steps chart: W₂ between a sampler's particles and fresh data against the number
// of function evaluations (NFE), one line per solver, both axes logarithmic, with the
// two-sample floor (the W₂ of two data draws: no sampler can be told apart from the data below
// it) as a dashed line. Pure scales and ticks, and one drawing function of (context, points).

/** The solver families in legend order, with their colours. */
export const FAMILIES = [
  { name: 'euler', label: 'Euler', color: '#e4572e' },
  { name: 'midpoint', label: 'midpoint', color: '#9b5de5' },
  { name: 'heun', label: 'Heun', color: '#2a6fdb' },
  { name: 'rk4', label: 'RK4', color: '#17a35a' },
  // The reference solver in the theme's ink (colors.ink).
  { name: 'dopri5', label: 'dopri5', color: null },
  { name: 'sde', label: 'SDE (γ = 1)', color: '#d63c8f' },
];

/** The family of a point's solver label: `dopri5:0.01:0.01` → dopri5, `sde:1` → sde. */
export function solverFamily(label) {
  return String(label).split(':')[0];
}

/**
 * A logarithmic scale mapping [lo, hi] (both > 0) onto [a, b]: returns v ↦ position.
 * @returns {(v: number) => number}
 */
export function logScale(lo, hi, a, b) {
  const l0 = Math.log(lo);
  const span = Math.log(hi) - l0 || 1;
  return (v) => a + ((Math.log(v) - l0) / span) * (b - a);
}

/** The powers of two in [lo, hi]. */
export function powerOfTwoTicks(lo, hi) {
  const out = [];
  for (let v = 2 ** Math.ceil(Math.log2(lo) - 1e-9); v <= hi * (1 + 1e-9); v *= 2) out.push(v);
  return out;
}

/** The multiples of 10^k in [lo, hi] (lo > 0) with mantissa in `mantissas`, rounded to two digits. */
function decadeTicks(lo, hi, mantissas) {
  const out = [];
  for (let k = Math.floor(Math.log10(lo)); 10 ** k <= hi; k += 1) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** k).toPrecision(2));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/**
 * Tick values for a log axis over [lo, hi] (lo > 0): 1, 2 and 5 × 10^k, or, where those give
 * fewer than three (a range under a decade), 1, 1.5, 2, 3, 5 and 7 × 10^k.
 */
export function niceLogTicks(lo, hi) {
  const coarse = decadeTicks(lo, hi, [1, 2, 5]);
  return coarse.length >= 3 ? coarse : decadeTicks(lo, hi, [1, 1.5, 2, 3, 5, 7]);
}

/**
 * The chart's points grouped by family (FAMILIES order), each sorted by NFE; points whose W₂
 * is not a finite positive number are left out (and counted).
 * @returns {{series: {family: object, points: object[]}[], dropped: number}}
 */
export function seriesOf(points) {
  let dropped = 0;
  const by = new Map();
  for (const p of points) {
    if (!(Number.isFinite(p.w2) && p.w2 > 0)) { dropped += 1; continue; }
    const name = solverFamily(p.solver);
    if (!by.has(name)) by.set(name, []);
    by.get(name).push(p);
  }
  const known = FAMILIES.map((f) => f.name);
  const series = [...by.keys()].sort((a, b) => (known.indexOf(a) + 1 || 99) - (known.indexOf(b) + 1 || 99)).map((name) => ({
    family: FAMILIES.find((f) => f.name === name) || { name, label: name, color: '#888' },
    points: by.get(name).sort((a, b) => a.nfe - b.nfe),
  }));
  return { series, dropped };
}

/**
 * The axes' ranges for `points` and the `floor`: NFE from 1 to at least 64 (powers of two),
 * W₂ from a little below the floor (or the best point) to a little above the worst.
 * @returns {{nfe: [number, number], w2: [number, number]}}
 */
export function chartDomain(points, floor) {
  let maxNfe = 64;
  let lo = Number.isFinite(floor) && floor > 0 ? floor : Infinity;
  let hi = lo;
  for (const p of points) {
    if (!(Number.isFinite(p.w2) && p.w2 > 0)) continue;
    maxNfe = Math.max(maxNfe, p.nfe);
    lo = Math.min(lo, p.w2);
    hi = Math.max(hi, p.w2);
  }
  if (!Number.isFinite(lo)) return { nfe: [1, maxNfe], w2: [0.1, 10] };
  return { nfe: [1, 2 ** Math.ceil(Math.log2(maxNfe))], w2: [lo / 1.3, Math.max(hi * 1.3, lo * 3)] };
}

/**
 * The legend's entries laid out in rows under the plot: `widths` (pixels each) wrapped at
 * `width` with `gap` between entries. Returns each entry's {x, row} and the number of rows.
 */
export function legendRows(widths, width, gap) {
  const at = [];
  let x = 0;
  let row = 0;
  for (const w of widths) {
    if (x > 0 && x + w > width) { x = 0; row += 1; }
    at.push({ x, row });
    x += w + gap;
  }
  return { at, rows: widths.length ? row + 1 : 0 };
}

/**
 * Draws the chart of `points` ({solver, nfe, w2, completed}) and `floor` on `ctx` (`width` ×
 * `height` device pixels, `scale` device pixels per CSS pixel), its legend in rows under it;
 * `status` is a line at the plot's top right (e.g. how many points are in).
 */
export function drawSweepChart(ctx, points, floor, width, height, { scale = 1, colors = { text: '#555', grid: 'rgba(0,0,0,0.08)', floor: '#8a909c', ink: '#1d1f24' }, status = '' } = {}) {
  ctx.clearRect(0, 0, width, height);
  const colorOf = (family) => family.color || colors.ink;
  const font = Math.round(11 * scale);
  ctx.font = `${font}px system-ui, sans-serif`;
  const { series } = seriesOf(points);
  const swatch = 14 * scale;
  const entries = series.map(({ family }) => swatch + 4 * scale + ctx.measureText(family.label).width);
  const left = Math.round(36 * scale);
  const right = width - Math.round(12 * scale);
  const legend = legendRows(entries, right - left, 10 * scale);
  const row = Math.round(font * 1.35);
  const top = Math.round(8 * scale);
  const bottom = height - Math.round(30 * scale) - legend.rows * row;
  const { nfe, w2 } = chartDomain(points, floor);
  const x = logScale(nfe[0], nfe[1], left, right);
  const y = logScale(w2[0], w2[1], bottom, top);
  // Grid and ticks.
  ctx.strokeStyle = colors.grid;
  ctx.fillStyle = colors.text;
  ctx.lineWidth = 1;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const v of powerOfTwoTicks(nfe[0], nfe[1])) {
    const px = Math.round(x(v)) + 0.5;
    ctx.beginPath(); ctx.moveTo(px, top); ctx.lineTo(px, bottom); ctx.stroke();
    // The last tick's label stays inside the canvas.
    ctx.textAlign = v === nfe[1] ? 'right' : 'center';
    ctx.fillText(String(v), v === nfe[1] ? px + 4 * scale : px, bottom + 3 * scale);
  }
  ctx.textAlign = 'center';
  ctx.fillText('function evaluations (NFE, log scale)', (left + right) / 2, bottom + font + 6 * scale);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of niceLogTicks(w2[0], w2[1])) {
    const py = Math.round(y(v)) + 0.5;
    ctx.beginPath(); ctx.moveTo(left, py); ctx.lineTo(right, py); ctx.stroke();
    ctx.fillText(String(v), left - 4 * scale, py);
  }
  ctx.save();
  ctx.translate(Math.round(9 * scale), (top + bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText('W₂ to data', 0, 0);
  ctx.restore();
  // The floor.
  if (Number.isFinite(floor) && floor > 0) {
    const py = y(floor);
    ctx.strokeStyle = colors.floor;
    ctx.setLineDash([5 * scale, 4 * scale]);
    ctx.lineWidth = 1.5 * scale;
    ctx.beginPath(); ctx.moveTo(left, py); ctx.lineTo(right, py); ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = colors.floor;
    // Under the line: the samplers' curves lie above it.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(`two-sample floor ${floor.toFixed(2)}`, left + 4 * scale, py + 3 * scale);
  }
  // One line per solver, a dot per point (hollow where dopri5 stopped early).
  for (const { family, points: ps } of series) {
    ctx.strokeStyle = colorOf(family);
    ctx.fillStyle = colorOf(family);
    ctx.lineWidth = 1.5 * scale;
    ctx.beginPath();
    ps.forEach((p, i) => (i ? ctx.lineTo(x(p.nfe), y(p.w2)) : ctx.moveTo(x(p.nfe), y(p.w2))));
    ctx.stroke();
    for (const p of ps) {
      ctx.beginPath();
      ctx.arc(x(p.nfe), y(p.w2), 2.5 * scale, 0, 2 * Math.PI);
      if (p.completed === false) ctx.stroke(); else ctx.fill();
    }
  }
  // The legend, in rows under the axis title.
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  series.forEach(({ family }, i) => {
    const { x: lx, row: r } = legend.at[i];
    const ly = bottom + Math.round(30 * scale) + r * row + row / 2;
    ctx.strokeStyle = colorOf(family);
    ctx.lineWidth = 2 * scale;
    ctx.beginPath(); ctx.moveTo(left + lx, ly); ctx.lineTo(left + lx + swatch, ly); ctx.stroke();
    ctx.fillStyle = colors.text;
    ctx.fillText(family.label, left + lx + swatch + 4 * scale, ly);
  });
  if (status) {
    ctx.textAlign = 'right';
    ctx.textBaseline = 'top';
    ctx.fillStyle = colors.text;
    ctx.fillText(status, right, top + 2 * scale);
  }
}
