// Accessibility scenarios: axe-core audits of the page, the iframe figure and the example
// article (zero violations of any impact), a keyboard-only walk through the page, reduced
// motion, and touch-target sizes on a phone.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ROOT, SHIPPED_STEPS, check, open, waitFor } from './harness.mjs';

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

// ---------------------------------------------------------------- keyboard, motion, touch

/**
 * In the page: the focusable controls a reader can reach, in document order (shadow roots of
 * open custom elements included, in place of their host), as window.__walk; returns their
 * descriptions. Hidden, disabled and tabindex=-1 elements are not reachable.
 */
function listFocusable() {
  const SELECTOR = 'a[href], button, input, select, textarea, [tabindex]';
  const out = [];
  const visit = (root) => {
    for (const el of root.querySelectorAll(`${SELECTOR}, *`)) {
      if (el.shadowRoot) { visit(el.shadowRoot); continue; }
      if (!el.matches(SELECTOR) || el.disabled || el.tabIndex < 0) continue;
      const box = el.getBoundingClientRect();
      if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue;
      out.push(el);
    }
  };
  visit(document);
  window.__walk = out;
  return out.map((el) => el.id || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 20) || el.tagName.toLowerCase());
}

/** The deepest focused element: its index in window.__walk, and how it shows focus. */
function focusedNow() {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  const index = window.__walk.indexOf(el);
  if (index < 0) return { index, tag: el ? el.tagName : null };
  const style = getComputedStyle(el);
  const focused = { outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`, shadow: style.boxShadow, width: parseFloat(style.outlineWidth), color: style.outlineColor };
  const box = el.getBoundingClientRect();
  return { index, focused, visible: el.matches(':focus-visible'), top: box.top + window.scrollY, left: box.left + window.scrollX, height: box.height,
    column: (el.closest('.stage, .panel, header, footer, #messages') || (el.getRootNode().host ? el.getRootNode().host : document.body)).className || 'figure' };
}

/** Each listed element's outline and shadow when not focused. */
function unfocusedLooks() {
  document.activeElement.blur();
  return window.__walk.map((el) => {
    const style = getComputedStyle(el);
    return { outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`, shadow: style.boxShadow };
  });
}

/** WCAG contrast ratio of two `rgb(…)` colours. */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/**
 * Tabs from the top of `page` through every control; checks that each listed control is reached
 * once, in document order, with a visible focus indicator (an outline of 2 px or more, or a
 * box shadow, that it lacks unfocused, at 3:1 against `background`), and that the reading order
 * only moves down (or right along a row) within each column. Returns the number of stops.
 */
async function tabWalk(page, background) {
  const names = await page.evaluate(listFocusable);
  check(names.length > 3, `only ${names.length} focusable controls: ${names}`);
  const before = await page.evaluate(unfocusedLooks);
  await page.evaluate(() => window.scrollTo(0, 0));
  const stops = [];
  for (let i = 0; i < names.length + 3; i += 1) {
    await page.keyboard.press('Tab');
    const now = await page.evaluate(focusedNow);
    if (now.index < 0) {
      if (stops.length) break; // past the last control
      continue;
    }
    stops.push(now);
  }
  const order = stops.map((s) => s.index);
  check(order.length === names.length && order.every((v, i) => v === i),
    `tab order ${order.map((v) => names[v] ?? v).join(' → ')} vs the controls ${names.join(' → ')}`);
  for (const s of stops) {
    const name = names[s.index];
    const was = before[s.index];
    check(s.visible, `${name}: focused without :focus-visible`);
    const outlined = s.focused.width >= 2 && !s.focused.outline.startsWith('none') && s.focused.outline !== was.outline;
    const shadowed = s.focused.shadow !== 'none' && s.focused.shadow !== was.shadow;
    check(outlined || shadowed, `${name}: no visible focus (outline ${s.focused.outline}, shadow ${s.focused.shadow}; unfocused ${was.outline}, ${was.shadow})`);
    if (outlined) check(contrast(s.focused.color, background) >= 3, `${name}: focus outline ${s.focused.color} has contrast ${contrast(s.focused.color, background).toFixed(2)} against ${background}`);
  }
  for (let i = 1; i < stops.length; i += 1) {
    const [a, b] = [stops[i - 1], stops[i]];
    if (a.column !== b.column) continue;
    check(b.top >= a.top - a.height / 2, `focus moves up from ${names[a.index]} (y ${a.top.toFixed(0)}) to ${names[b.index]} (y ${b.top.toFixed(0)})`);
  }
  return stops.length;
}

