// The engine's training loop for engine.js: Playground.train in chunks of about 100 ms, the
// loss read back after each (as the page's worker does), the step count posted after each.

import { parseHash, trainConfig } from '../../www/state.js';

self.onmessage = async ({ data: { backend, hash } }) => {
  try {
    const glue = await import(backend === 'cpu' ? '../../www/pkg/flow_playground.js' : '../../www/pkg-gpu/flow_playground.js');
    await glue.default();
    const { state } = parseHash(hash);
    const pg = await glue.Playground.create(backend, trainConfig(state), undefined);
    let k = 1;
    for (;;) {
      const t0 = performance.now();
      pg.train(k);
      await pg.readLoss();
      const ms = performance.now() - t0;
      k = Math.max(1, Math.min(500, Math.round((k * 100) / Math.max(ms, 1))));
      self.postMessage({ step: pg.steps, ms: performance.now() });
    }
  } catch (error) {
    self.postMessage({ error: String(error && error.message ? error.message : error) });
  }
};
