// The page's side of the worker: requests become promises, stream events go to a callback, and
// a worker whose module trapped (or whose GPU was lost) is replaced by a fresh one.

import { Request, Event, transferables } from './protocol.js';

export class WorkerClient {
  /**
   * @param {(event: object) => void} onEvent  stream events (progress, samples, stopped, snapshot)
   * @param {(failure: {message: string}) => void} onFatal  the worker died and must be restarted
   */
  constructor(onEvent, onFatal) {
    this.onEvent = onEvent;
    this.onFatal = onFatal;
    this.pending = new Map();
    this.nextId = 1;
    this.worker = null;
    this.spawn();
  }

  spawn() {
    if (this.worker) this.worker.terminate();
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (e) => this.fail({ message: e.message || 'the worker failed to start' });
  }

  receive(message) {
    const waiting = message.id !== undefined ? this.pending.get(message.id) : undefined;
    if (waiting) {
      this.pending.delete(message.id);
      if (message.type === Event.ERROR) waiting.reject(Object.assign(new Error(message.message), { fatal: message.fatal }));
      else waiting.resolve(message);
    }
    if (message.type === Event.ERROR && message.fatal) this.fail(message);
    else if (!waiting) this.onEvent(message);
  }

  fail(failure) {
    for (const { reject } of this.pending.values()) reject(new Error(failure.message));
    this.pending.clear();
    this.onFatal(failure);
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
