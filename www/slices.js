// Display samples drawn a slice of particles at a time. On the CPU a sample is one synchronous
// call into the module: 2,000 particles with their trails take a quarter to half a second, and
// a pause that arrives meanwhile waits for it. The worker therefore carries the particles in
// slices of about SLICE_MS each, between its training chunks, and puts them back together.
// Every slice is cut from the same batch (the same noise, classes and SDE noise: the core's
// `from`/`count` arguments), so the picture is the one a single call would draw.

/** How long one slice of a display sample should take (ms of the worker's time). */
export const SLICE_MS = 25;
/** The fewest particles in a slice: below this a call's fixed costs dominate. */
export const MIN_SLICE = 32;

/**
 * Whether `spec` can be drawn in slices on `backend`: only on the CPU (a GPU call returns at
 * once and is awaited), and only with fixed steps: an adaptive solver picks its steps for the
 * whole batch, so slices of it would not line up.
 */
export function sliceable(spec, backend) {
  if (backend !== 'cpu') return false;
  return spec.sampler === 'sde' || !String(spec.solver).startsWith('dopri');
}

/**
 * The size of the next slice, after `count` particles took `ms`: scaled towards SLICE_MS, by at
 * most 4× up (one quick slice says little) and without a floor on the way down except MIN_SLICE.
 */
export function nextSlice(count, ms, target = SLICE_MS) {
  const scaled = Math.round((count * target) / Math.max(ms, 0.5));
  return Math.max(MIN_SLICE, Math.min(4 * count, scaled));
}

/**
 * One sample put back together from its slices, in order: `x` rows and `classes` concatenated;
 * `trajectory` ([steps + 1, n, 2], step-major) interleaved step by step; `times` and `nfe` from
 * the first slice (every slice takes the same fixed steps); `completed` when all are.
 */
export function mergeSlices(parts) {
  if (parts.length === 1) return parts[0];
  const n = parts.reduce((sum, p) => sum + p.x.length / 2, 0);
  const x = new Float32Array(2 * n);
  let offset = 0;
  for (const p of parts) {
    x.set(p.x, offset);
    offset += p.x.length;
  }
  const first = parts[0];
  let trajectory = null;
  if (first.trajectory) {
    const steps = first.times.length;
    trajectory = new Float32Array(steps * 2 * n);
    let row = 0;
    for (const p of parts) {
      const rows = p.x.length / 2;
      if (p.trajectory.length !== steps * 2 * rows) throw new Error(`a slice of ${rows} particles has ${p.trajectory.length / (2 * rows)} steps, not ${steps}`);
      for (let s = 0; s < steps; s += 1) {
        trajectory.set(p.trajectory.subarray(s * 2 * rows, (s + 1) * 2 * rows), s * 2 * n + 2 * row);
      }
      row += rows;
    }
  }
  const out = { ...first, x, trajectory, completed: parts.every((p) => p.completed) };
  if (first.classes) {
    const classes = new Uint32Array(n);
    let at = 0;
    for (const p of parts) {
      classes.set(p.classes, at);
      at += p.classes.length;
    }
    out.classes = classes;
  }
  return out;
}