/** Records every change of the text of `selector` (in a figure's shadow root with `host`), with times. */
function watchText([selector, host]) {
  const root = host ? document.querySelector(host).shadowRoot : document;
  const node = root.querySelector(selector);
  window.__changes = [{ at: performance.now(), text: node.textContent }];
  new MutationObserver(() => window.__changes.push({ at: performance.now(), text: node.textContent }))
    .observe(node, { childList: true, characterData: true, subtree: true });
}

/** The recorded changes that altered the text, and the shortest gap (ms) between two of them. */
function changesSoFar() {
  const c = window.__changes.filter((x, i, all) => i === 0 || x.text !== all[i - 1].text);
  let gap = Infinity;
  for (let i = 2; i < c.length; i += 1) gap = Math.min(gap, c[i].at - c[i - 1].at);
  return { texts: c.map((x) => x.text), gap };
}

Object.assign(a11yScenarios, {
  async 'a keyboard alone reaches every control in order, with visible focus; the canvas is announced in words'(_browser, origin) {
    const browser = await cpuBrowser();
    try {
      const { page, errors } = await open(browser, `${origin}/#backend=cpu&particles=300`);
      await waitFor(page, (s) => s.ready && s.stats, 'the first samples');
      const stops = await tabWalk(page, 'rgb(251, 251, 253)');
      // The canvas's text alternative: a polite live region and the canvas's label, saying what is drawn.
      await page.waitForFunction(() => document.getElementById('summary').textContent.includes('model at step'), null, { timeout: 10000 });
      const live = await page.$eval('#summary', (n) => ({ text: n.textContent, live: n.getAttribute('aria-live'), label: document.getElementById('canvas').getAttribute('aria-label') }));
      check(live.live === 'polite', `the summary is aria-live=${live.live}`);
      for (const needle of ['Gaussian noise carried to two moons', 'data, particles, trails and field', 'animated from t = 0 to 1', `model at step ${SHIPPED_STEPS['moons.fpw']} (from the shipped moons.fpw)`, 'on the CPU', '300 particles']) {
        check(live.text.includes(needle), `the live summary lacks '${needle}': ${live.text}`);
      }
      check(/now at t = \d\.\d\d/.test(live.label) && live.label.includes('on the CPU'), `the canvas's label: ${live.label}`);
      // Keyboard only: the play button stops the animation; the summary says where it stopped.
      await page.evaluate(watchText, ['#summary', null]);
      await page.focus('#play');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => /at t = \d\.\d\d, paused/.test(document.getElementById('summary').textContent), null, { timeout: 10000 });
      // A dataset change (arrow key on the focused select) is announced once the new data is in.
      await page.focus('#control-dataset');
      await page.keyboard.press('ArrowDown');
      const dataset = await page.$eval('#control-dataset', (s) => s.value);
      check(dataset !== 'moons', 'the arrow key did not change the dataset');
      // Announced once its model is in (not while the old samples still show).
      await page.waitForFunction((d) => document.getElementById('summary').textContent.includes(`(from the shipped ${d}.fpw)`), dataset, { timeout: 60000 });
      const announced = await page.evaluate(changesSoFar);
      check(announced.texts.slice(1).every((t) => !t.includes('moons.fpw') || t.includes('two moons')), `an announcement mixes the new data with the old model: ${announced.texts.join(' | ')}`);
      // Training: the live text says so once, and the label follows the step at most once a second.
      await page.evaluate(watchText, ['#summary', null]);
      const label = await page.evaluate(() => {
        const canvas = document.getElementById('canvas');
        window.__labels = [{ at: performance.now(), text: canvas.getAttribute('aria-label') }];
        new MutationObserver(() => window.__labels.push({ at: performance.now(), text: canvas.getAttribute('aria-label') })).observe(canvas, { attributes: true, attributeFilter: ['aria-label'] });
        return window.__labels[0].text;
      });
      await page.focus('#train');
      await page.keyboard.press('Enter');
      await waitFor(page, (s) => s.training && s.step > 60, 'training');
      await page.waitForTimeout(3000);
      const during = await page.evaluate(changesSoFar);
      const labels = await page.evaluate(() => window.__labels.map((l) => l.at));
      await page.focus('#pause');
      await page.keyboard.press('Enter');
      // The page flips at once; the worker's `stopped` then brings the final step.
      const stopped = await waitFor(page, (s) => !s.training && s.lastStop && s.lastStop.reason === 'paused', 'the pause');
      await page.waitForFunction((step) => document.getElementById('summary').textContent.includes(`model at step ${step}`), stopped.step, { timeout: 10000 });
      const after = await page.evaluate(changesSoFar);
      check(during.texts.length <= 2, `the live region changed ${during.texts.length - 1} times while training: ${during.texts.join(' | ')}`);
      check(during.texts.some((t) => t.includes('training on the CPU towards step')), `no training announcement: ${during.texts.join(' | ')}`);
      // labels[0] is when the watch began, not an update: the throttle holds between updates.
      check(labels.length >= 3 && labels.every((at, i) => i < 2 || at - labels[i - 1] > 900), `canvas label updates at ${labels.map((a) => a.toFixed(0))} ms (watch began at the first; its label: ${label})`);
      check(after.gap > 900, `live updates ${after.gap.toFixed(0)} ms apart`);
      check(errors.length === 0, `console errors: ${errors}`);
      return `${stops} tab stops in order with visible focus; live region: "${after.texts[after.texts.length - 1]}"; ${labels.length} label updates in ~3 s of training`;
    } finally {
      await browser.close();
    }
  },

  async 'a keyboard alone walks an embedded figure; its live summary follows an attribute change'(_browser, origin) {
    const browser = await cpuBrowser();
    try {
      const { page, errors } = await open(browser, `${origin}/embed.html#backend=cpu&particles=300&autoplay=0&t=0.5`, { viewport: { width: 600, height: 900 } });
      await untilDrawn(page, 'flow-playground');
      const stops = await tabWalk(page, 'rgb(255, 255, 255)');
      const summary = () => page.evaluate(() => document.getElementById('figure').shadowRoot.querySelector('[aria-live="polite"].visually-hidden').textContent);
      await page.waitForFunction(() => document.getElementById('figure').shadowRoot.querySelector('[aria-live="polite"].visually-hidden').textContent.includes('model at step'), null, { timeout: 10000 });
      const first = await summary();
      check(first.includes('two moons') && first.includes('at t = 0.50, paused') && first.includes('on the CPU'), `summary ${first}`);
      await page.evaluate(() => document.getElementById('figure').setAttribute('dataset', 'spirals'));
      // "…carried to spirals: loading the model…" first, then the settled text.
      await page.waitForFunction(() => /carried to spirals.*model at step/.test(document.getElementById('figure').shadowRoot.querySelector('[aria-live="polite"].visually-hidden').textContent), null, { timeout: 60000 });
      const second = await summary();
      check(second.includes('from the shipped spirals.fpw'), `summary ${second}`);
      check(errors.length === 0, `console errors: ${errors}`);
      return `${stops} tab stops in the figure; "${second}"`;
    } finally {
      await browser.close();
    }
  },
});

