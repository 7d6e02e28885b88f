// The reader's own data on the page and the element (www/owndata.js, www/owndata-ui.js): a word
// from the hash drawn as points; a bad CSV and a blank image refused with a message while the
// data stay; a ring image dropped on the page is the data, and training lands the particles on
// it; pasted far-away points are rescaled and travel in the link; `data-src` on an element.

import path from 'node:path';
import { ARTIFACTS, open, waitFor, check, screenshotAtEnd } from './harness.mjs';
import { LINK_STEP } from '../../www/owndata.js';

/** The ring the page draws: centre radius 2.5, width 1 in data coordinates (see dropPicture). */
const RING = { inner: 2, outer: 3 };
const radii = (xy) => Array.from({ length: xy.length / 2 }, (_, i) => Math.hypot(xy[2 * i], xy[2 * i + 1]));
const share = (rs, lo, hi) => rs.filter((r) => r >= lo && r <= hi).length / rs.length;

/**
 * Draws a 128×128 PNG in the page (white; with `ring`, a black ring of radius 40 px and line
 * width 16 px: 16 px a data unit, so r ∈ [2, 3]) and drops it on the page as a file.
 */
function dropPicture(page, name, ring) {
  return page.evaluate(async ([n, r]) => {
    const c = document.createElement('canvas');
    c.width = c.height = 128;
    const g = c.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, 128, 128);
    if (r) {
      g.strokeStyle = '#000';
      g.lineWidth = 16;
      g.beginPath();
      g.arc(64, 64, 40, 0, 2 * Math.PI);
      g.stroke();
    }
    const blob = await new Promise((resolve) => c.toBlob(resolve, 'image/png'));
    const dt = new DataTransfer();
    dt.items.add(new File([blob], n, { type: 'image/png' }));
    document.querySelector('.stage').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [name, ring]);
}

const data = (page) => page.evaluate(() => window.flowPlayground.data().xy);

/** The page's data once they differ from `old` (a new cloud's data arrive after its run starts). */
async function newData(page, old) {
  for (let i = 0; i < 200; i += 1) {
    const s = await page.evaluate(() => window.flowPlayground.status());
    const xy = await data(page);
    if (s.ready && s.stats && JSON.stringify(xy) !== JSON.stringify(old)) return xy;
    await page.waitForTimeout(100);
  }
  throw new Error('the data never changed');
}
const samples = (page) => page.evaluate(() => window.flowPlayground.samples().x);
const shown = (page) => page.$$eval('#messages .message', (items) => items.map((i) => i.textContent));

async function message(page, needle) {
  for (let i = 0; i < 100; i += 1) {
    const found = (await shown(page)).find((m) => m.includes(needle));
    if (found) return found;
    await page.waitForTimeout(100);
  }
  throw new Error(`no message with '${needle}': ${(await shown(page)).join(' | ')}`);
}

