/**
 * Coalesces concurrent reads without ever answering from a read that began before the call: a caller
 * that arrives while a read is running waits for the next one, which every caller arriving meanwhile
 * shares. So at most one read is in flight and one is queued, however many requests poll at once,
 * and each caller sees at least everything committed before it called.
 *
 * `minIntervalMs` spaces a queued read from the start of the one before it: under load the callers of
 * that interval share one read (each waits at most that long more), instead of reads running back to
 * back at one per round trip. A caller finding no read in flight starts one at once.
 */
export class FreshRead<T> {
  private running: Promise<T> | null = null;
  private queued: Promise<T> | null = null;
  private startedAt = -Infinity;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly minIntervalMs = 0,
  ) {}

  get(): Promise<T> {
    if (!this.running) return this.start();
    this.queued ??= this.running.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  private async startQueued(): Promise<T> {
    // Rounded up: timers fire on whole milliseconds and could otherwise end the interval early.
    const wait = Math.ceil(this.startedAt + this.minIntervalMs - performance.now());
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.queued = null;
    return this.start();
  }

  private start(): Promise<T> {
    this.startedAt = performance.now();
    const read = this.read().finally(() => {
      if (this.running === read) this.running = null;
    });
    this.running = read;
    return read;
  }
}
