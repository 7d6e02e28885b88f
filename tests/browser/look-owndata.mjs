// Screenshots to look at (not a test): an SVG star picked as a file and the word "Hi" typed,
// each turned into a density, trained for a few thousand steps on the CPU backend (fixed
// seeds), and shown at t = 1. Usage: node tests/browser/look-owndata.mjs [out-dir]
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ARTIFACTS, CHROMIUM_ARGS, ROOT, serve } from './harness.mjs';

const OUT = process.argv[2] || path.join(ARTIFACTS, 'look');
mkdirSync(OUT, { recursive: true });
const STEPS = 4000;
const WORD = 'Hi';
const VIEW = `backend=cpu&steps=${STEPS}&width=128&particles=3000&lr=0.002&seed=0&layers=data,particles`;

/** A five-pointed star with a round hole, as an SVG file. */
function star() {
  const pts = Array.from({ length: 10 }, (_, i) => {
    const r = i % 2 ? 38 : 95;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    return `${(100 + r * Math.cos(a)).toFixed(1)},${(105 + r * Math.sin(a)).toFixed(1)}`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">
  <polygon points="${pts.join(' ')}" fill="#111"/><circle cx="100" cy="105" r="18" fill="#fff"/></svg>`;
}

async function trained(page) {
  await page.click('#train');
  await page.waitForFunction((n) => { const s = window.flowPlayground.status(); return !s.training && s.step >= n && s.stats && s.stats.step >= n; }, STEPS, { timeout: 300000, polling: 500 });
  await page.evaluate(() => { const t = document.getElementById('time'); t.value = '1000'; t.dispatchEvent(new Event('input')); });
  await page.waitForTimeout(400);
  return page.evaluate(() => window.flowPlayground.status().stats);
}

const server = await serve(path.join(ROOT, 'www'));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu') });
try {
  for (const [name, load] of [
    ['image', async (page) => page.setInputFiles('#own-file', { name: 'star.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(star()) })],
    ['word', async (page) => { await page.fill('#own-word', WORD); await page.click('#own-word-use'); }],
  ]) {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
    await page.goto(`${server.origin}/#${VIEW}`);
    await page.waitForFunction(() => window.flowPlayground && window.flowPlayground.status().stats, null, { timeout: 120000 });
    const before = await page.evaluate(() => window.flowPlayground.data().xy.slice(0, 8).join());
    await load(page);
    await page.waitForFunction((b) => window.flowPlayground.data().xy.slice(0, 8).join() !== b && window.flowPlayground.status().stats, before, { timeout: 60000 });
    await page.evaluate(() => { const t = document.getElementById('time'); t.value = '1000'; t.dispatchEvent(new Event('input')); });
    await page.waitForTimeout(400);
    await page.locator('#canvas').screenshot({ path: path.join(OUT, `owndata-${name}-untrained.png`) });
    const stats = await trained(page);
    await page.locator('#canvas').screenshot({ path: path.join(OUT, `owndata-${name}-learned.png`) });
    await page.screenshot({ path: path.join(OUT, `owndata-${name}-page.png`) });
    console.log(`${name}: ${STEPS} steps, sliced W2 ${stats.slicedW2.toFixed(3)}, hash ${await page.evaluate(() => window.location.hash)}`);
  }
} finally {
  await browser.close();
  server.stop();
}
