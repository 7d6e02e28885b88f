// How many training steps the worker queues between two asynchronous loss reads.

/**
 * Sizes the chunks of steps between two loss reads. A chunk of k steps takes about L + k·c: a
 * read latency L (hundreds of ms on some GPUs, SwiftShader among them, and noisy) plus c per
 * step. Each chunk aims at a duration of max(floor, 2L), with at most 1 s of steps past the
 * read: pausing stays prompt, and where reads are slow half the time still goes to steps. The
 * floor is 100 ms; the worker asks 40 on the CPU, where L is nil and shorter chunks keep a pause
 * prompt. L is the median of the recent one-step chunks, re-measured every so often (it changes
 * when figures share a device); between those probes a proportional rule scales k by
 * target / elapsed.
 */
export class Chunker {
  constructor({ probeEvery = 25, floor = 100 } = {}) {
    this.probeEvery = probeEvery;
    this.floor = floor;
    this.reads = [];
    this.chunks = 0;
    this.steady = 1;
    this.probing = false;
  }

  /** How long a chunk should take, in ms. */
  get target() {
    if (!this.reads.length) return this.floor;
    const sorted = [...this.reads].sort((a, b) => a - b);
    const latency = sorted[Math.floor(sorted.length / 2)];
    return Math.max(this.floor, Math.min(2 * latency, latency + 1000));
  }

  /** Records that `k` steps took `elapsed` ms; returns the size of the next chunk. */
  next(k, elapsed) {
    this.chunks += 1;
    if (k === 1) {
      this.reads.push(elapsed);
      if (this.reads.length > 5) this.reads.shift();
    }
    if (this.probing) {
      // A one-step probe says nothing about the chunk size: resume where it was.
      this.probing = false;
      return this.steady;
    }
    const ratio = this.target / Math.max(elapsed, 1);
    // Rounding alone would keep a one-step chunk at one step while the target is < 1.5× away.
    const scaled = ratio > 1.25 ? Math.max(k + 1, Math.round(k * ratio)) : Math.round(k * ratio);
    this.steady = Math.max(1, Math.min(500, 4 * k, scaled));
    if (this.steady > 1 && (this.reads.length < 3 || this.chunks % this.probeEvery === 0)) {
      this.probing = true;
      return 1;
    }
    return this.steady;
  }
}