Object.assign(a11yScenarios, {
  async 'with reduced motion the figures start still; play still plays'(_browser, origin) {
    const browser = await cpuBrowser();
    try {
      const times = (page) => page.evaluate(() => {
        const figures = [...document.querySelectorAll('flow-playground')];
        const all = figures.length ? figures.map((f) => f.status) : [window.flowPlayground.status()];
        return all.map((s) => ({ t: s.t, step: s.step, training: s.training }));
      });
      // The same page without the preference animates (the check below can fail).
      const moving = await open(browser, `${origin}/#backend=cpu&particles=300`);
      await waitFor(moving.page, (s) => s.ready && s.stats, 'the first samples');
      const m0 = await times(moving.page);
      await moving.page.waitForTimeout(800);
      const m1 = await times(moving.page);
      check(m0[0].t !== m1[0].t, `without the preference t stays at ${m0[0].t}`);

      const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, reducedMotion: 'reduce' });
      try {
        const page = await context.newPage();
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
        await page.goto(`${origin}/#backend=cpu&particles=300`);
        await waitFor(page, (s) => s.ready && s.stats, 'the first samples');
        const a = await times(page);
        await page.waitForTimeout(1500);
        const b = await times(page);
        check(a[0].t === 1 && b[0].t === 1 && !b[0].training && b[0].step === a[0].step, `the page moved: ${JSON.stringify([a, b])}`);
        check(await page.getAttribute('#play', 'aria-label') === 'Play the animation', 'the play button does not offer to play');
        // The reader can still play it, from the keyboard.
        await page.focus('#play');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => { const t = window.flowPlayground.status().t; return t > 0 && t < 1; }, null, { timeout: 10000 });
        // The article: every figure still, none training.
        await page.goto(`${origin}/examples/blog.html`);
        await untilDrawn(page, 'flow-playground');
        const c = await times(page);
        await page.waitForTimeout(1500);
        const d = await times(page);
        const moved = c.map((x, i) => (x.t !== d[i].t || x.step !== d[i].step || d[i].training ? i : -1)).filter((i) => i >= 0);
        check(moved.length === 0, `article figures moved: ${moved.map((i) => JSON.stringify([c[i], d[i]]))}`);
        // The live figure plays when asked.
        await page.evaluate(() => document.getElementById('live').scrollIntoView());
        await page.evaluate(() => document.getElementById('live').play());
        await page.waitForFunction(() => { const t = document.getElementById('live').status.t; return t > 0 && t < 1; }, null, { timeout: 10000 });
        check(errors.length === 0, `console errors: ${errors}`);
        return `the page and ${c.length} article figures hold still for 1.5 s (t = 1, no training); play runs the clock`;
      } finally {
        await context.close();
      }
    } finally {
      await browser.close();
    }
  },
});