export const ownDataScenarios = {
  async 'own data: a word from the hash, a bad CSV and a blank image refused, a dropped ring learned, pasted points in the link'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&word=Hi&particles=1000&width=32&lr=0.005&steps=600&layers=data,particles`);
    let s = await waitFor(page, (st) => st.ready && st.stats, 'the first samples');
    check(s.state.dataset === 'points' && s.state.word === 'Hi', `state ${s.state.dataset} ${s.state.word}`);
    const word = await data(page);
    const xs = word.filter((_, i) => i % 2 === 0);
    const ys = word.filter((_, i) => i % 2 === 1);
    const [w, h] = [Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)];
    // 'Hi' is wider than tall, its long side within [−4, 4]; and it has a gap (between H and i).
    check(w > h && w <= 8 && Math.max(...word.map(Math.abs)) <= 4, `word spans ${w} × ${h}`);
    const sorted = [...xs].sort((a, b) => a - b);
    const gap = Math.max(...sorted.slice(1).map((x, i) => x - sorted[i]));
    check(gap > 0.4, `no gap between the letters: the widest empty strip is ${gap}`);
    // Each letter is a class, left to right: the H's points (0) all lie left of the i's (1).
    const letters = await page.evaluate(async () => {
      const { xy, labels } = (await import('/owndata-ui.js')).wordCloud('Hi');
      const xsOf = (c) => Array.from(labels).flatMap((l, i) => (l === c ? [xy[2 * i]] : []));
      return { classes: Math.max(...labels) + 1, hRight: Math.max(...xsOf(0)), iLeft: Math.min(...xsOf(1)) };
    });
    check(letters.classes === 2 && letters.hRight < letters.iLeft, `letters as classes: ${JSON.stringify(letters)}`);

    // A bad CSV, picked: the message names the line; the data and the state stay.
    await page.setInputFiles('#own-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('x,y\n1,2\n3,oops\n') });
    const bad = await message(page, 'bad.csv');
    check(bad.includes("line 3: 'oops' is not a number"), bad);
    await dropPicture(page, 'blank.png', false);
    const blank = await message(page, 'blank.png');
    check(blank.includes('the image is blank at this threshold'), blank);
    s = await waitFor(page, (st) => st.ready, 'ready');
    check(s.state.word === 'Hi' && JSON.stringify(await data(page)) === JSON.stringify(word), 'a refused file changed the data');

    // The ring: the data lie on it; untrained particles mostly do not; trained ones do.
    await dropPicture(page, 'ring.png', true);
    await message(page, 'ring.png: 3000 points');
    const link = await message(page, 'The link does not hold');
    const ringData = radii(await newData(page, word));
    check(!/word=|cloud=/.test(await page.evaluate(() => window.location.hash)), 'the hash still holds the word');
    check(share(ringData, RING.inner - 0.1, RING.outer + 0.1) === 1, `ring data off the ring: ${share(ringData, RING.inner - 0.1, RING.outer + 0.1)}`);
    const before = share(radii(await samples(page)), RING.inner - 0.3, RING.outer + 0.3);
    await page.click('#train');
    s = await waitFor(page, (st) => !st.training && st.step >= 600 && st.stats && st.stats.step >= 600, 'training on the ring', 90000);
    const after = share(radii(await samples(page)), RING.inner - 0.3, RING.outer + 0.3);
    check(after > 0.8 && before < 0.5, `particles on the ring: ${before.toFixed(2)} untrained → ${after.toFixed(2)} trained`);
    await screenshotAtEnd(page, path.join(ARTIFACTS, 'owndata-ring.png'));

    // Far-away points, pasted: centred and scaled into view, and packed into the link.
    const csv = `x,y\n${Array.from({ length: 200 }, (_, i) => `${500 + 100 * Math.cos(i / 10)},${500 + 100 * Math.sin(i / 10)}`).join('\n')}\n`;
    await page.evaluate((text) => {
      const dt = new DataTransfer();
      dt.setData('text/plain', text);
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, csv);
    const note = await message(page, 'centred and scaled');
    const pasted = await newData(page, await data(page));
    const hash = await page.evaluate(() => window.location.hash);
    check(/cloud=p[A-Za-z0-9_-]{800}&|cloud=p[A-Za-z0-9_-]{800}$/.test(hash), `hash ${hash.slice(0, 120)}`);
    const onCircle = (xy, tol) => radii(xy).every((r) => Math.abs(r - 4) < tol);
    check(onCircle(pasted, 1e-3), 'pasted points are not on the circle of radius 4');
    const second = await open(browser, `${origin}/${hash}`);
    await waitFor(second.page, (st) => st.ready && st.stats, 'the link\'s first samples');
    // Quantised to a 12-bit grid over ±6.5: each coordinate within 0.0016.
    // Each of its points is one of the pasted ones, within half a step in each coordinate.
    const linked = await data(second.page);
    const points = [];
    for (let i = 0; i < pasted.length; i += 2) points.push([pasted[i], pasted[i + 1]]);
    let worst = 0;
    for (let i = 0; i < linked.length; i += 2) {
      worst = Math.max(worst, Math.min(...points.map(([x, y]) => Math.max(Math.abs(x - linked[i]), Math.abs(y - linked[i + 1])))));
    }
    check(worst <= LINK_STEP / 2 + 1e-5, `the link's points are up to ${worst} from the pasted ones (half a step: ${LINK_STEP / 2})`);
    check(errors.length === 0 && second.errors.length === 0, `console errors: ${[...errors, ...second.errors].join(' | ')}`);
    return `word 'Hi' ${w.toFixed(2)}×${h.toFixed(2)}, a gap of ${gap.toFixed(2)} between the letters (classes H | i split at x ${letters.hRight.toFixed(2)} | ${letters.iLeft.toFixed(2)}); ring: ${(100 * before).toFixed(0)}% → ${(100 * after).toFixed(0)}% of particles on it after 600 steps; ${link.slice(0, 40)}…; ${note.slice(0, 60)}…; link ${hash.length} chars, its points within ${worst.toFixed(4)} of the pasted ones`;
  },

  async 'own data as the source: a word from the link is where the particles start, and training carries it to the data'(browser, origin) {
    const { page, errors } = await open(browser, `${origin}/#backend=cpu&srcword=Hi&dataset=circles&particles=600&width=32&lr=0.005&steps=600&layers=data,particles`);
    let s = await waitFor(page, (st) => st.ready && st.stats, 'the first samples');
    check(s.state.source === 'points' && s.state.srcword === 'Hi' && s.state.dataset === 'circles', `state: source ${s.state.source} '${s.state.srcword}', data ${s.state.dataset}`);
    // Every particle starts on one of the word's points (the source is their empirical law).
    const word = await page.evaluate(async () => Array.from((await import('/owndata-ui.js')).wordCloud('Hi').xy));
    const starts = async () => (await page.evaluate(() => window.flowPlayground.paths(600))).xy.slice(0, 1200);
    const offWord = (xy) => {
      let worst = 0;
      for (let i = 0; i < xy.length; i += 2) {
        let near = Infinity;
        for (let j = 0; j < word.length; j += 2) near = Math.min(near, Math.hypot(xy[i] - word[j], xy[i + 1] - word[j + 1]));
        worst = Math.max(worst, near);
      }
      return worst;
    };
    const off = offWord(await starts());
    check(off < 1e-5, `a particle starts ${off} away from every point of the word`);
    const before = s.stats.slicedW2;
    await page.click('#train');
    s = await waitFor(page, (st) => !st.training && st.step >= 600 && st.stats && st.stats.step >= 600, 'training from the word', 90000);
    const after = s.stats.slicedW2;
    check(after < 0.5 * before && after < 0.4, `sliced W₂ to the circles: ${before.toFixed(3)} untrained → ${after.toFixed(3)} after 600 steps`);
    check(offWord(await starts()) < 1e-5, 'after training, the particles no longer start on the word');
    await screenshotAtEnd(page, path.join(ARTIFACTS, 'owndata-source-word.png'));

    // The panel: a word typed 'as the source' replaces it; the data and the link follow.
    await page.selectOption('#own-role', 'source');
    await page.fill('#own-word', 'O');
    await page.click('#own-word-use');
    const said = await message(page, "'O': 3000 points are the source (t = 0)");
    s = await waitFor(page, (st) => st.ready && st.stats && st.state.srcword === 'O' && st.step === 0, 'the new source');
    const hash = await page.evaluate(() => window.location.hash);
    check(hash.includes('srcword=O') && !hash.includes('srcword=Hi') && s.state.dataset === 'circles', `hash ${hash}, data ${s.state.dataset}`);
    // A bad source word in the link: a message, and the source stays.
    await page.evaluate(() => { window.location.hash = window.location.hash.replace('srcword=O', `srcword=${'W'.repeat(40)}`); });
    const refused = await message(page, 'srcword:');
    s = await waitFor(page, (st) => st.ready, 'ready');
    check(s.state.srcword === 'O' && s.state.source === 'points', `after a bad word: source ${s.state.source} '${s.state.srcword}'`);
    // Another source from the menu leaves the word behind, in the link too.
    await page.selectOption('#control-source', 'gaussian');
    s = await waitFor(page, (st) => st.ready && st.state.source === 'gaussian', 'the Gaussian source');
    await page.waitForFunction(() => !window.location.hash.includes('source=points'), null, { timeout: 10000 });
    const plain = await page.evaluate(() => window.location.hash);
    check(!plain.includes('srcword') && s.state.srcword === '', `hash after the Gaussian: ${plain}`);
    check(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    return `every particle starts on 'Hi' (within ${off.toExponential(1)}); sliced W₂ to circles ${before.toFixed(2)} → ${after.toFixed(2)} after 600 steps; ${said.slice(0, 50)}…; ${refused.slice(0, 60)}…`;
  },

  async 'data-src: an element draws a same-origin CSV; a bad file is a message in a figure that still draws; a word attribute; source-src'(browser, origin) {
    const circle = `x,y\n${Array.from({ length: 300 }, (_, i) => `${3 * Math.cos(i / 7)},${3 * Math.sin(i / 7)}`).join('\n')}\n`;
    const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    const errors = [];
    await context.route(`${origin}/own/**`, (route) => {
      const name = new URL(route.request().url()).pathname;
      const bodies = {
        '/own/page.html': ['text/html', `<!doctype html><meta charset="utf-8"><script type="module" src="/element.js"></script>
          <flow-playground id="good" data-src="/own/circle.csv" backend="cpu" pretrained="0" particles="300" size="300"></flow-playground>
          <flow-playground id="bad" data-src="/own/bad.csv" backend="cpu" particles="300" size="300"></flow-playground>
          <flow-playground id="word" word="Hi" backend="cpu" particles="300" size="300"></flow-playground>
          <flow-playground id="source" source-src="/own/circle.csv" dataset="8gaussians" backend="cpu" particles="300" size="300"></flow-playground>`],
        '/own/circle.csv': ['text/csv', circle],
        '/own/bad.csv': ['text/csv', '1,2\n3,4,5\n'],
      };
      const [type, body] = bodies[name] || ['text/plain', ''];
      route.fulfill({ status: bodies[name] ? 200 : 404, contentType: type, body });
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/own/page.html`);
    const statusOf = (id) => page.evaluate((i) => { const st = document.getElementById(i).status; return { ...st, losses: undefined }; }, id);
    await page.waitForFunction(() => ['good', 'bad', 'word', 'source'].every((i) => { const st = document.getElementById(i).status; return st.ready && st.stats; }), null, { timeout: 60000 });
    const good = await statusOf('good');
    // Uniform on a circle of radius 3: mean 0, standard deviation 3/√2 in each coordinate.
    check(good.state.dataset === 'points', `dataset ${good.state.dataset}`);
    for (let k = 0; k < 2; k += 1) {
      check(Math.abs(good.stats.data.mean[k]) < 0.15 && Math.abs(good.stats.data.std[k] - 3 / Math.SQRT2) < 0.1, `data ${JSON.stringify(good.stats.data)}`);
    }
    const bad = await statusOf('bad');
    const notes = await page.evaluate(() => document.getElementById('bad').shadowRoot.querySelector('.notes').textContent);
    check(notes.includes("data-src: bad.csv: line 2: expected two numbers 'x,y'"), `notes: ${notes}`);
    check(bad.state.dataset === 'moons' && bad.stats.samples, `bad figure: ${bad.state.dataset}`);
    // A word attribute: its glyphs are the data, wider than tall.
    const word = await statusOf('word');
    check(word.state.dataset === 'points' && word.stats.data.std[0] > 1.5 * word.stats.data.std[1], `word figure: ${word.state.dataset} ${JSON.stringify(word.stats.data)}`);
    // `source-src`: the circle is where the particles start; the data stay the named 8 Gaussians.
    const source = await statusOf('source');
    check(source.state.source === 'points' && source.state.dataset === '8gaussians' && source.step === 0, `source figure: ${source.state.source} → ${source.state.dataset}, step ${source.step}`);
    check(errors.length === 0, `errors ${errors}`);
    return `circle CSV: data std ${good.stats.data.std.map((v) => v.toFixed(2))} (3/√2 = 2.12); bad file: '${notes.slice(0, 70)}'`;
  },
};
