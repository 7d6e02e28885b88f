// Scenarios for embedding: the example article (www/examples/blog.html), the iframe mode and
// the README's snippets pasted into a fresh page at a sub-path.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ARTIFACTS, CHROMIUM_ARGS, ROOT, SHIPPED_STEPS, check, readmeSnippetSite, serve } from './harness.mjs';

const FIGURES = ['pairs', 'average', 'snapshots', 'euler1', 'euler4', 'euler32', 'indep', 'ot', 'density', 'ode', 'sde',
  'guide-all', 'guide-w0', 'guide-w1', 'guide-w4', 'paths-flow', 'paths-reflow', 'reflow-euler1', 'shortcut-steps', 'live', 'typo'];

function figureStatus(page, id) {
  return page.evaluate((i) => {
    const s = document.getElementById(i).status;
    return { ...s, losses: undefined };
  }, id);
}

async function untilFigures(page, ids, predicate, what, timeoutMs = 180000) {
  const start = Date.now();
  let last = null;
  while (Date.now() - start < timeoutMs) {
    last = await Promise.all(ids.map((id) => figureStatus(page, id).catch(() => null)));
    if (last.every((s) => s && predicate(s))) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last && last.map((s) => s && { step: s.step, ready: s.ready, visible: s.visible, training: s.training }))}`);
}

async function openArticle(browser, origin) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  const warnings = [];
  const requests = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (m.type() === 'warning') warnings.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  context.on('request', (r) => requests.push(r.url()));
  const t0 = Date.now();
  await page.goto(`${origin}/examples/blog.html`);
  const statuses = await untilFigures(page, FIGURES, (s) => s.ready && s.stats, 'every figure to draw its first samples');
  return { page, context, errors, warnings, requests, firstMs: Date.now() - t0, statuses };
}

/** The embed.html frame of `page`, once it has loaded (iframes may load lazily). */
async function findFrame(page) {
  for (let i = 0; i < 300; i += 1) {
    const frame = page.frames().find((f) => f.url().includes('embed.html'));
    if (frame) return frame;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the embed.html frame never loaded');
}

/** WebGPU hidden: the figures run on the CPU (SwiftShader's WebGPU is too slow to train here). */
async function cpuBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu'),
  });
}

export const embedScenarios = {
  async 'the example article shows every figure from its shipped model'(_browser, origin) {
    const browser = await cpuBrowser();
    try {
      const { page, errors, warnings, requests, firstMs, statuses } = await openArticle(browser, origin);
      const byId = Object.fromEntries(FIGURES.map((id, i) => [id, statuses[i]]));
      for (const [id, s] of Object.entries(byId)) {
        check(s.model && s.step === SHIPPED_STEPS[s.model], `${id}: model ${s.model} at step ${s.step}`);
      }
      const shownStep = await page.evaluate(() => document.getElementById('live').shadowRoot.querySelector('.progress span').textContent);
      check(shownStep === String(byId.live.step), `the live figure shows step ${shownStep}`);
      // Their state is their attributes.
      check(byId.euler1.state.solver === 'euler' && byId.euler1.state.nfe === 1 && byId.euler1.stats.nfe === 1, 'euler1 settings');
      check(byId.euler32.stats.nfe === 32, 'euler32 NFE');
      check(byId.pairs.state.layers.join() === 'data,pairs', `pairs layers ${byId.pairs.state.layers}`);
      check(byId.snapshots.state.layout === 'snapshots' && byId.average.state.point.join() === '1.5,0.5', 'snapshot and average figure settings');
      check(['euler1', 'ot'].every((id) => byId[id].state.t === 1 && !byId[id].state.autoplay && byId[id].state.layers.includes('polyline')), 'end-state figures');
      check(byId.ot.model === '8gaussians-to-moons-ot.fpw' && byId.indep.model === '8gaussians-to-moons.fpw', 'OT figures use their models');
      // What the figures claim: more Euler steps and OT pairs land closer to the data.
      const w = (id) => byId[id].stats.slicedW2;
      check(w('euler32') < w('euler4') && w('euler4') < w('euler1'), `Euler 1/4/32: ${w('euler1')}, ${w('euler4')}, ${w('euler32')}`);
      check(w('euler32') < 0.3 && w('snapshots') < 0.3, `trained figures far from data: ${w('euler32')}, ${w('snapshots')}`);
      check(w('ot') < 0.25 * w('indep'), `one-step OT ${w('ot')} vs independent ${w('indep')}`);
      // The diffusion section: one model, the ODE and the SDE land on the data alike.
      check(byId.ode.model === 'moons.fpw' && byId.sde.model === 'moons.fpw', `ODE/SDE models ${byId.ode.model}, ${byId.sde.model}`);
      check(byId.ode.sampler === 'ode' && byId.sde.sampler === 'sde' && byId.sde.state.noise === 2, `samplers ${byId.ode.sampler}, ${byId.sde.sampler}`);
      check(w('ode') < 0.3 && w('sde') < 0.3, `ODE / SDE sliced W2 to the data: ${w('ode')}, ${w('sde')}`);
      await page.locator('#density').scrollIntoViewIfNeeded();
      const density = await untilFigures(page, ['density'], (s) => s.settled, 'the density snapshots');
      const d = density[0].densities.density;
      check(d && !d.note && Number.isFinite(d.max) && Object.keys(d.keyframeMs).length === 5, `density figure ${JSON.stringify(d && { ...d, series: undefined })}`);
      // Guidance, reflow and shortcut figures: their models, and what their captions claim.
      check(['guide-all', 'guide-w0', 'guide-w1', 'guide-w4'].every((id) => byId[id].model === '8gaussians-conditional.fpw'), 'guidance figures use the conditional model');
      check(byId['guide-all'].state.class === 'all' && byId['guide-w4'].state.class === 2 && byId['guide-w4'].state.guidance === 4, 'guidance figure settings');
      // A stronger w shrinks class 2's spread (w = 0 fills every blob).
      const spread = (id) => Math.hypot(...byId[id].stats.samples.std);
      check(spread('guide-w4') < spread('guide-w1') && spread('guide-w1') < 0.5 * spread('guide-w0'), `class 2 spread at w = 0/1/4: ${['guide-w0', 'guide-w1', 'guide-w4'].map((id) => spread(id).toFixed(2))}`);
      check(['paths-reflow', 'reflow-euler1'].every((id) => byId[id].model === 'moons-reflow.fpw') && byId['paths-flow'].model === 'moons.fpw', 'reflow figures use their models');
      check(w('reflow-euler1') < 0.25 * w('euler1'), `one Euler step: reflowed ${w('reflow-euler1')} vs plain ${w('euler1')}`);
      // Its panels sample when drawn, so once on screen.
      await page.locator('#shortcut-steps').scrollIntoViewIfNeeded();
      const [shortcut] = await untilFigures(page, ['shortcut-steps'], (st) => st.steps && st.steps.every((p) => p.slicedW2 !== null), 'the shortcut panels');
      const { steps } = shortcut;
      check(byId['shortcut-steps'].model === 'moons-shortcut.fpw' && steps && steps.length === 4 && steps[0].slicedW2 < 0.3, `shortcut panels ${JSON.stringify(steps)}`);
      // One worker for all figures of the page (the iframe is a page of its own).
      const workers = page.workers().map((wk) => wk.url()).filter((u) => new URL(u).pathname.endsWith('/worker.js'));
      check(workers.length <= 2, `workers: ${workers}`);
      check(FIGURES.every((id) => byId[id].backend === byId.pairs.backend), 'figures on different backends');
      // The bad attributes were reported, and nothing else.
      check(warnings.some((m) => m.includes("'rk5'")) && warnings.some((m) => m.includes("'lots'")), `warnings ${warnings}`);
      check(byId.typo.state.solver === 'heun' && byId.typo.state.nfe === 20, `typo state ${JSON.stringify(byId.typo.state)}`);
      const notes = await page.evaluate(() => [...document.getElementById('typo').shadowRoot.querySelectorAll('.note')].map((n) => n.textContent));
      check(notes.some((n) => n.includes('rk5')) && notes.some((n) => n.includes('lots')), `notes ${notes}`);
      // The iframe figure.
      await page.locator('#frame').scrollIntoViewIfNeeded();
      const frame = await findFrame(page);
      await frame.waitForFunction(() => { const s = document.getElementById('figure').status; return s && s.ready && s.stats; }, null, { timeout: 120000 });
      const inFrame = await frame.evaluate(() => document.getElementById('figure').status);
      check(inFrame.state.dataset === 'spirals' && inFrame.model === 'spirals.fpw', `iframe ${inFrame.state.dataset} ${inFrame.model}`);
      check(errors.length === 0, `console errors: ${errors}`);
      const foreign = requests.filter((u) => !u.startsWith(origin));
      check(foreign.length === 0, `requests left the origin: ${foreign}`);
      await page.screenshot({ path: path.join(ARTIFACTS, 'article.png') });
      return `all ${FIGURES.length} figures drawn ${firstMs} ms after navigation (CPU backend); one-step Euler sliced W2 ${w('indep').toFixed(2)} (independent) vs ${w('ot').toFixed(2)} (OT), ${w('reflow-euler1').toFixed(2)} (reflowed); ODE ${w('ode').toFixed(3)} vs SDE ${w('sde').toFixed(3)}; class 2's spread at w = 0/1/4: ${['guide-w0', 'guide-w1', 'guide-w4'].map((id) => spread(id).toFixed(2)).join(' / ')}`;
    } finally {
      await browser.close();
    }
  },

  async 'an off-screen figure pauses and resumes; attributes apply live; weights round-trip'(_browser, origin) {
    const browser = await cpuBrowser();
    try {
      const { page, errors } = await openArticle(browser, origin);
      await page.locator('#live').scrollIntoViewIfNeeded();
      await untilFigures(page, ['live'], (s) => s.visible, 'the live figure on screen');
      await page.evaluate(() => { document.getElementById('live').train(1000000); });
      const [moving] = await untilFigures(page, ['live'], (s) => s.training && s.step > SHIPPED_STEPS['checkerboard.fpw'] + 50, 'live training');
      // Scrolled away: it pauses and its step counter stops.
      const scrolled = Date.now();
      await page.evaluate(() => window.scrollTo(0, 0));
      const [hidden] = await untilFigures(page, ['live'], (s) => !s.visible && !s.training, 'the live figure to pause off screen');
      const pauseMs = Date.now() - scrolled;
      await page.waitForTimeout(2000);
      const [still] = await untilFigures(page, ['live'], () => true, 'status');
      check(still.step === hidden.step && !still.training, `off-screen step moved ${hidden.step} → ${still.step}`);
      // Back on screen: it resumes.
      await page.locator('#live').scrollIntoViewIfNeeded();
      await untilFigures(page, ['live'], (s) => s.training && s.step > still.step + 50, 'training to resume on screen');
      await page.evaluate(() => document.getElementById('live').pause());
      await untilFigures(page, ['live'], (s) => !s.training, 'the pause');

      // An attribute change takes effect live.
      await page.locator('#euler1').scrollIntoViewIfNeeded();
      await page.evaluate(() => document.getElementById('euler1').setAttribute('nfe', '8'));
      await untilFigures(page, ['euler1'], (s) => s.state.nfe === 8 && s.stats.nfe === 8, 'euler1 at 8 NFE');

      // Exported weights re-import to identical samples.
      const same = await page.evaluate(async () => {
        const fig = document.getElementById('euler32');
        const before = await fig.sample();
        const bytes = await fig.exportWeights();
        await fig.importWeights(bytes);
        const after = await fig.sample();
        return { before, after, size: bytes.length };
      });
      for (const key of ['mean', 'std']) {
        for (let k = 0; k < 2; k += 1) {
          check(same.before.samples[key][k] === same.after.samples[key][k], `${key} changed on re-import: ${same.before.samples[key]} → ${same.after.samples[key]}`);
        }
      }
      check(errors.length === 0, `console errors: ${errors}`);
      return `live figure paused ${pauseMs} ms after leaving the screen, at step ${hidden.step} (${moving.step} when the scroll began); weights file ${same.size} bytes re-imports to identical samples`;
    } finally {
      await browser.close();
    }
  },

  async "the README's snippets work in a fresh page at a sub-path"(_browser, origin) {
    void origin;
    const site = readmeSnippetSite();
    const server = await serve(site);
    const browser = await cpuBrowser();
    try {
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      const errors = [];
      p.on('pageerror', (e) => errors.push(e.message));
      // A fresh page has no icon, so the browser's own /favicon.ico probe 404s; any other
      // failed response is ours.
      p.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); });
      p.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`); });
      await p.goto(`${server.origin}/blog/element.html`);
      await p.waitForFunction(() => { const el = document.querySelector('flow-playground'); return el && el.status && el.status.ready && el.status.stats; }, null, { timeout: 120000 });
      const s = await p.evaluate(() => document.querySelector('flow-playground').status);
      check(s.model === 'moons.fpw' && s.state.nfe === 8, `element snippet: ${s.model}, nfe ${s.state.nfe}`);
      await p.goto(`${server.origin}/blog/iframe.html`);
      const frame = await findFrame(p);
      await frame.waitForFunction(() => { const el = document.getElementById('figure'); return el && el.status && el.status.ready && el.status.stats; }, null, { timeout: 120000 });
      const f = await frame.evaluate(() => document.getElementById('figure').status);
      check(f.model === 'spirals.fpw' && f.state.solver === 'rk4', `iframe snippet: ${f.model}, ${f.state.solver}`);
      check(errors.length === 0, `console errors: ${errors}`);
      return 'element and iframe snippets render from /blog/flow-playground/';
    } finally {
      await browser.close();
      server.stop();
    }
  },

  // The element as an npm package: scripts/package.sh builds and packs it, a scratch site
  // installs the tarball (offline: the package has no dependencies) and embeds a figure from
  // node_modules/, which must draw from its shipped model with no failed request.
  async 'the npm package installs into a site and its element draws'(_browser, origin) {
    void origin;
    execFileSync('bash', [path.join(ROOT, 'scripts/package.sh')], { stdio: 'pipe' });
    const cargo = readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8');
    const version = cargo.match(/^version\s*=\s*"([^"]*)"/m)[1];
    const tarball = path.join(ROOT, 'dist', `flow-playground-${version}.tgz`);
    check(existsSync(tarball), `no ${tarball}`);
    const site = mkdtempSync(path.join(os.tmpdir(), 'fp-npm-'));
    writeFileSync(path.join(site, 'package.json'), '{ "name": "a-blog", "private": true }\n');
    execFileSync('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: site, stdio: 'pipe' });
    const installed = path.join(site, 'node_modules', 'flow-playground');
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
    check(manifest.version === version && manifest.license && manifest.exports['.'] === './element.js', `package.json ${JSON.stringify(manifest)}`);
    for (const f of ['element.js', 'worker.js', 'pkg/flow_playground_bg.wasm', 'pkg-gpu/flow_playground_bg.wasm', 'models/moons.fpw', 'README.md']) {
      check(existsSync(path.join(installed, f)), `the package lacks ${f}`);
    }
    check(!existsSync(path.join(installed, 'examples')), 'the package carries the example article');
    writeFileSync(path.join(site, 'index.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>post</title></head><body>
<script type="module" src="node_modules/flow-playground/element.js"></script>
<flow-playground dataset="moons" solver="euler" nfe="8" layers="data,particles"></flow-playground>
</body></html>
`);
    const server = await serve(site);
    const browser = await cpuBrowser();
    try {
      const p = await (await browser.newContext()).newPage();
      const errors = [];
      const wasm = [];
      p.on('pageerror', (e) => errors.push(e.message));
      p.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); });
      p.on('response', (r) => {
        if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`);
        if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname);
      });
      await p.goto(`${server.origin}/index.html`);
      await p.waitForFunction(() => { const el = document.querySelector('flow-playground'); return el && el.status && el.status.ready && el.status.stats; }, null, { timeout: 120000 });
      const s = await p.evaluate(() => document.querySelector('flow-playground').status);
      check(s.model === 'moons.fpw' && s.stats.slicedW2 < 0.4, `the packaged figure: model ${s.model}, sliced W2 ${s.stats.slicedW2}`);
      check(wasm.length > 0 && wasm.every((u) => u.startsWith('/node_modules/flow-playground/')), `wasm from ${wasm}`);
      check(errors.length === 0, `console errors: ${errors}`);
      const kib = (b) => `${(b / 1024).toFixed(0)} KiB`;
      const { size } = statSync(tarball);
      return `flow-playground-${version}.tgz ${kib(size)} packed, ${readdirSync(installed).length} entries; the element drew moons.fpw from node_modules (sliced W2 ${s.stats.slicedW2.toFixed(3)})`;
    } finally {
      await browser.close();
      server.stop();
    }
  },
};
