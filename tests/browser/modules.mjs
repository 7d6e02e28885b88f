// Scenarios for the two wasm modules (www/modules.js): every page starts on the CPU-only module,
// the WebGPU module is fetched only where an adapter exists and takes every figure over with its
// weights, `backend=cpu` never requests it, and a WebGPU module that fails to load leaves the
// figures on the CPU with a note.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ROOT, open, waitFor, check } from './harness.mjs';

/** The example article's figures, by id, in page order. */
const ARTICLE = [...readFileSync(path.join(ROOT, 'www/examples/blog.html'), 'utf8').matchAll(/<flow-playground id="([^"]+)"/g)].map((m) => m[1]);
const GPU_MODULE = '/pkg-gpu/';
const CPU_WASM = '/pkg/flow_playground_bg.wasm';

const gpuRequests = (requests) => requests.filter((u) => u.includes(GPU_MODULE));

/** The samples on the page's canvas as [x, y] pairs (through its CSV export). */
async function csvSamples(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const lines = readFileSync(await download.path(), 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => l.split(',').map(Number));
}

function articleStatuses(page, ids = ARTICLE) {
  return page.evaluate((list) => list.map((id) => {
    const s = document.getElementById(id).status;
    return s && { ...s, losses: undefined };
  }), ids);
}

