// Guidance, reflow and the cost-vs-steps chart on the page (CPU backend, shipped models):
// a picked class at scale w lands in that class's region, a reflow straightens the paths, the
// chart fills with points in the background, and bad guidance settings are reported.

import path from 'node:path';
import { ARTIFACTS, open, waitFor, check } from './harness.mjs';

/**
 * For particles `x` ([n, 2] flat): the share whose nearest data point (`xy`, `labels`) has
 * label `c` (c = null: each particle's own class, `classes[i]`).
 */
function nearestLabelShare(x, xy, labels, c, classes = null) {
  let hits = 0;
  const n = x.length / 2;
  for (let i = 0; i < n; i += 1) {
    let best = Infinity;
    let label = -1;
    for (let j = 0; j < labels.length; j += 1) {
      const d = (x[2 * i] - xy[2 * j]) ** 2 + (x[2 * i + 1] - xy[2 * j + 1]) ** 2;
      if (d < best) { best = d; label = labels[j]; }
    }
    if (label === (c ?? classes[i])) hits += 1;
  }
  return hits / n;
}

const settledSamples = (page, what, predicate = () => true) => waitFor(page, (s) => s.settled && s.stats && predicate(s), what, 120000);

async function samplesAndData(page) {
  return page.evaluate(() => ({ samples: window.flowPlayground.samples(), data: window.flowPlayground.data() }));
}

/** Runs `change` on the page and waits for samples other than `previous` ([n, 2] flat), settled. */
async function resampled(page, previous, change) {
  await change();
  const head = previous.slice(0, 8);
  await page.waitForFunction((h) => {
    const s = window.flowPlayground.samples();
    return s && s.x.slice(0, 8).some((v, i) => v !== h[i]) && window.flowPlayground.status().settled;
  }, head, { timeout: 60000, polling: 100 });
  return samplesAndData(page);
}

