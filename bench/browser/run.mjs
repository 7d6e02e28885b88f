// Browser benchmark driver: serves the repository, opens bench/browser/index.html in headless
// Chromium (WebGPU on SwiftShader where no GPU exists), prints the tables and writes
// bench/results/browser.json. Also measures page weight and start-up (cold and warm cache).
// Usage: node bench/browser/run.mjs [query]   e.g. "train&sizes=64x256&rounds=1"

import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { chromium } from 'playwright-core';
import { serveStatic } from './server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { serve, CHROMIUM_ARGS } = await import(path.join(ROOT, 'tests/browser/harness.mjs'));
const query = process.argv[2] || '';
const server = await serve(ROOT);
// BENCH_CHROMIUM_ARGS (space-separated) replaces the SwiftShader flags: bench/gpu.sh passes the
// ones for a hardware GPU.
const ARGS = process.env.BENCH_CHROMIUM_ARGS ? process.env.BENCH_CHROMIUM_ARGS.split(/\s+/).filter(Boolean) : CHROMIUM_ARGS;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
const out = { date: new Date().toISOString(), chromium: browser.version(), query, rows: [] };

try {
  // ---------------------------------------------------------------- page weight
  const www = path.join(ROOT, 'www');
  const size = (file) => {
    const bytes = readFileSync(file);
    const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli };
  };
  const sum = (xs) => xs.reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  const mib = (b) => `${(b / 2 ** 20).toFixed(2)} MiB`;
  const modules = { cpu: size(path.join(www, 'pkg/flow_playground_bg.wasm')), webgpu: size(path.join(www, 'pkg-gpu/flow_playground_bg.wasm')) };
  const glue = size(path.join(www, 'pkg/flow_playground.js'));
  const js = sum([...readdirSync(www).filter((f) => f.endsWith('.js')).map((f) => size(path.join(www, f))), glue]);
  const models = readdirSync(path.join(www, 'models')).filter((f) => f.endsWith('.fpw')).map((f) => statSync(path.join(www, 'models', f)).size);
  out.weight = { modules, wasm: modules.cpu, js, modelBytes: models[0] };
  for (const [name, m] of Object.entries(modules)) {
    console.log(`page weight: ${name.padEnd(6)} module ${mib(m.raw)} raw, ${mib(m.gzip)} gzip, ${mib(m.brotli)} brotli`);
  }
  console.log(`page weight: JS ${(js.raw / 1024).toFixed(0)} KiB raw, ${(js.gzip / 1024).toFixed(0)} KiB gzip, ${(js.brotli / 1024).toFixed(0)} KiB brotli; a shipped model ${(models[0] / 1024).toFixed(0)} KiB`);

  // ---------------------------------------------------------------- start-up
  // The live page and the example article, each load in a fresh browser context (a cold cache),
  // served like a static host (bench/browser/server.mjs), in interleaved rounds. "one module" is
  // the layout before the split, for comparison: the WebGPU module (which also holds the CPU
  // backend) served as www/pkg/, so the CPU path loads it.
  if (!query || /(^|&)startup(&|$)/.test(query)) await startup();
  if (!query || /(^|&)startpeers(&|$)/.test(query)) await startPeers();
  if (!query || /(^|&)live(&|$)/.test(query)) await live();

  // ---------------------------------------------------------------- training, sampling, rendering
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log('console error:', m.text()); });
  const benchQuery = query.replace(/(^|&)(startup|startpeers|live|startupRounds=\d+|liveRounds=\d+)(?=&|$)/g, '');
  const benchParts = ['kernels', 'train', 'sample', 'peersample', 'render'];
  if (!query || [...new URLSearchParams(benchQuery).keys()].some((k) => benchParts.includes(k))) {
    await page.goto(`${server.origin}/bench/browser/index.html?${benchQuery}`);
    let seen = 0;
    for (;;) {
      const { done, rows } = await page.evaluate(() => ({ done: Boolean(window.benchDone), rows: window.benchResults || [] }));
      for (const row of rows.slice(seen)) {
        out.rows.push(row);
        if (row.error) console.log('error:', row.error);
        else if (row.part === 'train') console.log(`train  ${row.backend.padEnd(6)} 3x${row.width} b${row.batch} read every ${String(row.readEvery).padEnd(2)}: ours ${row.ours.toFixed(2)}/s, TF.js ${row.tfjs.toFixed(2)}/s, ratio ${row.ratio.toFixed(2)}x${row.jaxjs ? `; jax-js ${row.jaxjs.toFixed(2)}/s, ours/jax-js ${row.ratioJax.toFixed(2)}x` : ''} (round ${row.round})`);
        else if (row.part === 'peersample') console.log(`sample ${row.backend.padEnd(6)} euler ${row.particles} particles × ${row.nfe} steps: ours ${row.ours.toExponential(2)}, jax-js ${row.jaxjs.toExponential(2)} particle-evals/s, ours/jax-js ${row.ratioJax.toFixed(2)}x (round ${row.round})`);
        else if (row.part === 'sample') console.log(`sample ${row.backend.padEnd(6)} ${row.solver.padEnd(5)} ${row.particles} particles × ${row.nfe} NFE: ${row.particleEvalsPerSecond.toExponential(2)} particle-evals/s`);
        else if (row.part === 'kernels' && row.dispatches) console.log(`kernels webgpu ${row.peer}: one step's ${row.dispatches.length} dispatches\n  ${row.dispatches.join('\n  ')}`);
        else if (row.part === 'kernels') console.log(`kernels webgpu ${row.peer.padEnd(5)} 3x${row.width} b${row.batch}: per training step ${Object.entries(row.perStep).map(([k, v]) => `${v.toFixed(1)} ${k}`).join(', ')}`);
        else if (row.part === 'render' && row.device) console.log(`render: WebGL2 runs on ${row.device}`);
        else if (row.part === 'adapter') console.log(`WebGPU adapter: ${row.webgpu ? [row.vendor, row.architecture, row.description].filter(Boolean).join(' ') || '(no info)' : 'none'}`);
        else if (row.part === 'render' && row.ratio) console.log(`render ${row.particles} particles, round ${row.round}: ${row.ratio} ${row.value.toFixed(2)}×`);
        else if (row.part === 'render' && row.renderer) console.log(`render ${row.particles} particles with trails on ${row.canvas}² by ${row.renderer.padEnd(6)}: frame interval ${row.intervalMedian.toFixed(1)} ms median (p90 ${row.intervalP90.toFixed(1)}), main thread ${row.msPerFrameMedian.toFixed(1)} ms (p90 ${row.msPerFrameP90.toFixed(1)})`);
      }
      seen = rows.length;
      if (done) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
} finally {
  await browser.close();
  server.stop();
}

/** Median of numbers. */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}

