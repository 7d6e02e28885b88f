// The scenarios that need no WebGPU, in Firefox ESR (Debian's firefox-esr) driven over WebDriver
// BiDi by puppeteer-core: the page at its defaults trains and samples on the CPU, the example
// article draws every figure, the README's snippets render, a malformed hash is reported, the
// samples download as CSV; and WebGPU where Firefox offers an adapter (skipped, with the
// reason, where it does not).
// Usage: node tests/browser/firefox.mjs [name-filter, a regular expression]   (FIREFOX=… for another binary)

import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { ROOT, SHIPPED_STEPS, check, readmeSnippetSite, runScenarios, serve } from './harness.mjs';

const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
const DOWNLOADS = mkdtempSync(path.join(os.tmpdir(), 'fp-firefox-downloads-'));
/** The article's figures, by id, in page order. */
const ARTICLE = [...readFileSync(path.join(ROOT, 'www/examples/blog.html'), 'utf8').matchAll(/<flow-playground id="([^"]+)"/g)].map((m) => m[1]);

function launch() {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    protocol: 'webDriverBiDi',
    extraPrefsFirefox: {
      // WebGPU is off by default in Firefox on Linux; asked for, it appears where a Vulkan
      // driver (Mesa's lavapipe, say) gives an adapter.
      'dom.webgpu.enabled': true,
      'gfx.webgpu.ignore-blocklist': true,
      // Downloads go to DOWNLOADS without a dialog.
      'browser.download.folderList': 2,
      'browser.download.dir': DOWNLOADS,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      'browser.helperApps.neverAsk.saveToDisk': 'text/csv',
      'browser.download.alwaysOpenPanel': false,
    },
  });
}

/** A fresh page recording console errors and failed responses. */
async function open(browser, url, { viewport = { width: 1280, height: 900 } } = {}) {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`); });
  await page.goto(url);
  return { page, errors };
}

/** Polls `fn` in the page until it returns something truthy. */
async function until(page, fn, arg, what, timeoutMs = 180000) {
  const start = Date.now();
  let last;
  while (Date.now() - start < timeoutMs) {
    last = await page.evaluate(fn, arg).catch((e) => ({ error: e.message }));
    if (last && !last.error && last.ok) return last.value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last ${JSON.stringify(last).slice(0, 400)}`);
}

