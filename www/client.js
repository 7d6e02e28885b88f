// The page's side of the worker. One worker (one wasm module, one GPU device) serves every
// figure on the page that asks for the same backend; requests become promises, stream events
// are routed to their figure, and a worker whose module trapped — or whose GPU was lost — is
// replaced by a fresh one (on the CPU when the GPU was the problem).

import { Request, Event, transferables } from './protocol.js';

const shared = new Map();

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
    // Every start but `webgpu` begins on the CPU module: the worker fetches and compiles it
    // as soon as it runs, while the page is still setting up its figures.
    const url = new URL('./worker.js', import.meta.url);
    if (this.preference !== 'webgpu') url.searchParams.set('start', 'cpu');
    this.worker = new Worker(url, { type: 'module' });
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (e) => this.fail({ message: e.message || 'the worker failed to start' });
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
