// The two wasm modules the crate is built into (scripts/build-wasm.sh), and which one runs.
//
//   pkg/      CPU only (Burn's flex backend): small, so every page and embed starts on it;
//   pkg-gpu/  flex + WebGPU (the `webgpu` cargo feature): several times larger, fetched in the
//             background, and only where `navigator.gpu.requestAdapter()` gives an adapter.
//
// Each module is imported at most once per worker, when first asked for: `backend=cpu` never
// requests the WebGPU module. Both export the same API (src/web.rs), and a playground moves
// from one to the other through the weights file (`exportWeights` → `importWeights`).

const DIRS = { cpu: './pkg/', webgpu: './pkg-gpu/' };
const url = (kind, file) => new URL(DIRS[kind] + file, import.meta.url).href;

/** kind → the promise of {kind, Playground, lastPanic, memory} */
const loading = new Map();
/** The modules that finished loading, for reading a panic message synchronously. */
const loaded = [];

/**
 * Imports and instantiates the module of `kind` ('cpu' or 'webgpu') once; resolves to
 * {kind, Playground, lastPanic, memory}. A failed load is forgotten, so it can be retried.
 */
export function loadModule(kind) {
  if (!DIRS[kind]) return Promise.reject(new Error(`unknown module '${kind}'`));
  if (!loading.has(kind)) {
    const promise = (async () => {
      // The wasm download starts with the glue's, not after it: one round trip less.
      const wasm = fetch(url(kind, 'flow_playground_bg.wasm'));
      wasm.catch(() => {}); // reported by the init below
      const glue = await import(url(kind, 'flow_playground.js'));
      const exports = await glue.default({ module_or_path: wasm });
      const module = { kind, Playground: glue.Playground, lastPanic: glue.lastPanic, memory: exports.memory };
      loaded.push(module);
      return module;
    })();
    promise.catch(() => loading.delete(kind));
    loading.set(kind, promise);
  }
  return loading.get(kind);
}

/** The panic message of whichever loaded module stopped, if one did. */
export function lastPanic() {
  for (const module of loaded) {
    try {
      const panic = module.lastPanic();
      if (panic) return panic;
    } catch { /* that module is gone */ }
  }
  return null;
}

/**
 * The WebGPU adapter's description, or null where there is none (asked before loading the
 * WebGPU module: wgpu aborts the module where WebGPU is unreachable).
 */
export async function probeAdapter() {
  if (!self.navigator.gpu) return null;
  try {
    const adapter = await self.navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return null;
    const info = adapter.info || {};
    return [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'WebGPU adapter';
  } catch {
    return null;
  }
}
