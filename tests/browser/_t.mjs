import { serve, launch, ROOT } from './harness.mjs';
import path from 'node:path';
const server = await serve(path.join(ROOT, 'www'));
const browser = await launch();
for (const hash of process.argv.slice(2)) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const t0 = Date.now();
  page.on('worker', (w) => w.on('console', (m) => { const [, type, at, ms] = m.text().split(' '); console.log(type, Number(at) - t0, ms); }));
  await page.goto(`${server.origin}/${hash}`);
  await page.waitForFunction(() => window.flowPlayground && window.flowPlayground.status().stats, null, { timeout: 120000, polling: 20 });
  console.log(hash, Date.now() - t0, 'ms');
  await ctx.close();
}
await browser.close(); server.stop();
