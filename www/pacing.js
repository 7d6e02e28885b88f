// How many training steps the worker queues between two asynchronous loss reads.

/**
 * Sizes the chunks of steps between two loss reads. A chunk of k steps takes about L + k·c: a
 * fixed readback latency L (hundreds of ms on some GPUs, SwiftShader among them) plus c per
 * step. Two chunks of different sizes give both; each next chunk aims at max(100 ms, 2L), so
 * pausing stays prompt and at least half the time goes to steps rather than waiting on reads.
 */
export class Chunker {
  constructor() {
    this.last = null;
    this.cost = null;
    this.latency = 0;
  }

  /** Records that `k` steps took `elapsed` ms; returns the size of the next chunk. */
  next(k, elapsed) {
    const { last } = this;
    this.last = { k, elapsed };
    if (last && last.k !== k) {
      const cost = (elapsed - last.elapsed) / (k - last.k);
      if (cost > 0) {
        this.cost = cost;
        this.latency = Math.max(0, elapsed - k * cost);
      }
    } else if (this.cost !== null) {
      // The same size again: keep the latency, let the per-step cost follow the load.
      this.cost = Math.max(1e-3, (elapsed - this.latency) / k);
    }
    const next = this.cost === null
      ? (elapsed < 1000 ? 2 * k : k / 2) // no estimate yet: explore
      : (Math.max(100, 2 * this.latency) - this.latency) / this.cost;
    return Math.max(1, Math.min(500, 4 * k, Math.round(next)));
  }
}