/** Polls `read()` in the page until `done(value)`; resolves to the value. */
async function until(page, read, done, timeoutMs, what) {
  const start = Date.now();
  for (;;) {
    const value = await page.evaluate(read).catch(() => null);
    if (value && done(value)) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function pageStatus() { return window.flowPlayground && window.flowPlayground.status(); }
function articleStatus() {
  const figures = [...document.querySelectorAll('flow-playground')];
  return figures.length ? figures.map((f) => f.status && { ready: f.status.ready, stats: Boolean(f.status.stats), backend: f.status.backend, drawnOn: f.status.stats && f.status.stats.backend }) : null;
}

async function startup() {
  const single = mkdtempSync(path.join(os.tmpdir(), 'fp-single-'));
  cpSync(path.join(ROOT, 'www'), single, { recursive: true, filter: (src) => !src.includes(`${path.sep}pkg`) });
  cpSync(path.join(ROOT, 'www/pkg-gpu'), path.join(single, 'pkg'), { recursive: true });
  const site = await serveStatic({ '/': ROOT, '/single/': single });
  // Compress everything once before measuring (a static host serves precompressed files).
  for (const f of ['www/pkg/flow_playground_bg.wasm', 'www/pkg-gpu/flow_playground_bg.wasm', 'single/pkg/flow_playground_bg.wasm']) {
    await fetch(`${site.origin}/${f}`, { headers: { 'accept-encoding': 'gzip' } }).then((r) => r.arrayBuffer());
  }
  const noGpu = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS.filter((a) => a !== '--enable-unsafe-webgpu') });
  // The page's first picture is a slice of its particles (`particles`), then all of them (`stats`).
  const loads = [
    { name: 'page, backend=cpu', b: browser, url: '/www/index.html#backend=cpu', read: pageStatus, done: (s) => s.particles > 0,
      then: { what: 'all particles drawn', done: (s) => s.stats, every: true } },
    { name: 'page, backend=cpu, one module (before)', b: browser, url: '/single/index.html#backend=cpu', read: pageStatus, done: (s) => s.stats },
    { name: 'page, auto with WebGPU (draws on the CPU first)', b: browser, url: '/www/index.html', read: pageStatus, done: (s) => s.stats,
      then: { what: 'samples drawn on WebGPU', done: (s) => s.backend === 'webgpu' && s.stats && s.stats.backend === 'webgpu' } },
    { name: 'article, no WebGPU', b: noGpu, url: '/www/examples/blog.html', read: articleStatus, done: (fs) => fs.every((f) => f && f.ready && f.stats) },
    { name: 'article, no WebGPU, one module (before)', b: noGpu, url: '/single/examples/blog.html', read: articleStatus, done: (fs) => fs.every((f) => f && f.ready && f.stats) },
    { name: 'article, auto with WebGPU (draws on the CPU first)', b: browser, url: '/www/examples/blog.html', read: articleStatus, done: (fs) => fs.every((f) => f && f.ready && f.stats),
      then: { what: 'every figure on WebGPU', done: (fs) => fs.every((f) => f.backend === 'webgpu') } },
  ];
  const rounds = Number(new URLSearchParams(query).get('startupRounds') || 3);
  const results = Object.fromEntries(loads.map((l) => [l.name, { cold: [], then: [], warm: [] }]));
  try {
    for (let round = 1; round <= rounds; round += 1) {
      for (const load of loads) {
        const context = await load.b.newContext({ viewport: { width: 1100, height: 900 } });
        const page = await context.newPage();
        const r = results[load.name];
        const t0 = Date.now();
        await page.goto(`${site.origin}${load.url}`);
        await until(page, load.read, load.done, 120000, load.name);
        r.cold.push(Date.now() - t0);
        if (load.then && (round === 1 || load.then.every)) {
          await until(page, load.read, load.then.done, 300000, load.then.what);
          r.then.push(Date.now() - t0 - r.cold[r.cold.length - 1]);
        }
        if (load.url.includes('index.html#backend=cpu')) {
          const t1 = Date.now();
          await page.reload();
          await until(page, load.read, load.done, 120000, `${load.name} (warm)`);
          r.warm.push(Date.now() - t1);
        }
        await context.close();
        console.log(`start-up ${load.name}, round ${round}: ${r.cold.at(-1)} ms cold${r.warm.length ? `, ${r.warm.at(-1)} ms warm` : ''}${load.then && (round === 1 || load.then.every) ? `; ${load.then.what} ${r.then.at(-1)} ms later` : ''}`);
      }
    }
  } finally {
    await noGpu.close();
    site.stop();
    rmSync(single, { recursive: true, force: true });
  }
  out.startup = Object.entries(results).map(([name, r]) => ({ name, ...r, coldMedian: median(r.cold), warmMedian: median(r.warm), thenMedian: median(r.then) }));
  for (const r of out.startup) console.log(`start-up median: ${r.name}: ${r.coldMedian} ms cold${r.warm.length ? `, ${r.warmMedian} ms warm` : ''}${r.then.length ? `; then ${r.thenMedian} ms` : ''}`);
}

