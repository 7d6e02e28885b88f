// Browser benchmark driver: serves the repository, opens bench/browser/index.html in headless
// Chromium (WebGPU on SwiftShader where no GPU exists), prints the tables and writes
// bench/results/browser.json. Also measures page weight and start-up (cold and warm cache).
// Usage: node bench/browser/run.mjs [query]   e.g. "train&sizes=64x256&rounds=1"

import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { serve, CHROMIUM_ARGS } = await import(path.join(ROOT, 'tests/browser/harness.mjs'));
const query = process.argv[2] || '';
const server = await serve(ROOT);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
const out = { date: new Date().toISOString(), chromium: browser.version(), query, rows: [] };

try {
  // ---------------------------------------------------------------- page weight
  const www = path.join(ROOT, 'www');
  const size = (file) => {
    const bytes = readFileSync(file);
    const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli };
  };
  const wasm = size(path.join(www, 'pkg/flow_playground_bg.wasm'));
  const js = [...readdirSync(www).filter((f) => f.endsWith('.js')).map((f) => path.join(www, f)), path.join(www, 'pkg/flow_playground.js')]
    .map(size).reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  const models = readdirSync(path.join(www, 'models')).filter((f) => f.endsWith('.fpw')).map((f) => statSync(path.join(www, 'models', f)).size);
  out.weight = { wasm, js, modelBytes: models[0] };
  console.log(`page weight: wasm ${(wasm.raw / 2 ** 20).toFixed(2)} MiB raw, ${(wasm.gzip / 2 ** 20).toFixed(2)} MiB gzip, ${(wasm.brotli / 2 ** 20).toFixed(2)} MiB brotli; JS ${(js.raw / 1024).toFixed(0)} KiB raw, ${(js.gzip / 1024).toFixed(0)} KiB gzip; a shipped model ${(models[0] / 1024).toFixed(0)} KiB`);

  // ---------------------------------------------------------------- start-up
  if (!query || query.includes('startup')) {
    out.startup = [];
    for (const backend of ['cpu', 'auto']) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const times = [];
      for (const cache of ['cold', 'warm']) {
        const t0 = Date.now();
        if (cache === 'cold') await page.goto(`${server.origin}/www/index.html#backend=${backend}`);
        else await page.reload();
        await page.waitForFunction(() => window.flowPlayground && window.flowPlayground.status().stats, null, { timeout: 300000 });
        const s = await page.evaluate(() => window.flowPlayground.status());
        times.push({ backend: s.backend, cache, ms: Date.now() - t0, model: s.model });
      }
      await context.close();
      for (const t of times) console.log(`start-up ${t.cache.padEnd(4)} ${t.backend.padEnd(6)}: ${t.ms} ms from navigation to the first drawn samples (${t.model})`);
      out.startup.push(...times);
    }
  }

  // ---------------------------------------------------------------- training, sampling, rendering
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.log('console error:', m.text()); });
  const benchQuery = query.replace(/(^|&)startup(?=&|$)/, '');
  if (!query || benchQuery) {
    await page.goto(`${server.origin}/bench/browser/index.html?${benchQuery}`);
    let seen = 0;
    for (;;) {
      const { done, rows } = await page.evaluate(() => ({ done: Boolean(window.benchDone), rows: window.benchResults || [] }));
      for (const row of rows.slice(seen)) {
        out.rows.push(row);
        if (row.error) console.log('error:', row.error);
        else if (row.part === 'train') console.log(`train  ${row.backend.padEnd(6)} 3x${row.width} b${row.batch} read every ${String(row.readEvery).padEnd(2)}: ours ${row.ours.toFixed(2)}/s, TF.js ${row.tfjs.toFixed(2)}/s, ratio ${row.ratio.toFixed(2)}x (round ${row.round})`);
        else if (row.part === 'sample') console.log(`sample ${row.backend.padEnd(6)} ${row.solver.padEnd(5)} ${row.particles} particles × ${row.nfe} NFE: ${row.particleEvalsPerSecond.toExponential(2)} particle-evals/s`);
        else if (row.part === 'kernels') console.log(`kernels webgpu ${row.peer.padEnd(5)} 3x${row.width} b${row.batch}: per training step ${Object.entries(row.perStep).map(([k, v]) => `${v.toFixed(1)} ${k}`).join(', ')}`);
        else if (row.part === 'render' && row.device) console.log(`render: WebGL2 runs on ${row.device}`);
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
mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(path.join(ROOT, 'bench/results/browser.json'), `${JSON.stringify(out, null, 1)}\n`);
