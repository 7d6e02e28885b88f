// Browser scenarios against the real built wasm (www/pkg), in headless Chromium.
// Usage: node tests/browser/run.mjs [name-filter]   (build first: scripts/build-wasm.sh)

import path from 'node:path';
import { ARTIFACTS, ROOT, serve, launch, closeContexts } from './harness.mjs';
import { scenarios as page } from './scenarios.mjs';
import { embedScenarios } from './embed.mjs';
import { visualScenarios } from './visual.mjs';
import { densityScenarios } from './density.mjs';
import { guideScenarios } from './guide.mjs';
import { moduleScenarios } from './modules.mjs';
import { a11yScenarios } from './a11y.mjs';

const scenarios = { ...page, ...embedScenarios, ...visualScenarios, ...densityScenarios, ...moduleScenarios, ...guideScenarios, ...a11yScenarios };

const filter = process.argv[2] || '';
const server = await serve(path.join(ROOT, 'www'));
const browser = await launch();
let failed = 0;
const started = Date.now();
try {
  for (const [name, run] of Object.entries(scenarios)) {
    if (!name.includes(filter)) continue;
    const t0 = Date.now();
    try {
      const note = await run(browser, server.origin);
      console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)${note ? ` — ${note}` : ''}`);
    } catch (error) {
      failed += 1;
      console.log(`FAIL ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n     ${error.stack || error}`);
    } finally {
      await closeContexts();
    }
  }
} finally {
  await browser.close();
  server.stop();
}
console.log(`${failed ? 'FAILED' : 'passed'}: browser scenarios in ${((Date.now() - started) / 1000).toFixed(0)} s; screenshots in ${path.relative(ROOT, ARTIFACTS)}/`);
process.exit(failed ? 1 : 0);
