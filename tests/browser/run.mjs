// Browser scenarios against the real built wasm (www/pkg), in headless Chromium.
// Usage: node tests/browser/run.mjs [name-filter]   (build first: scripts/build-wasm.sh)
// The filter is a case-sensitive regular expression: 'pause|malformed' runs both; no match is a failure.

import path from 'node:path';
import { ARTIFACTS, ROOT, serve, launch, closeContexts, runScenarios } from './harness.mjs';
import { scenarios as page } from './scenarios.mjs';
import { embedScenarios } from './embed.mjs';
import { visualScenarios } from './visual.mjs';
import { densityScenarios } from './density.mjs';
import { guideScenarios } from './guide.mjs';
import { moduleScenarios } from './modules.mjs';
import { ownDataScenarios } from './owndata.mjs';
import { a11yScenarios } from './a11y.mjs';

const scenarios = { ...page, ...embedScenarios, ...visualScenarios, ...densityScenarios, ...moduleScenarios, ...guideScenarios, ...ownDataScenarios, ...a11yScenarios };

const filter = new RegExp(process.argv[2] || '');
if (!Object.keys(scenarios).some((n) => filter.test(n))) {
  console.log(`no scenario matches ${filter}`);
  process.exit(1);
}
const server = await serve(path.join(ROOT, 'www'));
const browser = await launch();
let failed = 0;
const started = Date.now();
try {
  failed = await runScenarios(scenarios, browser, server.origin, filter, closeContexts);
} finally {
  await browser.close();
  server.stop();
}
console.log(`${failed ? 'FAILED' : 'passed'}: browser scenarios in ${((Date.now() - started) / 1000).toFixed(0)} s; screenshots in ${path.relative(ROOT, ARTIFACTS)}/`);
process.exit(failed ? 1 : 0);