/** Navigation → the first finished training step, ours against jax-js, cold, interleaved. */
async function startPeers() {
  const site = await serveStatic({ '/': ROOT });
  const backends = ['cpu'];
  {
    const page = await browser.newPage();
    await page.goto(`${site.origin}/bench/browser/startup.html?lib=none`);
    if (await page.evaluate(async () => Boolean(navigator.gpu && (await navigator.gpu.requestAdapter())))) backends.push('webgpu');
    await page.close();
  }
  const rounds = Number(new URLSearchParams(query).get('startupRounds') || 3);
  const times = {};
  try {
    for (let round = 1; round <= rounds; round += 1) {
      for (const backend of backends) {
        for (const lib of ['ours', 'jax']) {
          const context = await browser.newContext();
          const page = await context.newPage();
          await page.goto(`${site.origin}/bench/browser/startup.html?lib=${lib}&backend=${backend}`);
          const r = await until(page, () => window.startup, () => true, 300000, `${lib} ${backend} start-up`);
          await context.close();
          if (r.error) { console.log(`start-up ${lib} ${backend}: ${r.error}`); continue; }
          (times[`${backend}:${lib}`] ||= []).push(r.ms);
          console.log(`first step ${backend.padEnd(6)} ${lib.padEnd(4)}, round ${round}: ${r.ms.toFixed(0)} ms after navigation`);
        }
      }
    }
  } finally {
    site.stop();
  }
  out.startPeers = backends.map((backend) => {
    const ours = median(times[`${backend}:ours`] || []);
    const jax = median(times[`${backend}:jax`] || []);
    console.log(`first step ${backend}: ours ${ours.toFixed(0)} ms, jax-js ${jax.toFixed(0)} ms (medians), ours/jax-js ${(ours / jax).toFixed(2)}x (time: lower is faster)`);
    return { backend, ours: times[`${backend}:ours`], jaxjs: times[`${backend}:jax`], oursMedian: ours, jaxMedian: jax, ratio: ours / jax };
  });
}

