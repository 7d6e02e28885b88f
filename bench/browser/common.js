// What every peer of the browser benchmark shares: the host-built batch and our config.

/** A host-built I-CFM batch, the same work every peer does per step: moons, noise, t, x_t, u. */
export function batch(n) {
  const xt = new Float32Array(2 * n);
  const t = new Float32Array(n);
  const u = new Float32Array(2 * n);
  for (let i = 0; i < n; i += 1) {
    const theta = Math.PI * Math.random();
    const up = Math.random() < 0.5;
    const mx = (up ? Math.cos(theta) : 1 - Math.cos(theta)) + 0.2 * gauss();
    const my = (up ? Math.sin(theta) : 0.5 - Math.sin(theta)) + 0.2 * gauss();
    const x1 = [3 * mx - 1, 3 * my - 1];
    const x0 = [gauss(), gauss()];
    const ti = Math.random();
    t[i] = ti;
    for (let k = 0; k < 2; k += 1) {
      xt[2 * i + k] = (1 - ti) * x0[k] + ti * x1[k];
      u[2 * i + k] = x1[k] - x0[k];
    }
  }
  return { xt, t, u };
}

export function gauss() {
  const a = 1 - Math.random();
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * Math.random());
}

/** Our training config: the peers' model (3 hidden SiLU layers on [x, y, t], Adam lr 1e-3). */
export function config(width, batchSize) {
  return ({
    dataset: 'moons', source: 'gaussian', path: 'linear', param: 'velocity', coupling: 'independent',
    timeSampling: 'uniform', width, depth: 3, activation: 'silu', timeEmbedding: 0, lr: 0.001,
    batch: batchSize, warmup: 0, ema: 0, clip: 0, seed: 0,
  });
}
