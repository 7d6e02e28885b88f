// The worker's density, score, SDE and loss-bin requests against the real wasm (CPU backend),
// and a picture of the learned density beside the exact one.

import path from 'node:path';
import { ARTIFACTS, open, check, waitFor } from './harness.mjs';

const CONFIG = {
  dataset: '8gaussians', source: 'gaussian', path: 'linear', param: 'velocity',
  coupling: 'independent', timeSampling: 'uniform', width: 64, depth: 3, activation: 'silu',
  timeEmbedding: 16, lr: 0.003, batch: 256, warmup: 0, ema: 0, clip: 0, seed: 1,
};

/** Sets the page's time slider to `t` (the animation is off). */
async function setTime(page, t) {
  await page.evaluate((v) => {
    const time = document.getElementById('time');
    time.value = String(Math.round(v * 1000));
    time.dispatchEvent(new Event('input'));
  }, t);
}

/**
 * Reads the canvas's alpha in the page and compares it with the previous read: {covered (share
 * of pixels with alpha > 20), changed (share whose alpha moved by more than 40 since then)}.
 */
async function canvasAlpha(page) {
  return page.evaluate(() => {
    const c = document.getElementById('canvas');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const alpha = new Uint8Array(c.width * c.height);
    for (let k = 0; k < alpha.length; k += 1) alpha[k] = data[4 * k + 3];
    const before = window.previousAlpha;
    window.previousAlpha = alpha;
    let covered = 0;
    let changed = 0;
    for (let k = 0; k < alpha.length; k += 1) {
      if (alpha[k] > 20) covered += 1;
      if (before && before.length === alpha.length && Math.abs(alpha[k] - before[k]) > 40) changed += 1;
    }
    return { covered: covered / alpha.length, changed: changed / alpha.length };
  });
}

/** Mean absolute second difference of recorded paths {states, n, xy}: how rough they are. */
function roughness({ states, n, xy }) {
  let sum = 0;
  let count = 0;
  for (let s = 1; s + 1 < states; s += 1) {
    for (let p = 0; p < n; p += 1) {
      const at = (k, d) => xy[2 * (k * n + p) + d];
      for (let d = 0; d < 2; d += 1) {
        sum += Math.abs(at(s + 1, d) - 2 * at(s, d) + at(s - 1, d));
        count += 1;
      }
    }
  }
  return sum / count;
}