/** The page's status once `predicate(status)` holds. */
async function pageStatus(page, predicate, what, timeoutMs = 180000) {
  const start = Date.now();
  let last = null;
  while (Date.now() - start < timeoutMs) {
    last = await page.evaluate(() => {
      const s = window.flowPlayground && window.flowPlayground.status();
      return s && { ...s, losses: s.losses.slice(-20) };
    }).catch(() => null);
    if (last && predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last status ${JSON.stringify(last && { ...last, losses: undefined }).slice(0, 400)}`);
}

function noErrors(errors) {
  check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
}

/** How many pixels of the page's canvas are drawn (not blank, not near-white). */
function inkOn(page) {
  return page.evaluate(() => {
    const canvas = document.getElementById('canvas');
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let k = 3; k < data.length; k += 4) if (data[k] > 0 && (data[k - 1] < 240 || data[k - 2] < 240 || data[k - 3] < 240)) n += 1;
    return n;
  });
}

export const firefoxScenarios = {
  async 'firefox: the page at its defaults draws and trains on the CPU'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/`);
    const first = await pageStatus(page, (s) => s.ready && s.stats, 'the first samples');
    check(first.backend === 'cpu' && first.model === 'moons.fpw' && first.step === SHIPPED_STEPS['moons.fpw'], `backend ${first.backend}, model ${first.model} at step ${first.step}`);
    check(first.stats.n === 2000 && first.stats.slicedW2 < 0.3, `samples ${JSON.stringify(first.stats.samples)}, sliced W2 ${first.stats.slicedW2}`);
    const badge = await page.$eval('#backend', (b) => b.textContent);
    check(badge.includes('CPU'), `badge ${badge}`);
    await page.click('#train');
    const trained = await pageStatus(page, (s) => s.training && s.step >= first.step + 40 && s.losses.length >= 3, 'forty training steps');
    await page.click('#pause');
    const paused = await pageStatus(page, (s) => !s.training, 'the pause');
    check(trained.losses.every(Number.isFinite) && trained.losses.every((l) => l > 0 && l < 10), `losses ${trained.losses}`);
    // Drawn: particles on the canvas, and the step shown.
    await pageStatus(page, (s) => s.stats && s.stats.step > first.step, 'samples from the trained weights');
    const ink = await inkOn(page);
    check(ink > 2000, `only ${ink} pixels drawn`);
    const shown = await page.$eval('#step-count', (e) => Number(e.textContent));
    check(shown >= trained.step, `the page shows step ${shown}`);
    noErrors(errors);
    await page.close();
    return `${paused.step - first.step} steps at ${trained.stepsPerSec.toFixed(0)} steps/s, loss ${trained.losses[trained.losses.length - 1].toFixed(3)}, ${ink} pixels drawn`;
  },

  async 'firefox: the example article draws every figure'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/examples/blog.html`, { viewport: { width: 1100, height: 900 } });
    const t0 = Date.now();
    const statuses = await until(page, (ids) => {
      const all = ids.map((id) => document.getElementById(id).status);
      return all.every((s) => s && s.ready && s.stats) ? { ok: true, value: all.map((s) => ({ model: s.model, step: s.step, backend: s.backend, w: s.stats.slicedW2 })) } : null;
    }, ARTICLE, 'every figure to draw its first samples', 240000);
    const firstMs = Date.now() - t0;
    statuses.forEach((s, i) => check(s.backend === 'cpu' && s.model && s.step === SHIPPED_STEPS[s.model], `${ARTICLE[i]}: ${JSON.stringify(s)}`));
    const byId = Object.fromEntries(ARTICLE.map((id, i) => [id, statuses[i]]));
    check(byId.euler32.w < byId.euler1.w && byId.ot.w < byId.indep.w, `sliced W2: euler1 ${byId.euler1.w}, euler32 ${byId.euler32.w}, indep ${byId.indep.w}, ot ${byId.ot.w}`);
    // A figure draws while it is on screen.
    await page.$eval('#euler32', (f) => f.scrollIntoView());
    const ink = await until(page, () => {
      const canvas = document.getElementById('euler32').shadowRoot.querySelector('canvas');
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let k = 3; k < data.length; k += 4) if (data[k] > 0 && (data[k - 1] < 240 || data[k - 2] < 240 || data[k - 3] < 240)) n += 1;
      return n > 1000 ? { ok: true, value: n } : { ok: false, value: n };
    }, null, 'euler32 to draw its particles', 60000);
    // The iframe figure (loaded lazily).
    await page.$eval('#frame', (f) => f.scrollIntoView());
    const inFrame = await until(page, () => {
      const doc = document.getElementById('frame').contentDocument;
      const s = doc && doc.getElementById('figure') && doc.getElementById('figure').status;
      return s && s.ready && s.stats ? { ok: true, value: { dataset: s.state.dataset, model: s.model } } : null;
    }, null, 'the iframe figure');
    check(inFrame.dataset === 'spirals' && inFrame.model === 'spirals.fpw', `iframe ${JSON.stringify(inFrame)}`);
    // The attribute typos are reported as notes (warnings), not errors.
    noErrors(errors);
    await page.close();
    return `all ${ARTICLE.length} figures and the iframe drawn, the figures ${firstMs} ms after load`;
  },

  async "firefox: the README's snippets render at a sub-path"(browser) {
    const site = readmeSnippetSite();
    const server = await serve(site);
    try {
      const element = await open(browser, `${server.origin}/blog/element.html`);
      const s = await until(element.page, () => {
        const el = document.querySelector('flow-playground');
        const st = el && el.status;
        return st && st.ready && st.stats ? { ok: true, value: { model: st.model, nfe: st.state.nfe } } : null;
      }, null, 'the element snippet');
      check(s.model === 'moons.fpw' && s.nfe === 8, `element snippet: ${JSON.stringify(s)}`);
      noErrors(element.errors);
      await element.page.close();
      const frame = await open(browser, `${server.origin}/blog/iframe.html`);
      const f = await until(frame.page, () => {
        const doc = document.querySelector('iframe').contentDocument;
        const st = doc && doc.getElementById('figure') && doc.getElementById('figure').status;
        return st && st.ready && st.stats ? { ok: true, value: { model: st.model, solver: st.state.solver } } : null;
      }, null, 'the iframe snippet');
      check(f.model === 'spirals.fpw' && f.solver === 'rk4', `iframe snippet: ${JSON.stringify(f)}`);
      noErrors(frame.errors);
      await frame.page.close();
      return 'element and iframe snippets render from /blog/flow-playground/';
    } finally {
      server.stop();
    }
  },

  async 'firefox: a malformed hash shows messages; the page still trains'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&dataset=moon&lr=abc&width=99999&bogus=1&layers=data,nope&particles=300&point=1,x&%E0%A4%A=1`);
    const s = await pageStatus(page, (x) => x.ready && x.stats, 'the first samples');
    check(s.state.dataset === 'moons' && s.state.width === 64 && s.state.lr === 0.002 && s.state.point.join() === '0.5,0.5', `state ${JSON.stringify(s.state)}`);
    const shown = await page.$$eval('#messages .message', (items) => items.map((i) => i.textContent));
    for (const needle of ['moon', 'abc', '99999', 'bogus', 'nope', 'URL encoding', "'1,x'"]) {
      check(shown.some((m) => m.includes(needle)), `no message about '${needle}': ${shown.join(' | ')}`);
    }
    await page.click('#step-once');
    await pageStatus(page, (x) => !x.training && x.step === s.step + 1, 'one training step');
    noErrors(errors);
    await page.close();
    return `${shown.length} messages`;
  },

  async 'firefox: the samples download as CSV'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&particles=300`);
    await pageStatus(page, (s) => s.ready && s.stats, 'the first samples');
    const name = 'flow-moons-samples.csv';
    await page.click('#export-csv');
    const file = path.join(DOWNLOADS, name);
    for (let i = 0; i < 100 && !existsSync(file); i += 1) await new Promise((r) => setTimeout(r, 100));
    check(existsSync(file), `no ${name} in the downloads: ${readdirSync(DOWNLOADS)}`);
    let csv = [];
    for (let i = 0; i < 50 && csv.length < 301; i += 1) {
      csv = readFileSync(file, 'utf8').trim().split('\n');
      if (csv.length < 301) await new Promise((r) => setTimeout(r, 100));
    }
    check(csv[0] === 'x,y' && csv.length === 301, `CSV header ${csv[0]}, ${csv.length} lines`);
    check(csv.slice(1).every((l) => l.split(',').length === 2 && l.split(',').every((v) => Number.isFinite(Number(v)))), 'CSV rows are not x,y numbers');
    noErrors(errors);
    await page.close();
    return `CSV of ${csv.length - 1} rows`;
  },

  async 'firefox: WebGPU trains where Firefox has an adapter'(browser, origin) {
    // What Firefox offers on this machine, asked from a page of the origin (a secure context).
    const { page } = await open(browser, `${origin}/embed.html#backend=cpu&hide=export`);
    const probe = await page.evaluate(async () => {
      if (!navigator.gpu) return { adapter: false, why: 'navigator.gpu is undefined (dom.webgpu.enabled has no effect in this build)' };
      try {
        const adapter = await navigator.gpu.requestAdapter();
        if (!adapter) return { adapter: false, why: 'navigator.gpu.requestAdapter() gave no adapter (no Vulkan driver: Mesa\'s lavapipe is in Debian\'s mesa-vulkan-drivers)' };
        const info = adapter.info ? [adapter.info.vendor, adapter.info.architecture, adapter.info.description].filter(Boolean).join(' ') : '';
        return { adapter: true, info: info || 'details hidden by Firefox' };
      } catch (e) {
        return { adapter: false, why: `requestAdapter failed: ${e.message}` };
      }
    });
    await page.close();
    if (!probe.adapter) return `skipped: ${probe.why}`;
    const gpu = await open(browser, `${origin}/#backend=webgpu&width=16&batch=64&steps=6&particles=200&solver=euler&nfe=2&layers=data,particles`);
    const s = await pageStatus(gpu.page, (x) => x.ready && x.stats && x.backend === 'webgpu', 'the WebGPU backend', 240000);
    await gpu.page.click('#train');
    const done = await pageStatus(gpu.page, (x) => !x.training && x.step >= 6 && x.stats.step >= 6, 'six WebGPU steps', 240000);
    check(done.losses.length >= 2 && done.losses.every(Number.isFinite), `losses ${done.losses}`);
    noErrors(gpu.errors);
    await gpu.page.close();
    return `adapter (${probe.info}): trained to step ${done.step}, loss ${done.losses[0].toFixed(2)} → ${done.losses[done.losses.length - 1].toFixed(2)}`;
  },
};

/** Runs the Firefox scenarios on their own (run.mjs runs the Chromium ones). */
export async function runFirefox(filter = '') {
  const server = await serve(path.join(ROOT, 'www'));
  const browser = await launch();
  const version = await browser.version();
  let failed = 0;
  const started = Date.now();
  try {
    failed = await runScenarios(firefoxScenarios, browser, server.origin, new RegExp(filter));
  } finally {
    await browser.close();
    server.stop();
  }
  console.log(`${failed ? 'FAILED' : 'passed'}: Firefox scenarios in ${((Date.now() - started) / 1000).toFixed(0)} s (${version})`);
  return failed;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  process.exit(await runFirefox(process.argv[2] || '') ? 1 : 0);
}