async function untilArticle(page, predicate, what, timeoutMs = 240000) {
  const start = Date.now();
  let last = null;
  while (Date.now() - start < timeoutMs) {
    last = await articleStatuses(page).catch(() => null);
    if (last && last.every((s) => s && predicate(s))) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last && last.map((s) => s && { backend: s.backend, ready: s.ready, step: s.step, drawnOn: s.stats && s.stats.backend }))}`);
}

/**
 * Records each worker the page starts ({url, at, by: the script that called `new Worker`}) and
 * when main.js has finished (`mainAt`).
 */
function countWorkers() {
  const Native = window.Worker;
  window.startedWorkers = [];
  window.Worker = class extends Native {
    constructor(url, options) {
      const by = (new Error().stack.match(/\/(boot|client)\.js/) || [null, 'elsewhere'])[1];
      window.startedWorkers.push({ url: String(url), at: performance.now(), by });
      super(url, options);
    }
  };
  let api;
  Object.defineProperty(window, 'flowPlayground', {
    configurable: true,
    get: () => api,
    set: (v) => { api = v; window.mainAt ??= performance.now(); },
  });
}

export const moduleScenarios = {
  async 'boot.js starts the worker before main.js runs and the page adopts it; a late boot.js starts none'(browser, origin) {
    const out = [];
    // Each page's script held back until a worker has started, which makes the order certain:
    // main.js (or embed.js) held, boot.js must start the worker alone and the page adopt it;
    // boot.js held, the page's client starts the worker and boot.js must start no second one.
    const cases = [
      ['/#backend=cpu&particles=300', 'main.js', 'boot'],
      ['/#backend=webgpu&particles=300', 'main.js', 'boot'],
      ['/embed.html#backend=cpu&particles=300', 'embed.js', 'boot'],
      ['/#backend=cpu&particles=300', 'boot.js', 'client'],
    ];
    for (const [url, held, by] of cases) {
      const { page, errors } = await open(browser, `${origin}${url}`, {
        prepare: async (context) => {
          await context.addInitScript(countWorkers);
          await context.route(`**/${held}`, async (route) => {
            const [p] = context.pages();
            const start = Date.now();
            while (Date.now() - start < 30000 && !(await p.evaluate(() => window.startedWorkers.length).catch(() => 0))) await new Promise((r) => setTimeout(r, 50));
            await route.continue();
          });
        },
      });
      if (url.includes('embed.html')) await page.waitForFunction(() => { const s = document.getElementById('figure').status; return s && s.ready && s.stats; }, null, { timeout: 120000 });
      else await waitFor(page, (s) => s.ready && (url.includes('webgpu') || s.stats), `${url}: the page`, 120000);
      // A held-back boot.js has arrived and run by now (it has nothing to wait for).
      if (held === 'boot.js') await page.waitForFunction(() => performance.getEntriesByName(new URL('boot.js', location.href).href).length > 0, null, { timeout: 30000 });
      await page.waitForTimeout(300);
      const { workers, mainAt } = await page.evaluate(() => ({ workers: window.startedWorkers, mainAt: window.mainAt ?? null }));
      check(workers.length === 1, `${url}: ${workers.length} workers started (${workers.map((w) => `${w.url} by ${w.by}`).join(', ')})`);
      const [worker] = workers;
      check(worker.url.includes('start=cpu') !== url.includes('backend=webgpu'), `${url}: the worker runs ${worker.url}`);
      check(worker.by === by, `${url}: with ${held} held back, the worker was started by ${worker.by}.js, not ${by}.js`);
      check(errors.length === 0, `${url}: console errors ${errors}`);
      out.push(`${url}, ${held} held: started by ${worker.by}.js at ${worker.at.toFixed(0)} ms${mainAt !== null ? `, main.js done at ${mainAt.toFixed(0)} ms` : ''}`);
      await page.close();
    }
    return out.join('; ');
  },

  async 'the page draws from the CPU module, then WebGPU takes over with the same samples'(browser, origin) {
    const t0 = Date.now();
    const { page, errors, requests } = await open(browser, `${origin}/#particles=400&solver=euler&nfe=8&layers=data,particles`);
    const cpu = await waitFor(page, (s) => s.ready && s.stats, 'the first samples', 120000);
    const cpuMs = Date.now() - t0;
    check(cpu.stats.backend === 'cpu' && cpu.model === 'moons.fpw' && cpu.stats.step > 0, `first samples: ${cpu.stats.backend} at step ${cpu.stats.step}, model ${cpu.model}`);
    check(requests.some((u) => u.endsWith(CPU_WASM)), 'the CPU module was not requested');
    const before = await csvSamples(page);
    const gpu = await waitFor(page, (s) => s.backend === 'webgpu' && s.stats && s.stats.backend === 'webgpu', 'WebGPU to take over', 240000);
    const switchMs = Date.now() - t0 - cpuMs;
    check(/swiftshader/i.test(gpu.adapter), `adapter ${gpu.adapter}`);
    check((await page.textContent('#backend')).includes('WebGPU'), 'the badge does not say WebGPU');
    check(gpu.stats.step === cpu.stats.step, `WebGPU samples at step ${gpu.stats.step}, the CPU's at ${cpu.stats.step}`);
    // The same weights and the same seeded noise: the same particles, up to float rounding.
    const after = await csvSamples(page);
    check(before.length === 400 && after.length === 400, `${before.length} and ${after.length} particles`);
    let worst = 0;
    for (let i = 0; i < before.length; i += 1) {
      for (let k = 0; k < 2; k += 1) worst = Math.max(worst, Math.abs(before[i][k] - after[i][k]));
    }
    check(worst < 1e-3, `CPU and WebGPU particles differ by up to ${worst}`);
    const gpuWasm = requests.filter((u) => u.endsWith('/pkg-gpu/flow_playground_bg.wasm'));
    check(gpuWasm.length === 1, `the WebGPU module was requested ${gpuWasm.length} times`);
    check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    return `CPU samples ${cpuMs} ms after navigation; WebGPU's (SwiftShader) ${switchMs} ms later, particles within ${worst.toExponential(1)}`;
  },

  async 'training on the CPU goes on on WebGPU from the same weights'(browser, origin) {
    // The WebGPU module is held back until the CPU has trained 400 steps, so the losses have
    // fallen well below an untrained network's by the switch, however fast the module loads.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    const prepare = (context) => context.route('**/pkg-gpu/flow_playground_bg.wasm', async (route) => {
      await held;
      await route.continue();
    });
    const { page, errors } = await open(browser, `${origin}/#pretrained=0&width=16&batch=64&steps=1000000&particles=200&solver=euler&nfe=4&layers=data,particles`, { prepare });
    await waitFor(page, (s) => s.ready && s.stats, 'the first samples', 120000);
    await page.click('#train');
    const onCpu = await waitFor(page, (s) => s.training && s.losses.length >= 3, 'CPU training');
    check(onCpu.backend === 'cpu', `training started on ${onCpu.backend}`);
    const untrained = onCpu.losses.slice(0, 3).reduce((a, b) => a + b, 0) / 3;
    const trained = await waitFor(page, (s) => s.step >= 400, '400 steps on the CPU');
    check(trained.backend === 'cpu', `the switch came before the module was let through (${trained.backend})`);
    release();
    // Poll the step counter through the switch: it never goes back.
    let last = onCpu.step;
    let atSwitch = null;
    const start = Date.now();
    while (Date.now() - start < 240000) {
      const s = await page.evaluate(() => window.flowPlayground.status());
      check(s.step >= last, `the step counter went back from ${last} to ${s.step}`);
      last = s.step;
      if (s.backend === 'webgpu' && !atSwitch) atSwitch = { step: s.step, losses: s.losses.length };
      if (atSwitch && s.losses.length >= atSwitch.losses + 3 && s.step > atSwitch.step) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    check(atSwitch, 'WebGPU never took over');
    const s = await page.evaluate(() => window.flowPlayground.status());
    check(s.training && s.backend === 'webgpu', `after the switch: training ${s.training} on ${s.backend}`);
    // Trained weights moved: the WebGPU losses continue from the CPU's level, well below an
    // untrained network's (a fresh start would begin again near the first losses).
    const onGpu = s.losses.slice(atSwitch.losses, atSwitch.losses + 3);
    const gpuMean = onGpu.reduce((a, b) => a + b, 0) / onGpu.length;
    const cpuLevel = trained.losses.slice(-3).reduce((a, b) => a + b, 0) / 3;
    check(gpuMean < 0.8 * untrained && gpuMean - cpuLevel < 0.5 * (untrained - cpuLevel),
      `WebGPU losses ${onGpu} vs untrained ${untrained.toFixed(3)} and ${cpuLevel.toFixed(3)} on the CPU at step ${trained.step}`);
    await page.click('#pause');
    await waitFor(page, (x) => !x.training, 'the pause');
    check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    return `switched at step ${atSwitch.step}; losses untrained ${untrained.toFixed(2)}, on the CPU at step ${trained.step} ${cpuLevel.toFixed(2)}, first on WebGPU ${gpuMean.toFixed(2)}; step ${s.step}`;
  },

  async 'backend=cpu, or no WebGPU adapter, never requests the WebGPU module'(browser, origin) {
    const { page, errors, requests } = await open(browser, `${origin}/#backend=cpu&particles=300&steps=20`);
    const s = await waitFor(page, (x) => x.ready && x.stats, 'the first samples');
    check(s.backend === 'cpu', `backend ${s.backend}`);
    await page.click('#train');
    await waitFor(page, (x) => !x.training && x.step >= 20, 'training to step 20');
    // Past the moment a WebGPU fetch would have started.
    await page.waitForTimeout(2000);
    check(requests.some((u) => u.endsWith(CPU_WASM)), 'the CPU module was not requested');
    check(gpuRequests(requests).length === 0, `backend=cpu requested ${gpuRequests(requests).join(', ')}`);
    check(errors.length === 0, `console errors: ${errors.join(' | ')}`);

    // A browser without WebGPU, on the default `auto`: the article's figures stay on the CPU.
    const plain = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu'),
    });
    try {
      const article = await open(plain, `${origin}/examples/blog.html`);
      await untilArticle(article.page, (x) => x.ready && x.stats, 'every figure to draw');
      await article.page.waitForTimeout(2000);
      const statuses = await articleStatuses(article.page);
      check(statuses.every((x) => x.backend === 'cpu'), `backends ${statuses.map((x) => x.backend)}`);
      check(gpuRequests(article.requests).length === 0, `without WebGPU the article requested ${gpuRequests(article.requests).join(', ')}`);
      check(article.errors.length === 0, `console errors: ${article.errors.join(' | ')}`);
    } finally {
      await plain.close();
    }
    return 'no request under pkg-gpu/ (page with backend=cpu; article without WebGPU)';
  },

  async 'every figure of the article moves to WebGPU, with the same samples'(browser, origin) {
    const { page, errors, requests } = await open(browser, `${origin}/examples/blog.html`, { viewport: { width: 1100, height: 900 } });
    const first = await untilArticle(page, (s) => s.ready && s.stats, 'every figure to draw');
    const t0 = Date.now();
    check(first.every((s) => s.stats.backend === 'cpu'), `first drawn on ${first.map((s) => s.stats.backend)}`);
    await untilArticle(page, (s) => s.backend === 'webgpu', 'every figure on WebGPU');
    const movedMs = Date.now() - t0;
    // The first two figures redraw first on SwiftShader (the worker serves the figures in page
    // order): the same weights and noise give the same samples as on the CPU.
    const quick = ARTICLE.slice(0, 2);
    const start = Date.now();
    let redrawn;
    for (;;) {
      redrawn = await articleStatuses(page, quick);
      if (redrawn.every((s) => s.stats && s.stats.backend === 'webgpu')) break;
      check(Date.now() - start < 360000, `timed out waiting for ${quick} to redraw on WebGPU`);
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const [i, id] of quick.entries()) {
      const a = first[ARTICLE.indexOf(id)].stats;
      const b = redrawn[i].stats;
      check(a.step === b.step, `${id}: step ${a.step} on the CPU, ${b.step} on WebGPU`);
      for (const key of ['mean', 'std']) {
        for (let k = 0; k < 2; k += 1) {
          check(Math.abs(a.samples[key][k] - b.samples[key][k]) < 1e-3, `${id}: ${key} ${a.samples[key]} on the CPU vs ${b.samples[key]} on WebGPU`);
        }
      }
    }
    const workers = page.workers().map((w) => w.url()).filter((u) => new URL(u).pathname.endsWith('/worker.js'));
    check(workers.length <= 2, `workers: ${workers}`); // the page's and the iframe's
    check(gpuRequests(requests).filter((u) => u.endsWith('.wasm')).length <= 2, 'the WebGPU module was fetched more than once per worker');
    check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    return `all ${ARTICLE.length} figures on WebGPU ${movedMs} ms after they first drew on the CPU; ${quick.join(' and ')} redrawn there with the same samples`;
  },

  async 'a WebGPU module that fails to load leaves every figure on the CPU with a note'(browser, origin) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    try {
      await context.route((url) => url.pathname.endsWith('/pkg-gpu/flow_playground_bg.wasm'), (route) => route.abort('failed'));
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); });
      await page.goto(`${origin}/examples/blog.html`);
      await untilArticle(page, (s) => s.ready && s.stats, 'every figure to draw');
      const noted = await untilArticle(page, (s) => s.messages.some((m) => m.includes('WebGPU module could not be loaded')), 'the note on every figure', 60000);
      check(noted.every((s) => s.backend === 'cpu'), `backends ${noted.map((s) => s.backend)}`);
      // The figures still work on the CPU.
      const again = await page.evaluate(() => document.getElementById('euler4').sample());
      check(again && again.samples, 'euler4 cannot sample after the failed switch');
      check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
      return `note: "${noted[0].messages.find((m) => m.includes('could not be loaded'))}"`;
    } finally {
      await context.close();
    }
  },
};
