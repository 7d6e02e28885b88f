// The browser scenarios. Each returns a short note of what it measured.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ARTIFACTS, CHROMIUM_ARGS, SHIPPED_STEPS, open, waitFor, check, mean, screenshotAtEnd } from './harness.mjs';

function sameOrigin(requests, origin) {
  const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
  check(foreign.length === 0, `requests left the origin: ${foreign.join(', ')}`);
}

function noErrors(errors) {
  check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
}

async function firstSamples(page) {
  return waitFor(page, (s) => s.ready && s.stats, 'the first samples', 180000);
}

async function trainTo(page, step, timeoutMs = 180000) {
  await page.click('#train');
  return waitFor(page, (s) => !s.training && s.step >= step && s.stats && s.stats.step >= step, `training to step ${step}`, timeoutMs);
}

/**
 * Waits until the figure is idle after training stopped at `step`: the straightness and NLL
 * readouts it asks for at a stop have answered, and a weights export has come back (the worker
 * reads the GPU in order, so the stop's own snapshot is in too). Memory read before then
 * counts the tensors of that work in flight.
 */
async function settle(page, step) {
  await waitFor(page, (s) => s.straightnessStep >= step, `the straightness at step ${step}`);
  await page.waitForFunction((t) => { const n = window.flowPlayground.nll(); return n && n.step >= t; }, step, { timeout: 120000 });
  await page.evaluate(() => window.flowPlayground.exportWeights());
}

function closeToData(stats, label) {
  const { samples, data, slicedW2 } = stats;
  for (let k = 0; k < 2; k += 1) {
    check(Math.abs(samples.mean[k] - data.mean[k]) < 0.4, `${label}: mean ${samples.mean} vs data ${data.mean}`);
    check(Math.abs(samples.std[k] / data.std[k] - 1) < 0.25, `${label}: spread ${samples.std} vs data ${data.std}`);
  }
  check(slicedW2 < 0.4, `${label}: sliced W2 ${slicedW2}`);
}

