// The models shipped with the playground (www/models/, made by scripts/pretrain.sh): a figure
// whose settings match one starts from it instead of from an untrained network.

import { manifestKey } from './state.js';

const MODELS_URL = new URL('./models/', import.meta.url);
let manifest = null;

/** The manifest (www/models/index.json), fetched once per page. */
function loadManifest() {
  if (!manifest) {
    manifest = fetch(new URL('index.json', MODELS_URL)).then((r) => (r.ok ? r.json() : { models: [] }))
      .catch(() => ({ models: [] }));
  }
  return manifest;
}

/**
 * What an entry without a key was made with (older manifests lack the newer keys; conditional
 * models are trained at the core's default label dropout).
 */
function entryValue(m, k) {
  if (m[k] !== undefined && m[k] !== null) return m[k];
  if (k === 'label_dropout') return m.conditional ? 0.1 : null;
  return { conditional: false, shortcut: false, reflows: 0 }[k] ?? null;
}

/** The entry of `models` (the manifest's list) trained for exactly `state`'s settings, or null. */
export function findModel(models, state) {
  const key = manifestKey(state);
  return models.find((m) => Object.entries(key).every(([k, v]) => entryValue(m, k) === v)) || null;
}

/** The manifest entry trained for exactly `state`'s settings, or null. */
export async function shippedModel(state) {
  const { models } = await loadManifest();
  return findModel(models, state);
}

/** file → the promise of its bytes (an ArrayBuffer), fetched once per page. */
const files = new Map();

/** The bytes of a shipped model's weights file: a fresh copy each call (a worker takes it). */
export async function shippedBytes(entry) {
  if (!files.has(entry.file)) {
    const bytes = fetch(new URL(entry.file, MODELS_URL)).then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.arrayBuffer();
    });
    bytes.catch(() => files.delete(entry.file)); // a failed fetch can be retried
    files.set(entry.file, bytes);
  }
  return new Uint8Array((await files.get(entry.file)).slice(0));
}

/**
 * Starts fetching the shipped model for `state` (the manifest, then its file), so that it is
 * in when the module is: a figure calls this before starting its worker.
 */
export function prefetchModel(state) {
  shippedModel(state).then((entry) => entry && shippedBytes(entry)).catch(() => {});
}
