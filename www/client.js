// The page's side of the worker. One worker (one wasm module, one GPU device) serves every
// figure on the page that asks for the same backend; requests become promises, stream events
// are routed to their figure, and a worker whose module trapped — or whose GPU was lost — is
// replaced by a fresh one (on the CPU when the GPU was the problem).

import { Request, Event, transferables } from './protocol.js';

const shared = new Map();

/** The worker's script for a backend preference: every start but `webgpu` begins on the CPU
 * module (the worker fetches and compiles it as soon as it runs). */
function workerUrl(preference) {
  const url = new URL('./worker.js', import.meta.url);
  if (preference !== 'webgpu') url.searchParams.set('start', 'cpu');
  return url.href;
}

/**
 * The worker boot.js started before the page's modules loaded ({url, worker, held, hold} on
 * `globalThis.flowPlaygroundEarlyWorker`), if it runs `url`; one started for another script is
 * ended. The first spawn on a page looks, and leaves `false` there: a boot.js that runs later
 * starts nothing.
 */
function adoptEarly(url) {
  const e = globalThis.flowPlaygroundEarlyWorker;
  globalThis.flowPlaygroundEarlyWorker = false;
  if (!e) return null;
  e.worker.removeEventListener('message', e.hold);
  e.worker.removeEventListener('error', e.hold);
  if (e.url === url) return e;
  e.worker.terminate();
  return null;
}

/** The page's worker client for a backend preference ('auto', 'webgpu' or 'cpu'). */
export function sharedClient(preference = 'auto') {
  if (!shared.has(preference)) shared.set(preference, new WorkerClient(preference));
  return shared.get(preference);
}

export class WorkerClient {
  constructor(preference) {
    /** The backend the next INIT asks for; 'cpu' after a GPU failure. */
    this.preference = preference;
    this.backend = null;
    this.figures = new Map();
    this.pending = new Map();
    this.nextId = 1;
    this.worker = null;
    this.spawn();
  }

  spawn() {
    if (this.worker) this.worker.terminate();
    const url = workerUrl(this.preference);
    const adopted = adoptEarly(url);
    this.worker = adopted ? adopted.worker : new Worker(url, { type: 'module' });
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (e) => this.fail({ message: e.message || 'the worker failed to start' });
    // What the early worker said before it was adopted, in order; an error ends it (fail
    // starts another).
    for (const event of adopted ? adopted.held : []) {
      if (event.type === 'error') {
        this.worker.onerror(event);
        break;
      }
      this.worker.onmessage(event);
    }
  }

  /** Routes a figure's stream events and failures to it. */
  attach(figure, { onEvent, onFatal }) {
    this.figures.set(figure, { onEvent, onFatal });
  }

  detach(figure) {
    this.figures.delete(figure);
    if (this.worker) this.request(Request.DISPOSE, { figure }).catch(() => {});
  }

  receive(message) {
    const waiting = message.id !== undefined ? this.pending.get(message.id) : undefined;
    if (waiting) {
      this.pending.delete(message.id);
      if (message.type === Event.ERROR) waiting.reject(Object.assign(new Error(message.message), { fatal: message.fatal }));
      else waiting.resolve(message);
    }
    if ((message.type === Event.REPLY || message.type === Event.BACKEND) && message.backend) this.backend = message.backend;
    if (message.type === Event.ERROR && message.fatal) {
      this.fail(message);
    } else if (!waiting && message.figure !== undefined) {
      const target = this.figures.get(message.figure);
      if (target) target.onEvent(message);
    }
  }

  fail(failure) {
    if (this.failing) return;
    this.failing = true;
    for (const { reject } of this.pending.values()) reject(Object.assign(new Error(failure.message), { fatal: true }));
    this.pending.clear();
    const wasGpu = this.backend === 'webgpu';
    if (wasGpu) this.preference = 'cpu';
    this.backend = null;
    this.spawn();
    this.failing = false;
    for (const { onFatal } of this.figures.values()) onFatal({ ...failure, wasGpu });
  }

  /** Sends a request and resolves with the worker's reply. */
  request(type, payload = {}) {
    const id = this.nextId;
    this.nextId += 1;
    const message = { type, id, ...payload };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(message, transferables(message));
    });
  }
}

export { Request, Event };