export const guideScenarios = {
  async 'guidance: a picked class at w lands in its region, all classes wear their colours; bad settings are reported'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&autoplay=0&dataset=8gaussians&conditional=1&class=2&guidance=3&particles=600&layers=data,particles`);
    let s = await settledSamples(page, 'the conditional model\'s samples', (st) => st.model === '8gaussians-conditional.fpw');
    check(s.classes === 8, `8gaussians has ${s.classes} classes`);
    let { samples, data } = await samplesAndData(page);
    check(data.labels && data.labels.length === data.xy.length / 2, 'the data carries labels');
    const guided = nearestLabelShare(samples.x, data.xy, data.labels, 2);
    check(guided >= 0.97, `class 2 at w = 3: ${(100 * guided).toFixed(1)}% nearest class 2's data`);
    // All classes (the picker): every particle drawn for a class, coloured by it, lands in it.
    ({ samples } = await resampled(page, samples.x, () => page.selectOption('#control-class', 'all')));
    check(new Set(samples.classes).size === 8, `classes sampled: ${[...new Set(samples.classes)]}`);
    const own = nearestLabelShare(samples.x, data.xy, data.labels, null, samples.classes);
    check(own >= 0.95, `all classes at w = 3: ${(100 * own).toFixed(1)}% in their own class's region`);
    await page.locator('#canvas').screenshot({ path: path.join(ARTIFACTS, 'guide-all-classes.png') });
    // w = 0 (the slider) is the unconditional model: about one particle in eight near class 2.
    ({ samples } = await resampled(page, samples.x, () => page.evaluate(() => {
      const slider = document.getElementById('control-guidance');
      slider.value = '0';
      slider.dispatchEvent(new Event('change'));
    })));
    const unguided = nearestLabelShare(samples.x, data.xy, data.labels, 2);
    check(unguided > 0.06 && unguided < 0.2, `w = 0: ${(100 * unguided).toFixed(1)}% nearest class 2's data`);
    // A class the data does not have: refused with a message, the class stays.
    await resampled(page, samples.x, () => page.evaluate(() => { window.location.hash = window.location.hash.replace('guidance=0', 'guidance=1&class=5'); }));
    await page.evaluate(() => { window.location.hash = window.location.hash.replace('class=5', 'class=9'); });
    s = await waitFor(page, (st) => st.messages.some((m) => m.includes('class 9 is outside 0…7')), 'the bad class to be reported', 20000);
    check(s.state.class === 5, `after a bad class the state has class ${s.state.class}`);
    await page.evaluate(() => { window.location.hash = `${window.location.hash}&guidance=99`; });
    s = await waitFor(page, (st) => st.messages.some((m) => m.includes('guidance: 99 is outside 0…8 — keeping the current value')), 'the bad w to be reported', 20000);
    check(s.state.guidance === 1 && s.state.class === 5, `after a bad w: w ${s.state.guidance}, class ${s.state.class}`);
    // The same settings as attributes of an element: bad values are noted, the rest applies.
    const element = await page.evaluate(async () => {
      await import('./element.js');
      const el = document.createElement('flow-playground');
      for (const [k, v] of Object.entries({ backend: 'cpu', dataset: '8gaussians', conditional: '', 'class-label': '12', guidance: 'lots', particles: '100', autoplay: '0', size: '300' })) el.setAttribute(k, v);
      document.body.prepend(el);
      for (let i = 0; i < 600 && !(el.status && el.status.ready && el.status.stats); i += 1) await new Promise((r) => setTimeout(r, 100));
      el.setAttribute('guidance', '-2');
      el.setAttribute('class-label', '3');
      for (let i = 0; i < 100 && el.status.state.class !== 3; i += 1) await new Promise((r) => setTimeout(r, 100));
      const notes = [...el.shadowRoot.querySelectorAll('.note')].map((n) => n.textContent);
      const model = el.status.model;
      // The element's reflow: one rectification, trained for `steps` steps.
      el.setAttribute('steps', '40');
      const reflowed = await el.reflow();
      // Its cost-vs-steps chart, opted into: a few points of the reflowed flow.
      el.setAttribute('sweep', '1');
      for (let i = 0; i < 600 && !(el.status.sweep && el.status.sweep.points.length >= 3); i += 1) await new Promise((r) => setTimeout(r, 100));
      return { notes, state: el.status.state, model, reflowed, sweep: el.status.sweep };
    });
    check(element.model === '8gaussians-conditional.fpw', `element model ${element.model}`);
    for (const expected of ['guidance', 'class 12 is outside 0…7', '-2']) {
      check(element.notes.some((n) => n.includes(expected)), `no note on ${expected}: ${element.notes.join(' | ')}`);
    }
    check(element.state.guidance === 1 && element.state.class === 3, `element state: class ${element.state.class}, w ${element.state.guidance}`);
    check(element.sweep && element.sweep.points.length >= 3 && element.sweep.points.every((p) => p.w2 > 0 && Number.isFinite(p.w2)), `element sweep: ${JSON.stringify(element.sweep)}`);
    check(element.reflowed.reflows === 1 && element.reflowed.step === 40 && element.reflowed.reason === 'done', `element reflow: ${JSON.stringify(element.reflowed)}`);
    check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    return `class 2 at w = 3: ${(100 * guided).toFixed(1)}% nearest its data; all classes at w = 3: ${(100 * own).toFixed(1)}% in their own region; w = 0: ${(100 * unguided).toFixed(1)}% near class 2`;
  },

  async 'reflow straightens the shipped moons flow; the cost-vs-steps chart fills in the background'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&autoplay=0&particles=500&steps=300`);
    let s = await waitFor(page, (st) => st.settled && st.model === 'moons.fpw' && st.straightness !== null, 'the shipped model and its straightness', 120000);
    const before = s.straightness;
    // The chart's Euler points of the trained flow.
    const euler = async () => {
      const sweep = await page.waitForFunction(() => {
        const w = window.flowPlayground.sweep();
        return w.points.filter((p) => p.solver === 'euler').length >= 4 && w;
      }, null, { timeout: 60000, polling: 200 }).then((h) => h.jsonValue());
      return sweep;
    };
    const first = await euler();
    const e = first.points.filter((p) => p.solver === 'euler');
    check(Number.isFinite(first.floor) && first.floor > 0.1 && first.floor < 1, `two-sample floor ${first.floor}`);
    // The chart fills in NFE order; more points may have come by the time this is read.
    check(e.slice(0, 4).map((p) => p.nfe).join() === '1,2,4,8', `Euler NFEs ${e.map((p) => p.nfe)}`);
    check(e[0].w2 > 1.5 && e[3].w2 < e[0].w2 / 2, `Euler W2 ${e.map((p) => p.w2.toFixed(2))}`);
    await page.click('#reflow');
    s = await waitFor(page, (st) => st.reflows === 1 && !st.training && !st.reflowing && st.straightness !== null && st.straightnessStep === st.step && st.settled,
      'one reflow, its training and a fresh straightness', 120000);
    const after = s.straightness;
    check(after < before / 3, `straightness ${before.toFixed(3)} before, ${after.toFixed(3)} after one reflow`);
    const shown = await page.textContent('#reflow-count');
    check(shown.includes('1-rectified'), `reflow count shows '${shown}'`);
    const stats = await page.textContent('#stats');
    check(stats.includes(`straightness ${after.toPrecision(3)}`), `stats line: ${stats}`);
    // The chart starts again for the new weights: one Euler step is now far closer to the data.
    const second = await euler();
    const e2 = second.points.filter((p) => p.solver === 'euler');
    check(e2[0].w2 < e[0].w2 / 2, `one-step Euler W2 ${e[0].w2.toFixed(2)} before, ${e2[0].w2.toFixed(2)} after the reflow`);
    await page.locator('#sweep').screenshot({ path: path.join(ARTIFACTS, 'guide-sweep.png') });
    check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    return `straightness ${before.toFixed(3)} → ${after.toFixed(3)} after one reflow of ${s.step} steps; one-step Euler W2 ${e[0].w2.toFixed(2)} → ${e2[0].w2.toFixed(2)} (floor ${second.floor.toFixed(2)})`;
  },

  async 'the 1/2/4/8-step comparison: a shortcut model lands in one step where the plain flow does not'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&layout=steps&model=shortcut&layers=data,particles`);
    const panels = (s) => s.steps && s.steps.length === 4 && s.steps.every((p) => p.slicedW2 !== null);
    const shortcut = await waitFor(page, (s) => s.settled && s.model === 'moons-shortcut.fpw' && panels(s), 'the shortcut model\'s four panels', 120000);
    await page.locator('#canvas').screenshot({ path: path.join(ARTIFACTS, 'guide-steps-shortcut.png') });
    await page.selectOption('#control-model', 'flow');
    const flow = await waitFor(page, (s) => s.settled && s.model === 'moons.fpw' && panels(s) && s.steps[0].slicedW2 !== shortcut.steps[0].slicedW2, 'the plain flow\'s four panels', 120000);
    const w = (s) => s.steps.map((p) => p.slicedW2.toFixed(2)).join(' / ');
    check(shortcut.steps.map((p) => p.nfe).join() === '1,2,4,8', `panels ${shortcut.steps.map((p) => p.nfe)}`);
    check(shortcut.steps[0].slicedW2 < 0.25, `shortcut sliced W2 at 1/2/4/8 steps: ${w(shortcut)}`);
    check(flow.steps[0].slicedW2 > 5 * shortcut.steps[0].slicedW2, `one step: plain ${flow.steps[0].slicedW2} vs shortcut ${shortcut.steps[0].slicedW2}`);
    check(flow.steps[3].slicedW2 < flow.steps[0].slicedW2 / 3, `plain flow at 1/2/4/8 steps: ${w(flow)}`);
    check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    return `sliced W2 at 1/2/4/8 Euler steps: shortcut ${w(shortcut)}, plain flow ${w(flow)}`;
  },
};
