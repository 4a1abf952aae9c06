/** Limits concurrent requests per host; waiting requests are served in arrival order. */
export class HostSemaphore {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly limit: number) {}

  /** Resolves with a release function once a slot for `host` is free; rejects if `signal` aborts first. */
  acquire(host: string, signal: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        this.release(host);
      };
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.active.set(host, (this.active.get(host) ?? 0) + 1);
        resolve(release);
      };
      const onAbort = (): void => {
        const queue = this.waiting.get(host);
        const index = queue ? queue.indexOf(grant) : -1;
        if (queue && index >= 0) queue.splice(index, 1);
        if (queue && queue.length === 0) this.waiting.delete(host);
        reject(signal.reason);
      };
      if ((this.active.get(host) ?? 0) < this.limit) {
        grant();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      const queue = this.waiting.get(host) ?? [];
      queue.push(grant);
      this.waiting.set(host, queue);
    });
  }

  private release(host: string): void {
    const count = (this.active.get(host) ?? 1) - 1;
    if (count <= 0) this.active.delete(host);
    else this.active.set(host, count);
    const queue = this.waiting.get(host);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.waiting.delete(host);
    next?.();
  }
}
