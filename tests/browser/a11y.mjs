// Accessibility scenarios: axe-core audits of the page, the iframe figure and the example
// article (zero violations of any impact), a keyboard-only walk through the page, reduced
// motion, and touch-target sizes on a phone.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ROOT, check, open, waitFor } from './harness.mjs';

const AXE = readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** WebGPU hidden: every figure runs on the CPU module. */
function cpuBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu'),
  });
}

/**
 * Runs axe-core in `page` (and in each of its frames, so an embedded figure is audited in
 * place); resolves to the violations as [{id, impact, nodes: [target…]}]. Evaluated rather than
 * added as a script tag: the pages' Content-Security-Policy forbids inline scripts (and the
 * inline styles axe sets while it measures contrast are refused with a console error, so
 * callers check the console before the audit).
 */
export async function audit(page) {
  for (const frame of page.frames()) await frame.evaluate(AXE).catch(() => {});
  // Every rule up to WCAG AA, best practices and the experimental rules included
  // (label-content-name-mismatch is one); the AAA ones (7:1 contrast) are not the target.
  const result = await page.evaluate(async () => {
    const rules = Object.fromEntries(window.axe.getRules().map((r) => [r.ruleId, { enabled: !r.tags.includes('wcag2aaa') }]));
    return window.axe.run(document, { resultTypes: ['violations'], rules });
  });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.flat().join(' ')) }));
}

/** "rule (impact) ×count: first targets" per violation, for messages and notes. */
export function describe(violations) {
  return violations.map((v) => `${v.id} (${v.impact}) ×${v.nodes.length}: ${v.nodes.slice(0, 4).join(', ')}`).join('; ');
}

async function untilDrawn(page, selector, timeoutMs = 180000) {
  await page.waitForFunction((sel) => [...document.querySelectorAll(sel)].every((el) => {
    const s = el.status;
    return s && s.ready && s.stats;
  }), selector, { timeout: timeoutMs, polling: 250 });
}

export const a11yScenarios = {
  async 'axe finds no violations on the page, the iframe figure and the article'(_browser, origin) {
    const browser = await cpuBrowser();
    try {
      const found = {};
      // The page at its defaults, and with messages (a malformed hash) and the average's readout.
      for (const [name, hash] of [['page', ''], ['page-messages', '&dataset=moon&lr=abc&layers=data,average&autoplay=0&t=0.5']]) {
        const { page, errors } = await open(browser, `${origin}/#backend=cpu${hash}`);
        await waitFor(page, (s) => s.settled || (s.ready && s.stats && !s.state.layers.includes('average')), 'the first samples');
        check(errors.length === 0, `console errors: ${errors}`);
        found[name] = await audit(page);
      }
      // The iframe figure: the README's configuration, and every part shown in the dark theme
      // with a note (a bad value) and the readout.
      for (const [name, hash] of [['embed', 'dataset=spirals&solver=rk4&nfe=20&hide=export'], ['embed-all-dark', 'backend=cpu&sweep=1&theme=dark&layers=data,average&autoplay=0&t=0.5&solver=rk9']]) {
        const { page, errors } = await open(browser, `${origin}/embed.html#${hash}`, { viewport: { width: 600, height: 800 } });
        await untilDrawn(page, 'flow-playground');
        check(errors.length === 0, `console errors: ${errors}`);
        found[name] = await audit(page);
      }
      // The article, every figure drawn and the iframe loaded.
      {
        const { page, errors } = await open(browser, `${origin}/examples/blog.html`, { viewport: { width: 1100, height: 900 } });
        await untilDrawn(page, 'flow-playground');
        await page.locator('#frame').scrollIntoViewIfNeeded();
        await page.waitForFunction(() => {
          const doc = document.getElementById('frame').contentDocument;
          const el = doc && doc.getElementById('figure');
          return el && el.status && el.status.ready && el.status.stats;
        }, null, { timeout: 180000, polling: 250 });
        check(errors.length === 0, `console errors: ${errors}`);
        found.article = await audit(page);
      }
      const bad = Object.entries(found).filter(([, v]) => v.length);
      check(bad.length === 0, `axe violations — ${bad.map(([name, v]) => `${name}: ${describe(v)}`).join(' | ')}`);
      return `0 violations on ${Object.keys(found).join(', ')}`;
    } finally {
      await browser.close();
    }
  },
};