/**
 * The live page against the bare engine, same browser, same backend, interleaved: the page's
 * steps/s while it trains and draws its view, and the engine's (engine.html: the same
 * training config in a worker with nothing else to do), each over a window after a warm-up.
 */
async function live() {
  const site = await serveStatic({ '/': ROOT });
  const rounds = Number(new URLSearchParams(query).get('liveRounds') || 3);
  const WARM = 3000;
  const WINDOW = 10000;
  const views = [
    { name: 'default view', hash: 'backend=cpu&steps=200000' },
    { name: 'particles only (100)', hash: 'backend=cpu&steps=200000&particles=100&layers=data,particles' },
    // The default view held still at t = 1: the worker's own share (display samples, fields,
    // statistics), without an animation for the browser to composite.
    { name: 'default view, held at t = 1', hash: 'backend=cpu&steps=200000&autoplay=0&t=1' },
  ];
  const rates = {};
  const window2 = async (page, read) => {
    await new Promise((r) => setTimeout(r, WARM));
    const a = await page.evaluate(read);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, WINDOW));
    const b = await page.evaluate(read);
    return ((b - a) * 1000) / (Date.now() - t0);
  };
  try {
    for (let round = 1; round <= rounds; round += 1) {
      for (const view of views) {
        for (const who of ['page', 'engine']) {
          const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
          const page = await context.newPage();
          let rate;
          if (who === 'page') {
            await page.goto(`${site.origin}/www/index.html#${view.hash}`);
            await until(page, pageStatus, (s) => s.ready && s.stats, 120000, 'the page');
            await page.click('#train');
            await until(page, pageStatus, (s) => s.training && s.step > 0, 120000, 'the page to train');
            rate = await window2(page, () => window.flowPlayground.status().step);
          } else {
            await page.goto(`${site.origin}/bench/browser/engine.html?backend=cpu&hash=${encodeURIComponent(view.hash)}`);
            const first = await until(page, () => window.engine, (e) => e.error || e.step > 0, 120000, 'the engine');
            if (first.error) throw new Error(first.error);
            rate = await window2(page, () => window.engine.step);
          }
          await context.close();
          (rates[`${view.name}:${who}`] ||= []).push(rate);
          console.log(`live ${view.name}, ${who.padEnd(6)} round ${round}: ${rate.toFixed(1)} steps/s`);
        }
      }
    }
  } finally {
    site.stop();
  }
  out.live = views.map((view) => {
    const page = median(rates[`${view.name}:page`]);
    const engine = median(rates[`${view.name}:engine`]);
    console.log(`live ${view.name} (cpu): page ${page.toFixed(1)} steps/s, bare engine ${engine.toFixed(1)} steps/s (medians), page/engine ${(page / engine).toFixed(2)}x`);
    return { view: view.name, hash: view.hash, backend: 'cpu', page: rates[`${view.name}:page`], engine: rates[`${view.name}:engine`], pageMedian: page, engineMedian: engine, ratio: page / engine };
  });
}

mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(process.env.BENCH_OUT || path.join(ROOT, 'bench/results/browser.json'), `${JSON.stringify(out, null, 1)}\n`);
