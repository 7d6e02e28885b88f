// jax-js (npm @jax-js/jax, served from the local node_modules) doing the work ours does, written
// the way its README teaches: a 3-hidden-layer SiLU MLP on [x, y, t]; one training step is one
// `jit` of `valueAndGrad` of the I-CFM loss plus the Adam update (lr 1e-3, β 0.9/0.999, ε 1e-8;
// jax-js ships no optimiser, so Adam is written out, as JAX users do with optax's formula);
// sampling is a `jit`-compiled Euler step of the network, called once per step.
// Arrays are reference-counted: every function consumes its arguments, `.ref` keeps one alive.

import { init, defaultDevice, jit, valueAndGrad, numpy as np, nn, tree } from './node_modules/@jax-js/jax/dist/index.js';

let available = null;

/** The devices jax-js can use here ('wasm', and 'webgpu' where there is an adapter). */
export function jaxDevices() {
  if (!available) available = init('wasm', 'webgpu').catch(() => init('wasm'));
  return available;
}

const B1 = 0.9;
const B2 = 0.999;
const EPS = 1e-8;
const LR = 1e-3;

/** PyTorch's default initialisation (uniform ±1/√fan_in), as the other peers use. */
function dense(i, o) {
  const bound = 1 / Math.sqrt(i);
  const u = (n) => Float32Array.from({ length: n }, () => (2 * Math.random() - 1) * bound);
  return { w: np.array(u(i * o), { shape: [i, o] }), b: np.array(u(o), { shape: [o] }) };
}

function mlp(params, x) {
  let h = x;
  params.forEach((layer, i) => {
    h = np.matmul(h, layer.w).add(layer.b);
    if (i < params.length - 1) h = nn.silu(h);
  });
  return h;
}

const loss = (params, x, u) => np.mean(np.square(mlp(params, x).sub(u)));

/** One Adam step: (params, m, v, lr_t [1], x [B, 3], u [B, 2]) → [loss, params, m, v]. */
const adamStep = jit((params, m, v, lrT, x, u) => {
  const [value, g] = valueAndGrad(loss)(tree.ref(params), x, u);
  const m2 = tree.map((mi, gi) => mi.mul(B1).add(gi.mul(1 - B1)), m, tree.ref(g));
  const v2 = tree.map((vi, gi) => vi.mul(B2).add(np.square(gi).mul(1 - B2)), v, g);
  const p2 = tree.map((pi, mi, vi) => pi.sub(mi.mul(lrT.ref).div(np.sqrt(vi).add(EPS))), params, tree.ref(m2), tree.ref(v2));
  lrT.dispose();
  return [value, p2, m2, v2];
});

/** A network of `width` on the current default device, with Adam's state. */
function model(width) {
  const params = [dense(3, width), dense(width, width), dense(width, width), dense(width, 2)];
  const zeros = (p) => np.zerosLike(p.ref);
  return { params, m: tree.map(zeros, params), v: tree.map(zeros, params), t: 0 };
}

/**
 * Steps/s of jax-js training on `device` ('wasm' or 'webgpu'), the loss read every `readEvery`
 * steps; `makeBatch(n)` builds the host-side batch {xt, t, u} (the same function the other peers
 * use). Each loss read is pushed to `losses`, if given; `onWarm` is called after the warm-up.
 */
export async function jaxTrain(device, width, batchSize, steps, readEvery, warmup, makeBatch, losses = null, onWarm = () => {}) {
  await jaxDevices();
  defaultDevice(device);
  const state = model(width);
  const step = () => {
    const b = makeBatch(batchSize);
    const input = new Float32Array(3 * batchSize);
    for (let i = 0; i < batchSize; i += 1) {
      input[3 * i] = b.xt[2 * i];
      input[3 * i + 1] = b.xt[2 * i + 1];
      input[3 * i + 2] = b.t[i];
    }
    state.t += 1;
    const lrT = (LR * Math.sqrt(1 - B2 ** state.t)) / (1 - B1 ** state.t);
    const [value, params, m, v] = adamStep(state.params, state.m, state.v, np.array([lrT]),
      np.array(input, { shape: [batchSize, 3] }), np.array(b.u, { shape: [batchSize, 2] }));
    Object.assign(state, { params, m, v });
    return value;
  };
  const run = async (n) => {
    for (let done = 0; done < n; done += readEvery) {
      for (let k = 0; k < readEvery - 1; k += 1) step().dispose();
      const value = await step().data();
      if (losses) losses.push(value[0]);
    }
  };
  await run(warmup);
  onWarm();
  const t0 = performance.now();
  await run(steps);
  const rate = (steps * 1000) / (performance.now() - t0);
  tree.dispose([state.params, state.m, state.v]);
  return rate;
}

/** x ← x + dt · v(x, t) for n particles: (params, x [n, 2], t [1]) → x. */
const eulerStep = jit((params, x, t, dt) => {
  const n = x.shape[0];
  const input = np.concatenate([x.ref, np.ones([n, 1]).mul(t)], 1);
  return x.add(mlp(params, input).mul(dt));
});

/** Particle-evaluations/s of `nfe` Euler steps of `n` particles through a 3×`width` network. */
export async function jaxSample(device, width, n, nfe) {
  await jaxDevices();
  defaultDevice(device);
  const { params, m, v } = model(width);
  tree.dispose([m, v]);
  const solve = async (count) => {
    const x0 = new Float32Array(2 * count);
    for (let i = 0; i < x0.length; i += 1) x0[i] = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
    let x = np.array(x0, { shape: [count, 2] });
    const dt = np.array([1 / nfe]);
    for (let s = 0; s < nfe; s += 1) x = eulerStep(tree.ref(params), x, np.array([s / nfe]), dt.ref);
    dt.dispose();
    await x.data();
  };
  await solve(Math.min(n, 1000)); // compile and warm, as ours is warmed
  const t0 = performance.now();
  await solve(n);
  const seconds = (performance.now() - t0) / 1000;
  tree.dispose(params);
  return (n * nfe) / seconds;
}

/** Navigation → the first finished training step (3×64, batch 256), for the start-up page. */
export async function jaxFirstStep(device, makeBatch) {
  await jaxDevices();
  return jaxTrain(device, 64, 256, 1, 1, 0, makeBatch);
}
