import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NormalisedParseResult, ParseResult, SourceFormat } from './feed-parsing.types';

/** Message to a worker (also the contract for test workers). */
export interface ParseRequest {
  id: number;
  text: string;
  format: SourceFormat;
  pageUrl: string;
  /** When set, the worker normalises the items too (ISO time an undated item was first seen). */
  firstSeenAt?: string;
}
export type WorkerReply =
  { type: 'ready' } | { type: 'result'; id: number; result: ParseResult | NormalisedParseResult };

export interface FeedParserPoolOptions {
  /** Worker threads (default 2). */
  size?: number;
  /** Hard limit per parse, from the moment a worker takes it (default 5000 ms). */
  timeoutMs?: number;
  /** Worker entry; tests pass a misbehaving one. Default: feed-parser.worker.js beside this file. */
  workerScript?: string;
}

interface Task extends ParseRequest {
  resolve: (result: ParseResult | NormalisedParseResult) => void;
}
interface Slot {
  worker: Worker;
  ready: boolean;
  task: Task | null;
  timer: NodeJS.Timeout | null;
  /** Settles when the worker is ready or has been replaced. */
  settled: Promise<void>;
  settle: () => void;
}

/**
 * Parses off the main thread in a small pool of worker threads. A parse that overruns its time limit, a
 * worker that crashes or exits: that parse answers `{ ok: false }`, the worker is replaced, the others
 * go on. Workers are started lazily and do not keep the process alive on their own.
 */
export class FeedParserPool {
  private readonly size: number;
  private readonly timeoutMs: number;
  private readonly script: string;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: FeedParserPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? 2));
    this.timeoutMs = Math.max(1, options.timeoutMs ?? 5000);
    this.script = options.workerScript ?? join(__dirname, 'feed-parser.worker.js');
  }

  parse(text: string, format: SourceFormat, pageUrl: string): Promise<ParseResult> {
    return this.run({ text, format, pageUrl }) as Promise<ParseResult>;
  }

  /**
   * Parses and normalises in the thread (HTML to text, URLs, dates, keys, hashes: most of the CPU an
   * item costs before it is appended), so the main thread only receives finished items.
   */
  parseNormalised(
    text: string,
    format: SourceFormat,
    pageUrl: string,
    firstSeenAt: Date,
  ): Promise<NormalisedParseResult> {
    return this.run({
      text,
      format,
      pageUrl,
      firstSeenAt: firstSeenAt.toISOString(),
    }) as Promise<NormalisedParseResult>;
  }

  private run(request: Omit<ParseRequest, 'id'>): Promise<ParseResult | NormalisedParseResult> {
    if (this.closed) return Promise.resolve({ ok: false, error: 'feed parser pool is closed' });
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, ...request, resolve });
      while (this.slots.length < Math.min(this.size, this.queue.length + this.busy())) this.spawn();
      this.dispatch();
    });
  }

  /**
   * Starts every worker now and resolves once each is ready (or has failed): a worker thread loads its
   * parser in about a second, which the first feeds would otherwise wait for.
   */
  async warm(): Promise<void> {
    if (this.closed) return;
    while (this.slots.length < this.size) this.spawn();
    await Promise.all(this.slots.map((slot) => slot.settled));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.resolve({ ok: false, error: 'feed parser pool is closed' });
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      slot.settle();
      if (slot.timer) clearTimeout(slot.timer);
      slot.task?.resolve({ ok: false, error: 'feed parser pool is closed' });
      slot.worker.removeAllListeners();
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private busy(): number {
    return this.slots.filter((s) => s.task).length;
  }

  private spawn(): void {
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const slot: Slot = {
      worker: new Worker(this.script),
      ready: false,
      task: null,
      timer: null,
      settled,
      settle,
    };
    slot.worker.unref();
    slot.worker.on('message', (reply: WorkerReply) => {
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
    slot.worker.on('error', (err) => this.replace(slot, describeFailure(err)));
    slot.worker.on('exit', (code) => this.replace(slot, `feed parser worker exited (code ${code})`));
    this.slots.push(slot);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.task || !this.queue.length) continue;
      const task = this.queue.shift() as Task;
      slot.task = task;
      slot.timer = setTimeout(
        () => this.replace(slot, `parse timed out after ${this.timeoutMs}ms`),
        this.timeoutMs,
      );
      slot.worker.postMessage({
        id: task.id,
        text: task.text,
        format: task.format,
        pageUrl: task.pageUrl,
        firstSeenAt: task.firstSeenAt,
      } satisfies ParseRequest);
    }
  }

  /** Ends a slot's worker, answers its task with `error`, and starts a replacement if work waits. */
  private replace(slot: Slot, error: string): void {
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
    if (task) task.resolve({ ok: false, error });
    else if (!slot.ready) {
      // the worker died before it was ready: fail one waiting parse rather than respawning forever
      this.queue.shift()?.resolve({ ok: false, error });
    }
    if (!this.closed && this.queue.length) {
      while (this.slots.length < Math.min(this.size, this.queue.length + this.busy())) this.spawn();
    }
    this.dispatch();
  }
}

function describeFailure(err: unknown): string {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  if (/call stack/i.test(message)) return 'markup nested too deeply (stack overflow while parsing)';
  return `feed parser worker failed: ${message.replace(/\s+/g, ' ').slice(0, 300)}`;
}
