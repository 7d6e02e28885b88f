// The figure in words: what the canvas shows (data, source, layers, time, the model's step, the
// backend, how close the samples are), for the canvas's label and for a polite live region.
// The live version leaves out what changes every frame (the animated t, the step while
// training), so a screen reader hears about a figure when it settles, not sixty times a second.

/** How often (ms) a figure re-reads its summary: the label and the live region change at most this often. */
export const SUMMARY_INTERVAL_MS = 1000;

const NAMES = {
  '8gaussians': 'eight Gaussians', '25gaussians': '25 Gaussians', moons: 'two moons', circles: 'circles',
  checkerboard: 'a checkerboard', spirals: 'spirals', swissroll: 'a Swiss roll', pinwheel: 'a pinwheel',
  rings: 'rings', points: 'your own points', gaussian: 'Gaussian noise',
};

const BACKENDS = { cpu: 'the CPU', webgpu: 'WebGPU' };

/** "a, b and c". */
function list(items) {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The sentence for a figure. `f`: {ready, state, t, playing, fixed (snapshots/steps layout),
 * training, step, until, model (file or null), backend, stats ({n, slicedW2} or null)};
 * `live`: leave out the animated t and the training step.
 */
export function summaryText(f, { live = false } = {}) {
  const { state } = f;
  // The reader's own points by their word where they came from one.
  const name = (which, word) => (which === 'points' && word ? `the word '${word.trim()}'` : NAMES[which] || which);
  const what = `${name(state.source, state.srcword)} carried to ${name(state.dataset, state.word)}`;
  if (!f.ready) return `${what[0].toUpperCase()}${what.slice(1)}: loading the model…`;
  const layers = state.layers.length ? `showing ${list(state.layers)}` : 'showing nothing (no layers)';
  let when;
  if (f.fixed) when = state.layout === 'steps' ? 'side by side for several step counts' : 'at five times side by side';
  else if (f.playing) when = live ? 'animated from t = 0 to 1' : `animated, now at t = ${f.t.toFixed(2)}`;
  else when = `at t = ${f.t.toFixed(2)}, paused`;
  const where = BACKENDS[f.backend] || f.backend || 'the CPU';
  let model;
  if (f.training) model = live ? `training on ${where} towards step ${f.until}` : `training on ${where}, step ${f.step} of ${f.until}`;
  else model = `model at step ${f.step}${f.model ? ` (from the shipped ${f.model})` : ''}, on ${where}`;
  const parts = [`${what[0].toUpperCase()}${what.slice(1)}, ${layers}, ${when}`, model];
  if (f.stats && !(live && f.training)) {
    parts.push(`${f.stats.n} particles, sliced W₂ to the data ${f.stats.slicedW2.toFixed(3)}`);
  }
  return `${parts.join('; ')}.`;
}
