// The bare engine beside the live page: the training the page would run for a hash (its
// defaults, or ?hash=…), in a worker of its own as the page trains, but with nothing else to
// do: no display samples, no fields, no drawing. window.engine = {step, ms} counts the steps.

const query = new URLSearchParams(window.location.search);
const worker = new Worker(new URL('./engine-worker.js', import.meta.url), { type: 'module' });
window.engine = { step: 0, ms: 0 };
worker.onmessage = (e) => { window.engine = e.data; };
worker.postMessage({ backend: query.get('backend') || 'cpu', hash: query.get('hash') || '' });