/**
 * Every visible button, input and select (in shadow roots too) smaller than 44×44 CSS px, as
 * "name w×h". A checkbox's target is the larger of its box and its label (a tap on either
 * toggles it).
 */
function smallTargets() {
  const out = [];
  const visit = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) visit(el.shadowRoot);
      if (!el.matches('button, input, select') || el.type === 'hidden') continue;
      const own = el.getBoundingClientRect();
      if (!own.width || !own.height) continue;
      const boxes = [own, ...(['checkbox', 'radio'].includes(el.type) && el.labels ? [...el.labels].map((l) => l.getBoundingClientRect()) : [])];
      const best = boxes.reduce((a, b) => (Math.min(b.width, b.height) > Math.min(a.width, a.height) ? b : a));
      if (best.width < 44 - 0.01 || best.height < 44 - 0.01) {
        out.push(`${el.id || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 16) || el.type} ${best.width.toFixed(0)}×${best.height.toFixed(0)}`);
      }
    }
  };
  visit(document);
  return out;
}

Object.assign(a11yScenarios, {
  async 'on a phone every control is a 44 px touch target'(_browser, origin) {
    const browser = await cpuBrowser();
    try {
      const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
      const context = await browser.newContext(phone);
      try {
        const page = await context.newPage();
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
        const counts = [];
        for (const url of [`${origin}/#backend=cpu&particles=300`, `${origin}/embed.html#backend=cpu&particles=300&sweep=1`]) {
          await page.goto(url);
          await page.waitForFunction(() => { const f = window.flowPlayground || document.querySelector('flow-playground'); const s = f && f.status && (typeof f.status === 'function' ? f.status() : f.status); return s && s.ready && s.stats; }, null, { timeout: 120000 });
          const small = await page.evaluate(smallTargets);
          check(small.length === 0, `${url.slice(origin.length)}: targets under 44×44: ${small.join(', ')}`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          check(overflow <= 0, `${url.slice(origin.length)}: horizontal overflow of ${overflow} px`);
          counts.push(await page.evaluate(() => {
            let n = 0;
            const visit = (root) => { for (const el of root.querySelectorAll('*')) { if (el.shadowRoot) visit(el.shadowRoot); if (el.matches('button, input, select') && el.getBoundingClientRect().width) n += 1; } };
            visit(document);
            return n;
          }));
        }
        check(errors.length === 0, `console errors: ${errors}`);
        return `${counts[0]} controls on the page, ${counts[1]} in the figure, each at least 44×44 px`;
      } finally {
        await context.close();
      }
    } finally {
      await browser.close();
    }
  },
});
