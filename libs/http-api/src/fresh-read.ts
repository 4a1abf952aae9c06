/**
 * Coalesces concurrent reads without ever answering from a read that began before the call: a caller
 * that arrives while a read is running waits for the next one, which every caller arriving meanwhile
 * shares. So at most one read is in flight and one is queued, however many requests poll at once,
 * and each caller sees at least everything committed before it called.
 */
export class FreshRead<T> {
  private running: Promise<T> | null = null;
  private queued: Promise<T> | null = null;

  constructor(private readonly read: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.running) return this.start();
    this.queued ??= this.running.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  private startQueued(): Promise<T> {
    this.queued = null;
    return this.start();
  }

  private start(): Promise<T> {
    const read = this.read().finally(() => {
      if (this.running === read) this.running = null;
    });
    this.running = read;
    return read;
  }
}