export const densityScenarios = {
  // The page (CPU): the density layer's heatmap follows the time slider; the SDE sampler draws
  // rough paths that end near the data; bad values for the new settings change nothing.
  async 'the density heatmap follows t and the SDE sampler animates on the page'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&autoplay=0&t=0.1&layers=density&particles=300&solver=euler&nfe=20&sampler=sde&noise=1`);
    const early = await waitFor(page, (x) => x.settled && x.densities.density && x.densities.density.keyframeMs
      && Object.keys(x.densities.density.keyframeMs).length === 11, 'every density keyframe', 90000);
    check(early.model === 'moons.fpw', `model ${early.model}`);
    const a = await canvasAlpha(page);
    await setTime(page, 0.9);
    const late = await waitFor(page, (x) => x.settled && Math.abs(x.t - 0.9) < 1e-9, 't = 0.9 drawn', 30000);
    const b = await canvasAlpha(page);
    const [da, db] = [early.densities.density, late.densities.density];
    // The heatmap covers the middle of the view at both times, and differs between them: at
    // t = 0.1 a broad Gaussian-like blob (one peak near the origin), at 0.9 two thin moons.
    check(a.covered > 0.1 && b.covered > 0.05, `heatmap coverage ${a.covered}, ${b.covered}`);
    check(b.changed > 0.05, `pixels changed from t = 0.1 to 0.9: ${b.changed}`);
    check(da.max < db.max, `the density sharpens as t → 1: max log p ${da.max} at 0.1, ${db.max} at 0.9`);
    // At t = 0.1 p_t is close to the source N(0, I) (log p(0) = −log 2π = −1.84) blurred by the data.
    check(da.centre[2] > -3.5 && da.centre[2] < -1.5, `log p near the origin at t = 0.1: ${da.centre[2]}`);
    // The SDE: rough paths (Brownian increments) that still end near the data.
    check(late.sampler === 'sde', `sampler ${late.sampler}`);
    check(late.stats.slicedW2 < 0.4, `SDE samples to data: sliced W₂ ${late.stats.slicedW2}`);
    const sde = await page.evaluate(() => window.flowPlayground.paths(100));
    check(sde.states === 21 && sde.sampler === 'sde', `SDE paths: ${sde.states} states, ${sde.sampler}`);
    // A bad noise value is refused with a message and leaves the sampler as it was.
    await page.fill('#control-noise', '-2');
    await page.dispatchEvent('#control-noise', 'change');
    await page.waitForFunction(() => /noise/.test(document.getElementById('messages').textContent), null, { timeout: 10000 });
    check((await page.inputValue('#control-noise')) === '1', 'the noise input was not restored');
    // The same model's ODE: smooth paths.
    await page.selectOption('#control-sampler', 'ode');
    await waitFor(page, (x) => x.settled && x.sampler === 'ode', 'the ODE particles', 30000);
    const ode = await page.evaluate(() => window.flowPlayground.paths(100));
    const [rs, ro] = [roughness(sde), roughness(ode)];
    check(rs > 5 * ro, `SDE paths are rough: second differences ${rs} vs the ODE's ${ro}`);
    // Animated: with the clock on, the SDE particles move between frames.
    await page.selectOption('#control-sampler', 'sde');
    await waitFor(page, (x) => x.settled && x.sampler === 'sde', 'the SDE particles again', 30000);
    await page.evaluate(() => document.getElementById('play').click());
    const t0 = (await page.evaluate(() => window.flowPlayground.status())).t;
    await page.waitForTimeout(600);
    const t1 = (await page.evaluate(() => window.flowPlayground.status())).t;
    check(t0 !== t1, `the clock does not move: ${t0}, ${t1}`);
    check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    // What one keyframe costs the CPU worker: the page's lattice at t = 1 (RK4, 20 evaluations),
    // in a worker of its own (the figure's is busy with samples), the best of three.
    await page.evaluate(() => document.getElementById('play').click());
    const cost = await page.evaluate(async ({ grid, bounds, config }) => {
      const { WorkerClient, Request } = await import('./client.js');
      const { shippedBytes } = await import('./models.js');
      const client = new WorkerClient('cpu');
      const figure = 'density-cost';
      await client.request(Request.INIT, { figure, backend: 'cpu', config });
      const index = await (await fetch('./models/index.json')).json();
      await client.request(Request.IMPORT, { figure, bytes: await shippedBytes(index.models.find((m) => m.file === 'moons.fpw')) });
      const times = [];
      for (let k = 0; k < 3; k += 1) {
        const t0 = performance.now();
        await client.request(Request.DENSITY, { figure, which: 'learned', t: 1, bounds, grid, solver: 'rk4', nfe: 20 });
        times.push(performance.now() - t0);
      }
      return Math.min(...times);
    }, { grid: da.grid, bounds: da.bounds, config: { ...CONFIG, dataset: 'moons' } });
    const ms = da.keyframeMs;
    return `${da.grid}² lattice at t = 1 (RK4, 20 evaluations): ${cost.toFixed(0)} ms in a CPU worker of its own; in the page (queued) ${ms[0.1]} ms at t = 0.1, ${ms[1]} ms at t = 1; `
      + `${Math.round(100 * b.changed)}% of pixels change from t = 0.1 to 0.9; SDE sliced W₂ ${late.stats.slicedW2.toFixed(3)}; `
      + `path roughness SDE ${rs.toFixed(3)} vs ODE ${ro.toFixed(4)}`;
  },

  async 'worker density, score, SDE and loss-bin requests, and the learned density beside the exact one'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&particles=200&steps=10`);
    const result = await page.evaluate(async (config) => {
      const { WorkerClient, Request, Event } = await import('./client.js');
      const client = new WorkerClient('cpu');
      const figure = 'density-test';
      let stopped;
      const done = new Promise((resolve) => { stopped = resolve; });
      client.attach(figure, { onEvent: (m) => { if (m.type === Event.STOPPED) stopped(m); }, onFatal: () => {} });
      await client.request(Request.INIT, { figure, backend: 'cpu', config });
      await client.request(Request.LOSS_BINS, { figure, bins: 20 });
      const steps = 1500;
      await client.request(Request.TRAIN, { figure, until: steps });
      const stop = await done;
      const bins = await client.request(Request.READ_LOSS_BINS, { figure });
      const bounds = [-8, 8, -8, 8];
      const grid = 64;
      const learned = await client.request(Request.DENSITY, { figure, which: 'learned', t: 0.9, bounds, grid, solver: 'rk4', nfe: 40 });
      const exact = await client.request(Request.DENSITY, { figure, which: 'exact', t: 0.9, bounds, grid });
      const half = await client.request(Request.DENSITY, { figure, which: 'learned', t: 0.5, bounds, grid });
      const halfExact = await client.request(Request.DENSITY, { figure, which: 'exact', t: 0.5, bounds, grid });
      const score = await client.request(Request.FIELD, { figure, which: 'score', t: 0.5, bounds, grid: 8 });
      const sde = await client.request(Request.SAMPLE, { figure, n: 500, solver: 'rk4', nfe: 100, seed: 3, record: false, sampler: 'sde', noise: 1 });
      const errorsSeen = [];
      for (const request of [
        [Request.DENSITY, { figure, which: 'nope', t: 1, bounds, grid }],
        [Request.SAMPLE, { figure, n: 10, solver: 'rk4', nfe: 10, seed: 1, record: false, sampler: 'sde', noise: -1 }],
        [Request.LOSS_BINS, { figure, bins: 100000 }],
      ]) {
        try { await client.request(...request); errorsSeen.push(null); } catch (e) { errorsSeen.push(e.message); }
      }
      await client.request(Request.INIT, { figure: 'moons-source', backend: 'cpu', config: { ...config, source: 'moons' } });
      try {
        await client.request(Request.DENSITY, { figure: 'moons-source', which: 'learned', t: 1, bounds, grid: 8 });
        errorsSeen.push(null);
      } catch (e) { errorsSeen.push(e.message); }
      // Malformed requests: a field of the wrong type is named before the core is called; a
      // config's bad field is named by the core; counts beyond the core's limits are refused.
      const malformed = [];
      for (const request of [
        [Request.SAMPLE, { figure, n: -1, solver: 'rk4', nfe: 10, seed: 1, record: false }],
        [Request.INIT, { figure: 'garbled', backend: 'cpu', config: JSON.stringify(config) }],
        [Request.INIT, { figure: 'garbled', backend: 'cpu', config: { ...config, width: '64' } }],
        [Request.DATA, { figure, n: 1e9, seed: 1 }],
        [Request.PAIRS, { figure, n: 5000 }],
        ['nope', { figure }],
      ]) {
        try { await client.request(...request); malformed.push(null); } catch (e) { malformed.push(e.message); }
      }
      // Still answering after the errors.
      const after = await client.request(Request.DENSITY, { figure, which: 'exact', t: 1, bounds, grid: 4 });

      // Draw exp(log p) of each on a canvas: learned | exact at t = ½ (top) and t = 0.9 (bottom).
      const canvas = document.createElement('canvas');
      const cell = 4;
      canvas.width = 2 * grid * cell + 8;
      canvas.height = 2 * grid * cell + 8;
      canvas.style.cssText = 'position:fixed;left:0;top:0;z-index:99999;background:#fff';
      document.body.appendChild(canvas);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      const draw = (logp, ox, oy) => {
        const max = Math.max(...logp);
        for (let j = 0; j < grid; j += 1) {
          for (let i = 0; i < grid; i += 1) {
            const v = Math.exp(logp[j * grid + i] - max);
            const shade = Math.round(255 * (1 - v));
            ctx.fillStyle = `rgb(${shade},${shade},255)`;
            // Row j runs from ymin upward: draw it from the bottom.
            ctx.fillRect(ox + i * cell, oy + (grid - 1 - j) * cell, cell, cell);
          }
        }
      };
      draw(half.logp, 0, 0);
      draw(halfExact.logp, grid * cell + 8, 0);
      draw(learned.logp, 0, grid * cell + 8);
      draw(exact.logp, grid * cell + 8, grid * cell + 8);

      // The learned density integrates to ≈ 1 over the lattice (cell area (16/64)²).
      const area = (16 / grid) ** 2;
      const integral = (logp) => logp.reduce((s, l) => s + Math.exp(l) * area, 0);
      const sum = (xs) => xs.reduce((a, b) => a + b, 0);
      return {
        stop: stop.reason,
        binCount: bins.sums.length,
        counted: sum(Array.from(bins.counts)),
        piLength: bins.pi.length,
        lengths: [learned.logp.length, exact.logp.length, score.v.length, sde.x.length, after.logp.length],
        finite: [learned.logp, exact.logp, score.v, sde.x].every((a) => Array.from(a).every(Number.isFinite)),
        integrals: [integral(learned.logp), integral(exact.logp), integral(half.logp), integral(halfExact.logp)],
        errorsSeen,
        malformed,
        steps,
      };
    }, CONFIG);
    await page.screenshot({ path: path.join(ARTIFACTS, 'density-learned-vs-exact.png'), clip: { x: 0, y: 0, width: 520, height: 520 } });
    check(result.stop === 'done', `training stopped: ${result.stop}`);
    check(result.binCount === 20 && result.piLength === 20, `bins ${result.binCount}, π ${result.piLength}`);
    // Every step's batch (256) counted once, in the bins read after training.
    check(result.counted === result.steps * 256, `binned samples ${result.counted}`);
    check(JSON.stringify(result.lengths) === JSON.stringify([4096, 4096, 128, 1000, 16]), `lengths ${result.lengths}`);
    check(result.finite, 'non-finite values');
    const [learned, exact, half, halfExact] = result.integrals;
    // 8gaussians sits inside [−8, 8]²: both densities hold nearly all their mass on the lattice.
    for (const [name, v] of [['learned t=0.9', learned], ['exact t=0.9', exact], ['learned t=½', half], ['exact t=½', halfExact]]) {
      check(Math.abs(v - 1) < 0.05, `${name}: ∫p on the lattice = ${v}`);
    }
    const [badWhich, badNoise, badBins, noDensity] = result.errorsSeen;
    check(badWhich && badWhich.includes('nope'), `bad density kind: ${badWhich}`);
    check(badNoise && badNoise.includes('noise'), `bad noise: ${badNoise}`);
    check(badBins && badBins.includes('loss bins'), `bad bins: ${badBins}`);
    check(noDensity && noDensity.includes('no closed-form density'), `moons source: ${noDensity}`);
    const expected = ['sample: n must be a whole number', 'init: config must be a config object', 'bad config: width: invalid type',
      'data point count must be in 0..=2000000', 'pairs needs 1..=1024', "unknown request \"nope\""];
    expected.forEach((text, i) => check(result.malformed[i] && result.malformed[i].includes(text), `malformed request ${i}: ${result.malformed[i]} (expected ${text})`));
    check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    return `∫p on [−8, 8]²: learned ${learned.toFixed(3)}, exact ${exact.toFixed(3)} (t = 0.9), ${half.toFixed(3)}, ${halfExact.toFixed(3)} (t = ½); ${result.counted} samples binned`;
  },

  async 'the learned density and score on WebGPU equal the CPU\'s for the same weights'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&particles=100&steps=10`);
    const result = await page.evaluate(async (config) => {
      const { WorkerClient, Request } = await import('./client.js');
      const out = {};
      const bounds = [-4, 4, -4, 4];
      for (const backend of ['webgpu', 'cpu']) {
        const client = new WorkerClient(backend);
        for (const activation of ['gelu', 'relu', 'tanh']) {
          const figure = `${backend}-${activation}`;
          // Untrained: the weights come from the seed on the host, the same on both backends.
          const reply = await client.request(Request.INIT, { figure, backend, config: { ...config, activation, param: 'noise', path: 'cosine' } });
          const density = await client.request(Request.DENSITY, { figure, which: 'learned', t: 0.6, bounds, grid: 8, solver: 'rk4', nfe: 8 });
          const score = await client.request(Request.FIELD, { figure, which: 'score', t: 0.6, bounds, grid: 8 });
          out[figure] = { backend: reply.backend, logp: Array.from(density.logp), score: Array.from(score.v) };
        }
      }
      return out;
    }, CONFIG);
    let worst = 0;
    for (const activation of ['gelu', 'relu', 'tanh']) {
      const gpu = result[`webgpu-${activation}`];
      const cpu = result[`cpu-${activation}`];
      check(gpu.backend === 'webgpu', `backend ${gpu.backend}`);
      for (const key of ['logp', 'score']) {
        check(gpu[key].length === cpu[key].length, `${activation} ${key} lengths`);
        gpu[key].forEach((v, i) => {
          const err = Math.abs(v - cpu[key][i]) / (1 + Math.abs(cpu[key][i]));
          worst = Math.max(worst, err);
          check(err < 1e-3, `${activation} ${key}[${i}]: WebGPU ${v} vs CPU ${cpu[key][i]}`);
        });
      }
    }
    check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    return `worst relative WebGPU/CPU difference ${worst.toExponential(1)}`;
  },
};
