// Visual regression: the page's default view and every figure of the example article, drawn
// from the shipped models on the CPU backend with fixed seeds, the animation stopped at a fixed
// t, compared with committed reference images (tests/browser/visual/*.png, at most 320 px wide).
//
// A capture matches its reference when at most MAX_DIFFERING of its pixels differ from it by
// more than LEVEL (of 255) in some colour channel. Images are decoded and compared in the page
// (the browser's PNG decoder), so no image library is needed. To refresh the references on
// purpose: UPDATE_VISUAL=1 node tests/browser/run.mjs visual
// Each capture, and a diff image for a mismatch, is saved under artifacts/visual/.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ARTIFACTS, CHROMIUM_ARGS, ROOT, check } from './harness.mjs';

export const LEVEL = 40;
export const MAX_DIFFERING = 0.01;
const WIDTH = 320;
const REFERENCES = path.join(ROOT, 'tests', 'browser', 'visual');
const OUT = path.join(ARTIFACTS, 'visual');
const UPDATE = process.env.UPDATE_VISUAL === '1';

/** The article's figures and the time each is captured at (null: as its attributes say). */
const ARTICLE = {
  pairs: 0.5, average: null, snapshots: null, euler1: null, euler4: null, euler32: null, indep: null, ot: null,
  density: null, ode: null, sde: null,
  'guide-all': 1, 'guide-w0': null, 'guide-w1': null, 'guide-w4': null, 'paths-flow': null, 'paths-reflow': null,
  'reflow-euler1': null, 'shortcut-steps': null, live: 1, typo: 1,
};

async function cpuBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu'),
  });
}

/** The canvas as a PNG (base64) at most WIDTH pixels wide, over white. */
function capture(canvasHandle) {
  return canvasHandle.evaluate(async (canvas, width) => {
    const scale = Math.min(1, width / canvas.width);
    const w = Math.round(canvas.width * scale);
    const h = Math.round(canvas.height * scale);
    const out = new OffscreenCanvas(w, h);
    const ctx = out.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.drawImage(canvas, 0, 0, w, h);
    const bytes = new Uint8Array(await (await out.convertToBlob({ type: 'image/png' })).arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 1) text += String.fromCharCode(bytes[i]);
    return btoa(text);
  }, WIDTH);
}

/** Compares two PNGs (base64) in the page: the fraction of pixels off by more than `level`, and a diff image. */
function compare(page, actual, reference) {
  return page.evaluate(async ([a, b, level]) => {
    const decode = async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const c = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = c.getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    };
    const [x, y] = await Promise.all([decode(a), decode(b)]);
    if (x.width !== y.width || x.height !== y.height) return { size: `${x.width}×${x.height} vs ${y.width}×${y.height}` };
    const diff = new ImageData(x.width, x.height);
    let off = 0;
    for (let i = 0; i < x.data.length; i += 4) {
      const d = Math.max(Math.abs(x.data[i] - y.data[i]), Math.abs(x.data[i + 1] - y.data[i + 1]), Math.abs(x.data[i + 2] - y.data[i + 2]));
      const bad = d > level;
      if (bad) off += 1;
      diff.data.set(bad ? [220, 30, 30, 255] : [x.data[i], x.data[i + 1], x.data[i + 2], 40], i);
    }
    const c = new OffscreenCanvas(x.width, x.height);
    c.getContext('2d').putImageData(diff, 0, 0);
    const bytes = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 1) text += String.fromCharCode(bytes[i]);
    return { fraction: off / (x.width * x.height), diff: btoa(text) };
  }, [actual, reference, LEVEL]);
}

/** Saves the capture; against its reference (or as the new reference with UPDATE_VISUAL=1). */
async function judge(page, name, png) {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(OUT, `${name}.png`), Buffer.from(png, 'base64'));
  const file = path.join(REFERENCES, `${name}.png`);
  if (UPDATE) {
    mkdirSync(REFERENCES, { recursive: true });
    writeFileSync(file, Buffer.from(png, 'base64'));
    return `${name}: reference written`;
  }
  check(existsSync(file), `no reference image ${path.relative(ROOT, file)} (UPDATE_VISUAL=1 makes it)`);
  const result = await compare(page, png, readFileSync(file).toString('base64'));
  check(!result.size, `${name}: size ${result.size}`);
  if (result.fraction > MAX_DIFFERING) writeFileSync(path.join(OUT, `${name}-diff.png`), Buffer.from(result.diff, 'base64'));
  check(result.fraction <= MAX_DIFFERING, `${name}: ${(100 * result.fraction).toFixed(2)}% of pixels differ by more than ${LEVEL} (at most ${100 * MAX_DIFFERING}%); see artifacts/visual/${name}-diff.png`);
  return `${name} ${(100 * result.fraction).toFixed(2)}%`;
}

/** Waits until `read()` (a status) says the figure is settled: stopped, with every input drawn. */
async function settled(page, read, arg, what, timeoutMs = 120000) {
  const start = Date.now();
  let last = null;
  while (Date.now() - start < timeoutMs) {
    last = await page.evaluate(read, arg).catch(() => null);
    if (last && last.settled) return last;
    await page.waitForTimeout(150);
  }
  throw new Error(`timed out waiting for ${what} to settle: ${JSON.stringify(last && { ready: last.ready, settled: last.settled, t: last.t })}`);
}

export const visualScenarios = {
  async 'visual: the page default view at t = 1 matches its reference'(_browser, origin) {
    const browser = await cpuBrowser();
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${origin}/#backend=cpu&autoplay=0&t=1`);
      const s = await settled(page, () => window.flowPlayground.status(), null, 'the page');
      check(s.model === 'moons.fpw', `model ${s.model}`);
      return await judge(page, 'page-default', await capture(await page.$('#canvas')));
    } finally {
      await browser.close();
    }
  },

  async 'visual: every article figure matches its reference'(_browser, origin) {
    const browser = await cpuBrowser();
    try {
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${origin}/examples/blog.html`);
      const notes = [];
      for (const [id, t] of Object.entries(ARTICLE)) {
        await page.locator(`#${id}`).scrollIntoViewIfNeeded();
        await page.waitForFunction((i) => { const s = document.getElementById(i).status; return s.ready && s.stats; }, id, { timeout: 180000 });
        if (t !== null) await page.evaluate(([i, time]) => { const el = document.getElementById(i); el.pause(); el.setTime(time); }, [id, t]);
        const s = await settled(page, (i) => document.getElementById(i).status, id, id);
        check(s.model, `${id}: no shipped model`);
        const canvas = await page.evaluateHandle((i) => document.getElementById(i).shadowRoot.querySelector('canvas'), id);
        notes.push(await judge(page, `article-${id}`, await capture(canvas)));
      }
      return notes.join(', ');
    } finally {
      await browser.close();
    }
  },
};
