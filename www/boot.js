// The pages' first script (index.html, embed.html, `async`): starts the worker for the link's
// `backend` as soon as it arrives, so the worker's modules and the CPU module's compile overlap
// the page's ~45 modules instead of following them. It imports nothing, so nothing queues it
// behind them. The page's client adopts the worker from `globalThis.flowPlaygroundEarlyWorker`
// (client.js), or ends it if the page settles on another start; a page without this script
// (an article with the element) starts its worker from client.js as before.

/** The link's last `backend` value (the page reads the hash the same way; the last one counts). */
function linkBackend(hash) {
  let value = null;
  for (const part of hash.replace(/^#/, '').split('&')) {
    if (!part.startsWith('backend=')) continue;
    try {
      value = decodeURIComponent(part.slice('backend='.length));
    } catch {
      value = null;
    }
  }
  return value;
}

function startEarly() {
  // The same script and query as client.js's workerUrl: every start but `webgpu` begins on
  // the CPU module.
  const url = new URL('./worker.js', import.meta.url);
  if (linkBackend(window.location.hash) !== 'webgpu') url.searchParams.set('start', 'cpu');
  const worker = new Worker(url, { type: 'module' });
  // Until the client adopts it, what the worker says is kept (a failed start, say).
  const held = [];
  const hold = (event) => held.push(event);
  worker.addEventListener('message', hold);
  worker.addEventListener('error', hold);
  globalThis.flowPlaygroundEarlyWorker = { url: url.href, worker, held, hold };
}

// `false`: the page's client started its worker already (this script came late).
if (globalThis.flowPlaygroundEarlyWorker === undefined) startEarly();
