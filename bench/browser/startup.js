// Navigation → the first finished training step (3×64, batch 256, the loss read back), for one
// library on one backend: ?lib=ours|jax&backend=cpu|webgpu. Each load is a fresh, cold page;
// the result lands in window.startup as {ms} (performance.now() counts from navigation).

import { batch, config } from './common.js';

const query = new URLSearchParams(window.location.search);
const lib = query.get('lib');
const backend = query.get('backend');

async function ours() {
  // The module a page on this backend loads: CPU-only for `cpu`, the WebGPU module for `webgpu`.
  const glue = await import(backend === 'cpu' ? '../../www/pkg/flow_playground.js' : '../../www/pkg-gpu/flow_playground.js');
  await glue.default();
  const pg = await glue.Playground.create(backend, config(64, 256), undefined);
  pg.train(1);
  await pg.readLoss();
}

async function jax() {
  const { jaxTrain } = await import('./jax.js');
  await jaxTrain(backend === 'cpu' ? 'wasm' : 'webgpu', 64, 256, 1, 1, 0, batch);
}

try {
  if (lib === 'ours') await ours();
  else if (lib === 'jax') await jax();
  else throw new Error(`unknown lib '${lib}'`);
  window.startup = { ms: performance.now() };
} catch (error) {
  window.startup = { error: String(error && error.stack ? error.stack : error) };
}
