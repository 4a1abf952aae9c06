import { Worker } from 'node:worker_threads';

/** What a pool's worker thread answers: `ready` once loaded, then one `result` per task, by id. */
export type ThreadReply<Result> = { type: 'ready' } | { type: 'result'; id: number; result: Result };

export interface WorkerThreadPoolOptions<Result> {
  /** The worker thread's entry file. */
  script: string;
  /** Worker threads (default 2). */
  size?: number;
  /** Hard limit per task, from the moment a thread takes it (default 5000 ms). */
  timeoutMs?: number;
  /** Names the pool in its errors, e.g. `feed parser`. */
  label: string;
  /** Names one task in timeout errors, e.g. `parse`. */
  taskNoun: string;
  /** The answer a task gets when it cannot be done (timeout, crash, closed pool). */
  failed: (error: string) => Result;
  /** Turns a thread's crash into a clear reason (default: `<label> worker failed: <message>`). */
  describeCrash?: (message: string) => string | undefined;
}

interface Task<Request, Result> {
  id: number;
  request: Request;
  resolve: (result: Result) => void;
}
interface Slot<Request, Result> {
  worker: Worker;
  ready: boolean;
  task: Task<Request, Result> | null;
  timer: NodeJS.Timeout | null;
  /** Settles when the worker is ready or has been replaced. */
  settled: Promise<void>;
  settle: () => void;
}

/**
 * CPU work off the main thread in a small pool of worker threads, one task per thread at a time. A
 * task that overruns its time limit, a thread that crashes or exits: that task answers `failed(reason)`,
 * the thread is replaced, the others go on. Threads start lazily and do not keep the process alive.
 * The message to a thread is the request's fields plus `id`.
 */
export class WorkerThreadPool<Request extends object, Result> {
  private readonly size: number;
  private readonly timeoutMs: number;
  private readonly slots: Slot<Request, Result>[] = [];
  private readonly queue: Task<Request, Result>[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: WorkerThreadPoolOptions<Result>) {
    this.size = Math.max(1, Math.floor(options.size ?? 2));
    this.timeoutMs = Math.max(1, options.timeoutMs ?? 5000);
  }

  run(request: Request): Promise<Result> {
    if (this.closed) return Promise.resolve(this.closedResult());
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, request, resolve });
      while (this.slots.length < Math.min(this.size, this.queue.length + this.busy())) this.spawn();
      this.dispatch();
    });
  }

  /** Starts every thread now and resolves once each is ready (or has failed): loading takes a moment. */
  async warm(): Promise<void> {
    if (this.closed) return;
    while (this.slots.length < this.size) this.spawn();
    await Promise.all(this.slots.map((slot) => slot.settled));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.resolve(this.closedResult());
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      slot.settle();
      if (slot.timer) clearTimeout(slot.timer);
      slot.task?.resolve(this.closedResult());
      slot.worker.removeAllListeners();
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private closedResult(): Result {
    return this.options.failed(`${this.options.label} pool is closed`);
  }

  private busy(): number {
    return this.slots.filter((s) => s.task).length;
  }

  private spawn(): void {
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const slot: Slot<Request, Result> = {
      worker: new Worker(this.options.script),
      ready: false,
      task: null,
      timer: null,
      settled,
      settle,
    };
    slot.worker.unref();
    slot.worker.on('message', (reply: ThreadReply<Result>) => {
      if (reply.type === 'ready') {
        slot.ready = true;
        slot.settle();
      } else if (slot.task && reply.id === slot.task.id) {
        const task = slot.task;
        if (slot.timer) clearTimeout(slot.timer);
        slot.task = null;
        slot.timer = null;
        task.resolve(reply.result);
      }
      this.dispatch();
    });
    slot.worker.on('error', (err) => this.replace(slot, this.describeFailure(err)));
    slot.worker.on('exit', (code) =>
      this.replace(slot, `${this.options.label} worker exited (code ${code})`),
    );
    this.slots.push(slot);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.task || !this.queue.length) continue;
      const task = this.queue.shift() as Task<Request, Result>;
      slot.task = task;
      slot.timer = setTimeout(
        () => this.replace(slot, `${this.options.taskNoun} timed out after ${this.timeoutMs}ms`),
        this.timeoutMs,
      );
      slot.worker.postMessage({ ...task.request, id: task.id });
    }
  }

  /** Ends a slot's thread, answers its task with `error`, and starts a replacement if work waits. */
  private replace(slot: Slot<Request, Result>, error: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return; // already replaced (a terminated worker also emits 'exit')
    this.slots.splice(index, 1);
    slot.settle();
    if (slot.timer) clearTimeout(slot.timer);
    slot.worker.removeAllListeners();
    slot.worker.on('error', () => undefined);
    void slot.worker.terminate();
    const task = slot.task;
    slot.task = null;
    if (task) task.resolve(this.options.failed(error));
    else if (!slot.ready) {
      // the thread died before it was ready: fail one waiting task rather than respawning forever
      this.queue.shift()?.resolve(this.options.failed(error));
    }
    if (!this.closed && this.queue.length) {
      while (this.slots.length < Math.min(this.size, this.queue.length + this.busy())) this.spawn();
    }
    this.dispatch();
  }

  private describeFailure(err: unknown): string {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return (
      this.options.describeCrash?.(message) ??
      `${this.options.label} worker failed: ${message.replace(/\s+/g, ' ').slice(0, 300)}`
    );
  }
}
