// Screenshots to look at (not a test): the page's default view, each layer, the snapshot
// layout, and every figure of the example article, on the CPU backend with the shipped models
// and the animation stopped. Usage: node tests/browser/look.mjs [name-filter]  → artifacts/look/
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ARTIFACTS, CHROMIUM_ARGS, ROOT, serve } from './harness.mjs';

const OUT = path.join(ARTIFACTS, 'look');
mkdirSync(OUT, { recursive: true });
const filter = process.argv[2] || '';

const PAGE = {
  'default-t1': 't=1',
  'default-t05': 't=0.5',
  'default-t025': 't=0.25',
  field: 't=0.5&layers=data,particles,field',
  exact: 't=0.5&layers=data,particles,exact',
  streamlines: 't=0.5&layers=data,particles,streamlines',
  pairs: 't=0.5&layers=data,pairs',
  paths: 't=0.7&layers=data,particles,paths',
  polyline: 't=1&layers=data,particles,polyline&solver=euler&nfe=4',
  trails: 't=0.6&layers=particles,trails',
  average: 't=0.5&layers=data,average',
  'average-t02': 't=0.2&layers=data,average&point=-1,1',
  'average-t03': 't=0.3&layers=data,average&point=0.5,0.5',
  'average-t07': 't=0.7&layers=data,average&point=0.5,0.5',
  'average-8g-t05': 't=0.5&layers=data,average&dataset=8gaussians',
  'average-8g-t03': 't=0.3&layers=data,average&dataset=8gaussians&point=1.5,0.5',
  'average-8g-t07': 't=0.7&layers=data,average&dataset=8gaussians&point=1.5,0.5',
  snapshots: 'layout=snapshots&layers=data,particles',
  dark: 't=0.6&theme=dark',
  checkerboard: 't=1&dataset=checkerboard',
  ot: 't=1&source=8gaussians&coupling=ot&layers=data,particles,polyline&solver=euler&nfe=1',
  'density-t05': 't=0.5&layers=density,particles',
  'density-t09': 't=0.9&layers=density,particles',
  'exact-density': 't=0.5&layers=exact-density,data',
  'density-snapshots': 'layout=snapshots&layers=density',
  score: 't=0.5&layers=data,score',
  'exact-score': 't=0.5&layers=data,exact-score,score',
  sde: 't=0.6&layers=particles,trails&sampler=sde&noise=1',
  'sde-paths': 't=1&layers=data,particles,paths&sampler=sde&noise=1',
  'density-moons-source': 't=0.5&layers=density,particles&source=moons',
  'density-dark': 't=0.5&layers=density,particles&theme=dark',
  'guided-all': 't=1&dataset=8gaussians&conditional=1&layers=data,particles',
  'guided-class': 't=1&dataset=8gaussians&conditional=1&class=2&guidance=3&layers=data,particles',
  'guided-field': 't=0.5&dataset=8gaussians&conditional=1&class=2&guidance=3&layers=data,guided,exact-guided',
  'guided-moons': 't=1&dataset=moons&conditional=1&class=1&guidance=2&layers=data,particles,trails',
  'guided-dark': 't=0.7&dataset=moons&conditional=1&theme=dark&layers=data,particles,trails',
  'guided-points': 't=1&dataset=points&conditional=1&class=1&layers=data,particles',
  'steps-shortcut': 'model=shortcut&layout=steps&layers=data,particles',
  'steps-flow': 'layout=steps&layers=data,particles',
  'steps-reflow': 'reflows=1&layout=steps&layers=data,particles',
};

const server = await serve(path.join(ROOT, 'www'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu'),
});
const until = async (page, read, arg) => {
  for (let i = 0; i < 600; i += 1) {
    const s = await page.evaluate(read, arg).catch(() => null);
    if (s && s.settled) return s;
    await page.waitForTimeout(200);
  }
  throw new Error('never settled');
};
try {
  for (const [name, hash] of Object.entries(PAGE)) {
    if (!`page-${name}`.includes(filter)) continue;
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.origin}/#backend=cpu&autoplay=0&${hash}`);
    const s = await until(page, () => window.flowPlayground.status());
    await page.locator('#canvas').screenshot({ path: path.join(OUT, `page-${name}.png`) });
    const readout = await page.locator('#readout').isVisible() ? await page.textContent('#readout') : '';
    console.log(`page-${name}: ${s.model}, cost ${s.cost}${readout ? `\n  readout: ${readout}` : ''}`);
    await context.close();
  }
  // The cost-vs-steps chart once every point is in, and the panel of a conditional model.
  for (const [name, hash] of Object.entries({ sweep: '', 'sweep-reflow': 'reflows=1' })) {
    if (!`page-${name}`.includes(filter)) continue;
    const context = await browser.newContext({ viewport: { width: 1000, height: 1400 } });
    const page = await context.newPage();
    await page.goto(`${server.origin}/#backend=cpu&autoplay=0&${hash}`);
    await page.locator('#sweep').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => window.flowPlayground.sweep().done, null, { timeout: 300000 });
    await page.locator('#sweep').screenshot({ path: path.join(OUT, `page-${name}.png`) });
    const { points, floor } = await page.evaluate(() => window.flowPlayground.sweep());
    console.log(`page-${name}: floor ${floor.toFixed(3)}; ${points.map((p) => `${p.solver}@${p.nfe} ${p.w2.toFixed(3)}`).join(', ')}`);
    await context.close();
  }
  if ('page-controls'.includes(filter)) {
    const context = await browser.newContext({ viewport: { width: 1000, height: 1600 } });
    const page = await context.newPage();
    await page.goto(`${server.origin}/#backend=cpu&autoplay=0&dataset=8gaussians&conditional=1&class=2&guidance=2&coupling=sinkhorn&path=bridge`);
    await until(page, () => window.flowPlayground.status());
    await page.locator('.panel').screenshot({ path: path.join(OUT, 'page-controls.png') });
    console.log('page-controls');
    await context.close();
  }
  if ('article'.includes(filter) || filter.startsWith('article')) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.origin}/examples/blog.html`);
    for (const id of ['pairs', 'average', 'snapshots', 'euler1', 'euler4', 'euler32', 'indep', 'ot', 'density', 'ode', 'sde', 'guide-all', 'guide-w0', 'paths-flow', 'reflow-euler1', 'shortcut-steps', 'live']) {
      if (!`article-${id}`.includes(filter)) continue;
      const figure = page.locator(`#${id}`).locator('xpath=..');
      await figure.scrollIntoViewIfNeeded();
      await page.waitForFunction((i) => { const s = document.getElementById(i).status; return s.ready && s.stats; }, id, { timeout: 180000 });
      if (['pairs', 'live', 'guide-all'].includes(id)) await page.evaluate((i) => { const el = document.getElementById(i); el.pause(); el.setTime(i === 'pairs' ? 0.5 : 1); }, id);
      // Every figure of a row, settled.
      await until(page, (i) => {
        const all = [...document.getElementById(i).parentElement.querySelectorAll('flow-playground')].map((el) => el.status);
        return { settled: all.every((st) => st && st.ready && st.stats && st.settled) };
      }, id);
      await figure.screenshot({ path: path.join(OUT, `article-${id}.png`) });
      console.log(`article-${id}`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  server.stop();
}