export const scenarios = {
  // WebGPU hidden from the page: `auto` must pick the CPU, train, and land particles on the data.
  async 'cpu fallback without WebGPU trains and samples near the data'(_browser, origin) {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu'),
    });
    try {
      const t0 = Date.now();
      // 1500 steps: the default spread's crisp moons take longer to fit than blurry ones.
      const { page, errors, requests } = await open(browser, `${origin}/#width=32&steps=1500&particles=1000&lr=0.003`);
      const initial = await firstSamples(page);
      const firstMs = Date.now() - t0;
      check(initial.backend === 'cpu', `backend ${initial.backend}`);
      check((await page.textContent('#backend')).includes('CPU'), 'the badge does not say CPU');
      const before = initial.stats.slicedW2;
      const done = await trainTo(page, 1500);
      const early = mean(done.losses.slice(0, 3));
      const late = mean(done.losses.slice(-3));
      check(late < 0.8 * early, `loss did not fall: ${early} → ${late}`);
      closeToData(done.stats, 'cpu samples');
      check(done.stats.slicedW2 < 0.5 * before, `sliced W2 ${before} → ${done.stats.slicedW2}`);
      await screenshotAtEnd(page, path.join(ARTIFACTS, 'cpu-trained.png'));
      noErrors(errors);
      sameOrigin(requests, origin);
      return `first samples ${firstMs} ms, ${done.stepsPerSec.toFixed(0)} steps/s (3×32, batch 256), loss ${early.toFixed(2)} → ${late.toFixed(2)}, sliced W2 ${before.toFixed(3)} → ${done.stats.slicedW2.toFixed(3)}`;
    } finally {
      await browser.close();
    }
  },

  async 'webgpu is selected, trains, and matches the CPU on shared weights'(browser, origin) {
    const view = 'particles=400&solver=rk4&nfe=8&layers=data,particles';
    const t0 = Date.now();
    const gpu = await open(browser, `${origin}/#backend=webgpu&width=16&batch=512&lr=0.05&steps=8&${view}`);
    const initial = await firstSamples(gpu.page);
    const firstMs = Date.now() - t0;
    check(initial.backend === 'webgpu', `backend ${initial.backend}`);
    check(/swiftshader/i.test(initial.adapter), `adapter ${initial.adapter}`);
    check((await gpu.page.textContent('#backend')).includes('WebGPU'), 'the badge does not say WebGPU');
    const t1 = Date.now();
    const trained = await trainTo(gpu.page, 8);
    const gpuRate = (8 * 1000) / (Date.now() - t1);
    check(trained.losses.length >= 2, `losses ${trained.losses}`);
    const first = trained.losses[0];
    const last = trained.losses[trained.losses.length - 1];
    check(last < 0.8 * first, `GPU loss did not fall: ${first} → ${last}`);

    // Weights trained on the CPU page, sampled on both backends from the same noise.
    const cpu = await open(browser, `${origin}/#backend=cpu&width=32&lr=0.003&steps=1500&${view}`);
    await firstSamples(cpu.page);
    const cpuDone = await trainTo(cpu.page, 1500);
    closeToData(cpuDone.stats, 'cpu samples');
    const bytes = await cpu.page.evaluate(async () => Array.from(await window.flowPlayground.exportWeights()));
    await gpu.page.evaluate(async (b) => { await window.flowPlayground.importWeights(new Uint8Array(b)); }, bytes);
    const imported = await waitFor(gpu.page, (s) => s.stats && s.stats.step === 1500, 'GPU samples from the imported weights');
    closeToData(imported.stats, 'gpu samples');
    for (let k = 0; k < 2; k += 1) {
      check(Math.abs(imported.stats.samples.mean[k] - cpuDone.stats.samples.mean[k]) < 1e-3, `GPU mean ${imported.stats.samples.mean} vs CPU ${cpuDone.stats.samples.mean}`);
      check(Math.abs(imported.stats.samples.std[k] - cpuDone.stats.samples.std[k]) < 1e-3, `GPU spread ${imported.stats.samples.std} vs CPU ${cpuDone.stats.samples.std}`);
    }
    await screenshotAtEnd(gpu.page, path.join(ARTIFACTS, 'webgpu-imported.png'));

    // Training itself, both backends of the WebGPU module in one page: the same seed gives the
    // same initial weights and the same host-drawn batches, so the losses of each step must
    // agree. A large learning rate makes any error in the WebGPU matmul's forward or backward
    // pass (src/gpu_matmul.rs) show within a few steps.
    const curves = await gpu.page.evaluate(async () => {
      const wasm = await import('/pkg-gpu/flow_playground.js');
      await wasm.default();
      const config = {
        dataset: 'moons', source: 'gaussian', path: 'linear', param: 'velocity', coupling: 'independent',
        timeSampling: 'uniform', width: 32, depth: 3, activation: 'silu', timeEmbedding: 0, lr: 0.02,
        batch: 256, warmup: 0, ema: 0, clip: 0, seed: 7,
      };
      const out = {};
      for (const backend of ['cpu', 'webgpu']) {
        const pg = await wasm.Playground.create(backend, config, undefined);
        out[backend] = [];
        for (let i = 0; i < 12; i += 1) {
          pg.train(1);
          out[backend].push(await pg.readLoss());
        }
        pg.free();
      }
      return out;
    });
    const gap = Math.max(...curves.cpu.map((l, i) => Math.abs(l - curves.webgpu[i]) / l));
    check(gap < 1e-4, `per-step losses differ by ${gap.toExponential(1)} (relative): CPU ${curves.cpu.map((l) => l.toFixed(4))} vs WebGPU ${curves.webgpu.map((l) => l.toFixed(4))}`);
    check(curves.webgpu[11] < 0.8 * curves.webgpu[0], `WebGPU loss did not fall: ${curves.webgpu}`);
    noErrors(gpu.errors);
    noErrors(cpu.errors);
    sameOrigin(gpu.requests, origin);
    return `first samples ${firstMs} ms, ${gpuRate.toFixed(2)} steps/s on SwiftShader (3×16, batch 512), loss ${first.toFixed(2)} → ${last.toFixed(2)}, CPU/GPU sample means agree to 1e-3, same-seed training losses to ${gap.toExponential(1)}`;
  },

  // Pause while the default view trains and draws: the page flips to paused at once, and the
  // worker, mid-chunk, stops and says so within 200 ms of the click; no step comes after.
  async 'pause takes effect within 200 ms while the default view trains'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&steps=200000`);
    await firstSamples(page);
    await page.evaluate(() => {
      window.pauseClicks = [];
      window.addEventListener('click', (e) => { if (e.target.id === 'pause') window.pauseClicks.push({ at: performance.now() }); }, true);
      // The Train button comes back when the page has flipped to paused.
      new MutationObserver(() => {
        const last = window.pauseClicks.at(-1);
        if (last && !last.flipped && !document.getElementById('train').disabled) last.flipped = performance.now();
      }).observe(document.getElementById('train'), { attributes: true, attributeFilter: ['disabled'] });
    });
    const trials = [];
    for (let i = 0; i < 3; i += 1) {
      await page.click('#train');
      const from = (await waitFor(page, (x) => x.training && x.step > 0, 'training')).step;
      await waitFor(page, (x) => x.step >= from + 150, 'training under way');
      // A real click, without waiting for the button to hold still for two animation frames.
      await page.click('#pause', { force: true });
      const paused = await waitFor(page, (x) => !x.training && x.lastStop && x.lastStop.reason === 'paused' && x.lastStop.step > from, 'the pause');
      const click = await page.evaluate(() => window.pauseClicks.at(-1));
      await page.waitForTimeout(600);
      const later = (await page.evaluate(() => window.flowPlayground.status())).step;
      check(later === paused.lastStop.step, `steps went on after the pause: ${paused.lastStop.step} → ${later}`);
      trials.push({ flip: click.flipped - click.at, stopped: paused.lastStop.at - click.at });
    }
    // Pause and Train again at once: the old run's `stopped` arrives after the new run began,
    // and must not show the new run as paused.
    await page.click('#train');
    await waitFor(page, (x) => x.training, 'training again');
    await page.evaluate(() => { document.getElementById('pause').click(); document.getElementById('train').click(); });
    const before = (await page.evaluate(() => window.flowPlayground.status())).step;
    // The worker first answers what the pauses asked for (each pause redraws its particles), so
    // give the new run up to 5 s to show a step.
    let again = null;
    for (let waited = 0; waited < 5000; waited += 250) {
      await page.waitForTimeout(250);
      again = await page.evaluate(() => window.flowPlayground.status());
      if (!again.training || again.step > before) break;
    }
    check(again.training && again.step > before, `after Pause then Train: training ${again.training}, step ${before} → ${again.step}`);
    for (const t of trials) {
      check(t.flip >= 0 && t.flip <= 200, `the page flipped to paused ${t.flip.toFixed(0)} ms after the click`);
      check(t.stopped >= 0 && t.stopped <= 200, `the worker stopped ${t.stopped.toFixed(0)} ms after the click`);
    }
    noErrors(errors);
    return `three pauses: the page flipped ${trials.map((t) => t.flip.toFixed(0)).join(' / ')} ms, the worker stopped ${trials.map((t) => t.stopped.toFixed(0)).join(' / ')} ms after the click`;
  },

  async 'backend=cpu forces the CPU even with WebGPU present'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&particles=300`);
    const s = await firstSamples(page);
    check(s.backend === 'cpu', `backend ${s.backend}`);
    noErrors(errors);
  },

  async 'a malformed hash shows messages and falls back to defaults'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&dataset=moon&lr=abc&width=99999&bogus=1&layers=data,nope&particles=300&steps=20&spread=9&layout=grid&point=1,x&%E0%A4%A=1`);
    const s = await firstSamples(page);
    check(s.state.dataset === 'moons' && s.state.width === 64 && s.state.lr === 0.002, `state ${JSON.stringify(s.state)}`);
    check(s.state.spread === null && s.state.layout === 'single' && s.state.point.join() === '0.5,0.5', `state ${JSON.stringify(s.state)}`);
    const shown = await page.$$eval('#messages .message', (items) => items.map((i) => i.textContent));
    for (const needle of ['moon', 'abc', '99999', 'bogus', 'nope', 'URL encoding', 'spread: 9', "'grid'", "'1,x'"]) {
      check(shown.some((m) => m.includes(needle)), `no message about '${needle}': ${shown.join(' | ')}`);
    }
    // The page still trains.
    await trainTo(page, 20);
    noErrors(errors);
    return `${shown.length} messages`;
  },

  async 'an exploding loss pauses with a message and a one-click reset'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&pretrained=0&lr=10&steps=5000&particles=300`);
    await firstSamples(page);
    await page.click('#train');
    const stopped = await waitFor(page, (s) => !s.training && s.messages.some((m) => m.includes('learning rate is too high')), 'the divergence message');
    check(stopped.step < 5000, `ran to ${stopped.step}`);
    await page.click('#messages .message button:not(.close)');
    const reset = await waitFor(page, (s) => s.step === 0 && s.stats && s.stats.step === 0 && !s.training, 'the reset');
    check(reset.ready, 'not ready after reset');
    noErrors(errors);
    return `paused at step ${stopped.step}`;
  },

  // The heap checks hide the cost-vs-steps chart: it computes in the background whenever
  // training stops, and its exact W₂ (a 500 × 500 assignment) takes the heap to a high-water
  // mark at a moment set by the machine's load, not by training. Memory is read once the
  // figure has settled after each stop.
  async '20k training steps keep the wasm heap flat'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&width=8&depth=1&embed=0&batch=16&steps=2000&particles=100&layers=data&hide=sweep`);
    await firstSamples(page);
    await trainTo(page, 2000);
    await settle(page, 2000);
    const warm = (await page.evaluate(() => window.flowPlayground.memory())).heapBytes;
    await page.fill('#control-steps', '20000');
    await page.dispatchEvent('#control-steps', 'change');
    const done = await trainTo(page, 20000, 300000);
    await settle(page, done.step);
    const after = (await page.evaluate(() => window.flowPlayground.memory())).heapBytes;
    check(after - warm <= 1 << 20, `wasm memory grew from ${warm} to ${after} bytes over 18k steps`);
    noErrors(errors);
    return `wasm memory ${(warm / 2 ** 20).toFixed(1)} MiB at step 2000 → ${(after / 2 ** 20).toFixed(1)} MiB at step ${done.step}`;
  },

  // SwiftShader runs a few dozen tiny steps a second, so the GPU side is checked over 400 steps
  // after a warm-up (the allocator settles within ~150 steps: fusion and kernel caches fill),
  // with samples and weight snapshots in between: no more bytes or live buffers at the end.
  // The wasm heap still gains ~0.5 MiB up to step ~800 as those caches fill, then stays flat
  // (measured to step 1,600); a leak of 3 KiB a step would cross the 1 MiB bound by step 600.
  async 'WebGPU training keeps GPU memory flat'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=webgpu&width=8&depth=1&embed=0&batch=16&steps=200&particles=100&solver=euler&nfe=2&layers=data&hide=sweep`);
    const s = await firstSamples(page);
    check(s.backend === 'webgpu', `backend ${s.backend}`);
    await trainTo(page, 200);
    await settle(page, 200);
    const warm = await page.evaluate(() => window.flowPlayground.memory());
    check(warm.gpu && warm.gpu.reserved > 0, `no GPU allocator report: ${JSON.stringify(warm)}`);
    await page.fill('#control-steps', '400');
    await page.dispatchEvent('#control-steps', 'change');
    await trainTo(page, 400);
    await settle(page, 400);
    const mid = await page.evaluate(() => window.flowPlayground.memory());
    await page.fill('#control-steps', '600');
    await page.dispatchEvent('#control-steps', 'change');
    const done = await trainTo(page, 600);
    await settle(page, 600);
    const after = await page.evaluate(() => window.flowPlayground.memory());
    // A leak shows as bytes in use and live buffers that grow with the steps.
    check(after.gpu.inUse <= warm.gpu.inUse + 4096, `GPU memory in use grew from ${warm.gpu.inUse} to ${after.gpu.inUse} bytes`);
    check(after.gpu.allocations <= warm.gpu.allocations + 2, `live GPU allocations grew from ${warm.gpu.allocations} to ${after.gpu.allocations}`);
    check(after.heapBytes - warm.heapBytes <= 1 << 20, `wasm memory grew from ${warm.heapBytes} to ${after.heapBytes} bytes`);
    // The pools reserve and release pages as sizes come and go (a figure's samples, a weights
    // snapshot): bounded, so at step 600 no more than one page above the most seen at 200 or 400.
    const most = Math.max(warm.gpu.reserved, mid.gpu.reserved);
    check(after.gpu.reserved <= most + (64 << 10), `GPU memory reserved grew to ${after.gpu.reserved} bytes at step 600, above ${most} (steps 200, 400: ${warm.gpu.reserved}, ${mid.gpu.reserved})`);
    noErrors(errors);
    const kib = (b) => (b / 1024).toFixed(0);
    return `GPU memory in use ${kib(warm.gpu.inUse)} → ${kib(after.gpu.inUse)} KiB (reserved ${kib(warm.gpu.reserved)} → ${kib(after.gpu.reserved)} KiB, ${warm.gpu.allocations} → ${after.gpu.allocations} buffers) from step 200 to ${done.step}; wasm heap ${(warm.heapBytes / 2 ** 20).toFixed(2)} → ${(after.heapBytes / 2 ** 20).toFixed(2)} MiB`;
  },

  async 'a lost GPU device falls back to the CPU and keeps the weights'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=webgpu&width=16&batch=64&steps=3&particles=200&solver=euler&nfe=2&layers=data,particles`);
    const s = await firstSamples(page);
    check(s.backend === 'webgpu', `backend ${s.backend}`);
    await trainTo(page, 3);
    await page.evaluate(() => window.flowPlayground.loseDevice());
    const after = await waitFor(page, (x) => x.ready && x.backend === 'cpu' && x.stats && x.stats.step === 3, 'the CPU fallback with restored weights');
    check(after.messages.some((m) => /lost/.test(m)), `messages ${after.messages}`);
    check(after.messages.some((m) => /Restored the weights from step 3/.test(m)), `messages ${after.messages}`);
    // Training goes on from there.
    await page.fill('#control-steps', '10');
    await page.dispatchEvent('#control-steps', 'change');
    await trainTo(page, 10);
    // The lost device itself is reported by the browser; nothing else may fail.
    noErrors(errors.filter((e) => !/device|lost|destroyed/i.test(e)));
  },

  async 'exports download samples, weights, config, a picture and a video; weights load back'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&particles=300`);
    const s = await firstSamples(page);
    check(s.model === 'moons.fpw', `shipped model ${s.model}`);
    // The video records at least a dozen drawn frames, which on a busy machine takes a while.
    const grab = async (id) => {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120000 }), page.click(`#${id}`)]);
      const file = path.join(ARTIFACTS, download.suggestedFilename());
      await download.saveAs(file);
      return { name: download.suggestedFilename(), bytes: readFileSync(file) };
    };
    const csv = (await grab('export-csv')).bytes.toString('utf8').trim().split('\n');
    check(csv[0] === 'x,y' && csv.length === 301, `CSV header ${csv[0]}, ${csv.length} lines`);
    check(csv.slice(1).every((l) => l.split(',').length === 2 && l.split(',').every((v) => Number.isFinite(Number(v)))), 'CSV rows are not x,y numbers');
    const weights = await grab('export-weights');
    check(weights.bytes.subarray(0, 6).toString('latin1') === 'FLOWPG', 'weights file magic');
    const config = JSON.parse((await grab('export-config')).bytes.toString('utf8'));
    check(config.dataset === 'moons' && config.spread === null && config.step === SHIPPED_STEPS['moons.fpw'], `config ${JSON.stringify(config)}`);
    const png = (await grab('export-png')).bytes;
    check(png.subarray(1, 4).toString('latin1') === 'PNG', 'not a PNG');
    // Four seconds of the animation through MediaRecorder: a WebM (EBML) file with content.
    const webm = (await grab('export-webm')).bytes;
    check(webm.readUInt32BE(0) === 0x1a45dfa3 && webm.length > 10000, `WebM: ${webm.length} bytes, magic ${webm.subarray(0, 4).toString('hex')}`);
    // The downloaded weights load back through the file input, and a broken file is refused.
    await page.setInputFiles('#import-weights', path.join(ARTIFACTS, weights.name));
    await waitFor(page, (x) => x.messages.some((m) => m.includes(`Loaded ${weights.name}`)), 'the weights to load');
    await page.setInputFiles('#import-weights', { name: 'broken.fpw', mimeType: 'application/octet-stream', buffer: weights.bytes.subarray(0, 100) });
    const refused = await waitFor(page, (x) => x.messages.some((m) => m.includes('broken.fpw') && m.includes('truncated')), 'the broken file to be refused');
    check(refused.ready && refused.stats, 'the page stopped working after a bad file');
    noErrors(errors);
    return `CSV ${csv.length - 1} rows, weights ${weights.bytes.length} bytes, PNG ${png.length} bytes, WebM ${webm.length} bytes`;
  },

  // The same seeded samples drawn by WebGL2 and by the CPU plot must light the same pixels.
  // (Headless Chromium's WebGL is SwiftShader, on which `auto` keeps the faster CPU plot.)
  async 'many particles are drawn by WebGL2, pixel for pixel like the CPU plot'(browser, origin) {
    const view = 'backend=cpu&particles=30000&layers=particles&autoplay=0&t=1&hide=chart';
    const lit = async (renderer) => {
      const { page, errors } = await open(browser, `${origin}/#${view}${renderer ? `&renderer=${renderer}` : ''}`);
      await firstSamples(page);
      const status = await waitFor(page, (s) => s.renderer !== null && s.stats && s.stats.n === 30000, 'particles on the canvas');
      // Two more frames, so the canvas holds the final samples.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const mask = await page.evaluate(() => {
        const canvas = document.getElementById('canvas');
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        const on = [];
        for (let i = 3; i < data.length; i += 4) if (data[i] > 128) on.push((i - 3) / 4);
        return { on, width: canvas.width };
      });
      noErrors(errors);
      return { renderer: status.renderer, mask };
    };
    const gl = await lit('webgl');
    check(gl.renderer === 'webgl', `renderer=webgl draws with ${gl.renderer}`);
    const cpu = await lit('');
    check(cpu.renderer === 'canvas', `renderer=auto on emulated WebGL draws with ${cpu.renderer}`);
    check(gl.mask.width === cpu.mask.width, 'canvas sizes differ');
    const a = new Set(gl.mask.on);
    const both = cpu.mask.on.filter((i) => a.has(i)).length;
    const union = a.size + cpu.mask.on.length - both;
    const iou = both / union;
    check(cpu.mask.on.length > 0.02 * gl.mask.width ** 2, `only ${cpu.mask.on.length} pixels lit`);
    check(iou > 0.95, `WebGL and CPU plots overlap by ${iou.toFixed(3)} (intersection over union)`);
    return `${a.size} vs ${cpu.mask.on.length} pixels lit, intersection over union ${iou.toFixed(3)}`;
  },

  async 'the layout fits a phone and the controls are labelled'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&particles=300`, { viewport: { width: 390, height: 844 } });
    await firstSamples(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 0, `horizontal overflow of ${overflow} px`);
    const unlabelled = await page.$$eval('input, select, button', (els) => els.filter((e) => {
      if (e.closest('[hidden]')) return false;
      const id = e.id && document.querySelector(`label[for="${e.id}"]`);
      return !(id || e.closest('label') || e.getAttribute('aria-label') || (e.tagName === 'BUTTON' && e.textContent.trim()));
    }).map((e) => e.outerHTML.slice(0, 80)));
    check(unlabelled.length === 0, `unlabelled controls: ${unlabelled.join(' | ')}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone.png'), fullPage: true });
    noErrors(errors);
  },

  // The averaging picture on the shipped moons model: the exact posterior average of the
  // conditional velocities and the network's v(x, t) agree within AVERAGE_ANGLE degrees at a
  // point where the data has mass; moving the point (keys, then a click) changes the pairs drawn.
  async 'the average at a point matches the network, and moving the point changes the pairs'(browser, origin) {
    const AVERAGE_ANGLE = 10;
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&autoplay=0&t=0.5&layers=data,average&point=0.5,0.5&particles=300`);
    const settled = (what, predicate = () => true) => waitFor(page, (s) => s.settled && s.average && !s.average.pending && predicate(s), what);
    const first = await settled('the average at (0.5, 0.5)');
    check(first.model === 'moons.fpw', `model ${first.model}`);
    const a = first.average;
    check(a.point.join() === '0.5,0.5' && a.t === 0.5, `average at ${a.point} t ${a.t}`);
    check(a.angle < AVERAGE_ANGLE, `exact ${a.exact} and learned ${a.learned} are ${a.angle.toFixed(1)}° apart`);
    check(Math.hypot(...a.exact) > 0.5 && a.k === 400 && a.mass > 0.5 && a.mass <= 1 + 1e-6, `average ${JSON.stringify(a)}`);
    const readout = await page.textContent('#readout');
    check(await page.isVisible('#readout') && readout.includes(`${a.angle.toFixed(1)}°`) && readout.includes(`${Math.round(100 * a.mass)}% of the weight`), `readout: ${readout}`);
    // Arrow keys on the focused canvas: five steps of 0.1 to the right.
    await page.focus('#canvas');
    for (let i = 0; i < 5; i += 1) await page.keyboard.press('ArrowRight');
    const moved = await settled('the average at (1, 0.5)', (s) => s.average.point[0] === 1);
    const b = moved.average;
    check(b.point.join() === '1,0.5', `point ${b.point}`);
    check(b.heaviest.join() !== a.heaviest.join() && Math.hypot(b.exact[0] - a.exact[0], b.exact[1] - a.exact[1]) > 0.05, `the pairs did not change: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
    check(b.angle < AVERAGE_ANGLE, `at (1, 0.5): ${b.angle.toFixed(1)}° apart`);
    check(await page.evaluate(() => window.location.hash.includes('point=1%2C0.5')), 'the URL does not hold the point');
    // A click picks the point under the pointer: the canvas centre is the origin.
    const box = await page.locator('#canvas').boundingBox();
    await page.mouse.click(box.x + box.width * 0.75, box.y + box.height * 0.5);
    const clicked = await settled('the clicked point', (s) => s.average.point[0] > 3);
    check(Math.abs(clicked.average.point[0] - 3.25) < 0.05 && Math.abs(clicked.average.point[1]) < 0.05, `clicked point ${clicked.average.point}`);
    // Where the exact average is not defined (OT pairs), the figure says so instead.
    const ot = await open(browser, `${origin}/#backend=cpu&autoplay=0&t=0.5&layers=data,average&source=8gaussians&coupling=ot&particles=300`);
    const unsupported = await waitFor(ot.page, (s) => s.settled && s.average && s.average.note, 'the note for OT pairs');
    check(/independent pairs/.test(unsupported.average.note) && (await ot.page.textContent('#readout')).includes('independent pairs'), `note ${unsupported.average.note}`);
    noErrors(errors);
    noErrors(ot.errors);
    return `(0.5, 0.5) at t = 0.5: exact (${a.exact.map((v) => v.toFixed(2))}) vs learned (${a.learned.map((v) => v.toFixed(2))}), ${a.angle.toFixed(1)}° apart, ${a.k} pairs carry ${Math.round(100 * a.mass)}%; at (1, 0.5): ${b.angle.toFixed(1)}°`;
  },

  // Snapshots: five panels in one wide canvas, no clock; `spread` retrains on sharper data.
  async 'snapshots lay the same particles at five times; a spread change restarts on that data'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&layout=snapshots&layers=data,particles&particles=500`);
    const s = await waitFor(page, (x) => x.settled, 'the snapshots to be drawn');
    check(s.model === 'moons.fpw', `model ${s.model}`);
    const box = await page.evaluate(() => { const c = document.getElementById('canvas'); return { w: c.width, h: c.height, timebar: document.querySelector('.timebar').hidden }; });
    check(box.w / box.h > 4 && box.w / box.h < 5, `canvas ${box.w}×${box.h}`);
    check(box.timebar, 'the time bar shows in snapshots');
    // Coloured particles in the first (t = 0) and the last (t = 1) panel.
    const lit = await page.evaluate(() => {
      const c = document.getElementById('canvas');
      const ctx = c.getContext('2d', { willReadFrequently: true });
      const size = Math.floor((c.width - 4 * Math.max(4, Math.round(c.width * 0.012))) / 5);
      const step = size + Math.max(4, Math.round(c.width * 0.012));
      return [0, 4].map((i) => {
        const { data } = ctx.getImageData(i * step, 0, size, size);
        let saturated = 0;
        for (let k = 0; k < data.length; k += 4) if (data[k + 3] > 200 && Math.max(data[k], data[k + 1], data[k + 2]) - Math.min(data[k], data[k + 1], data[k + 2]) > 60) saturated += 1;
        return saturated;
      });
    });
    check(lit.every((n) => n > 200), `coloured particle pixels per panel: ${lit}`);
    // A spread of the data: no shipped model for it, so a fresh run on the sharper moons.
    await page.fill('#control-spread', '0.05');
    await page.dispatchEvent('#control-spread', 'change');
    await page.waitForFunction(() => window.location.hash.includes('spread=0.05'), null, { timeout: 60000 });
    const sharp = await waitFor(page, (x) => x.settled && x.state.spread === 0.05, 'the restart at spread 0.05');
    check(sharp.model === null && sharp.step === 0 && sharp.stats.step === 0, `model ${sharp.model} at step ${sharp.step}`);
    noErrors(errors);
    return `canvas ${box.w}×${box.h}, coloured pixels at t = 0 / 1: ${lit.join(' / ')}`;
  },
};
