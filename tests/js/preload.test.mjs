// The pages list their whole static module graph as `<link rel="modulepreload">`, so the browser
// fetches every module at once instead of one import level after another (five levels deep
// from main.js). This test keeps the lists exact: a module added to or dropped from the graph
// fails it, with the lines to paste.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WWW = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../www');
const STATIC_IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm;

/** Every module `entry` (relative to www/) imports statically, directly or not, sorted; not itself. */
function graph(entry) {
  const seen = new Set([entry]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift();
    const source = readFileSync(path.join(WWW, file), 'utf8');
    for (const m of source.matchAll(STATIC_IMPORT)) {
      const spec = m[1] || m[2];
      if (!spec.startsWith('.')) continue;
      const next = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      if (!seen.has(next)) { seen.add(next); queue.push(next); }
    }
  }
  seen.delete(entry);
  return [...seen].sort();
}

const preloads = (html) => [...readFileSync(path.join(WWW, html), 'utf8').matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]).sort();

for (const [html, entry] of [['index.html', 'main.js'], ['embed.html', 'embed.js']]) {
  test(`${html} preloads exactly the static module graph of ${entry}`, () => {
    const want = graph(entry);
    assert.ok(want.length > 10, `${entry} imports only ${want.length} modules`);
    assert.deepEqual(preloads(html), want, `paste into ${html}:\n${want.map((f) => `  <link rel="modulepreload" href="${f}">`).join('\n')}`);
  });
}
