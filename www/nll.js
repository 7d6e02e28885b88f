// The model's negative log-likelihood of fresh data (nats per point, by the change of variables
// in the worker), beside the data's entropy where it is known: the NLL is a cross-entropy, so
// the entropy is the floor it approaches. Computed on a budget: once the weights settle (ready,
// stopped, a new model) and while training at most every NLL_GAP ms and BUDGET of the time.

import { Request } from './client.js';

/** Data points per estimate, and their seed (the same points each time). */
export const NLL_POINTS = 1000;
export const NLL_SEED = 777;
export const NLL_GAP = 5000;
export const BUDGET = 0.05;

/** The sentence for a reply {nll, entropy} of `dataset` at `step`. */
export function nllText({ nll, entropy }, dataset, step) {
  const floor = Number.isFinite(entropy) ? ` · ${dataset}: ${entropy.toFixed(2)} nats is the floor (the data's entropy)` : '';
  return `NLL ${nll.toFixed(2)} nats per point (${NLL_POINTS} fresh data points, step ${step})${floor}`;
}

/** When the next estimate may start while training: after NLL_GAP and cost·(1 − BUDGET)/BUDGET. */
export function nextAllowed(last, cost) {
  return last + Math.max(NLL_GAP, (cost * (1 - BUDGET)) / BUDGET);
}

/** Binds the NLL line `element` to `figure`; returns {latest()} (the last reply, for tests). */
export function bindNll(figure, element) {
  let busy = false;
  let done = -1; // the weights' version of the shown estimate
  let last = -Infinity;
  let cost = 0;
  let latest = null;
  const estimate = async () => {
    if (busy || !figure.ready || figure.version === done) return;
    if (figure.training && performance.now() < nextAllowed(last, cost)) return;
    busy = true;
    const version = figure.version;
    const step = figure.step;
    const started = performance.now();
    try {
      const reply = await figure.request(Request.NLL, { n: NLL_POINTS, seed: NLL_SEED });
      latest = { ...reply, step, weights: version };
      element.textContent = nllText(reply, figure.state.dataset, step);
    } catch (error) {
      if (error.fatal) return;
      latest = { error: error.message, weights: version };
      element.textContent = `NLL: not available here (${error.message})`;
    } finally {
      busy = false;
      done = version;
      last = performance.now();
      cost = last - started;
    }
    // The weights moved while it ran and training has stopped: once more for the final ones.
    if (!figure.training && figure.version !== done) estimate();
  };
  for (const name of ['ready', 'samples', 'stopped']) figure.addEventListener(name, () => estimate());
  return { latest: () => latest };
}
