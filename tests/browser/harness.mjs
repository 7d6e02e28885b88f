// Shared pieces of the browser scenarios: a static server for www/, headless Chromium with
// WebGPU on SwiftShader, a page wrapper that records console errors and requests, assertions.

import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(ROOT, 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

/** The training steps of each shipped model, file → steps (www/models/index.json). */
export const SHIPPED_STEPS = Object.fromEntries(JSON.parse(readFileSync(path.join(ROOT, 'www', 'models', 'index.json'), 'utf8')).models.map((m) => [m.file, m.steps]));

async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Serves `dir` on 127.0.0.1 with Python's static server; resolves to {origin, stop}. */
export async function serve(dir) {
  const port = await freePort();
  const child = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i += 1) {
    try {
      const res = await fetch(`${origin}/index.html`);
      if (res.ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { origin, stop: () => child.kill() };
}

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--use-angle=swiftshader',
  '--use-vulkan=swiftshader',
  // Our own list replaces Playwright's, so its screenshot feature is named again.
  '--enable-features=Vulkan,CDPScreenshotNewSurface',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/** Contexts opened by the running scenario; run.mjs closes them after it, so a finished
 * scenario's pages stop animating and training in the background. */
export const openContexts = [];

export async function closeContexts() {
  for (const context of openContexts.splice(0)) await context.close().catch(() => {});
}

/** Opens `url` in a fresh context, recording console errors and every request's URL;
 * `prepare(context)` runs before the navigation (to route requests, say). */
export async function open(browser, url, { viewport = { width: 1280, height: 900 }, prepare = null } = {}) {
  const context = await browser.newContext({ viewport });
  openContexts.push(context);
  if (prepare) await prepare(context);
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') errors.push(`worker: ${m.text()}`); }));
  context.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  return { page, context, errors, requests };
}

export function status(page) {
  return page.evaluate(() => window.flowPlayground.status());
}

/** Polls the page's status until `predicate(status)` holds. */
export async function waitFor(page, predicate, what, timeoutMs = 120000) {
  const start = Date.now();
  let last;
  while (Date.now() - start < timeoutMs) {
    last = await page.evaluate(() => window.flowPlayground && window.flowPlayground.status()).catch(() => null);
    if (last && predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  const brief = last ? { ...last, losses: last.losses && last.losses.slice(-5) } : last;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last status ${JSON.stringify(brief)}`);
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

export function mean(xs) {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** A screenshot with the animation stopped at t = 1 (the generated samples). */
export async function screenshotAtEnd(page, file) {
  await page.evaluate(() => {
    const time = document.getElementById('time');
    time.value = '1000';
    time.dispatchEvent(new Event('input'));
  });
  await page.waitForTimeout(300);
  await page.screenshot({ path: file });
}

/**
 * A scratch site that holds www/ at /blog/flow-playground/ and the README's element and iframe
 * snippets pasted into /blog/element.html and /blog/iframe.html; returns its folder.
 */
export function readmeSnippetSite() {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const snippet = (name) => {
    const m = readme.match(new RegExp(`<!-- embed-snippet:${name} -->\\s*\`\`\`html\\n([\\s\\S]*?)\`\`\``));
    check(m, `README has no ${name} snippet`);
    return m[1];
  };
  const site = mkdtempSync(path.join(os.tmpdir(), 'fp-site-'));
  cpSync(path.join(ROOT, 'www'), path.join(site, 'blog', 'flow-playground'), { recursive: true });
  const page = (body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>post</title></head><body>\n${body}\n</body></html>\n`;
  writeFileSync(path.join(site, 'blog', 'element.html'), page(snippet('element')));
  writeFileSync(path.join(site, 'blog', 'iframe.html'), page(snippet('iframe')));
  return site;
}

/**
 * Runs each scenario whose name matches `filter` (a regular expression) as
 * `run(browser, origin)`, printing ok/FAIL with its time and note; `after` runs after each.
 * Resolves to the number that failed.
 */
export async function runScenarios(scenarios, browser, origin, filter, after = async () => {}) {
  let failed = 0;
  for (const [name, run] of Object.entries(scenarios)) {
    if (!filter.test(name)) continue;
    const t0 = Date.now();
    try {
      const note = await run(browser, origin);
      console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)${note ? ` — ${note}` : ''}`);
    } catch (error) {
      failed += 1;
      console.log(`FAIL ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n     ${error.stack || error}`);
    } finally {
      await after();
    }
  }
  return failed;
}
