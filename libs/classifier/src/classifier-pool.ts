import { join } from 'node:path';
import { loadTaxonomy } from '@frictionwatch/taxonomy';
import { WorkerThreadPool, type ThreadReply } from '@frictionwatch/threads';
import type { Classification, ClassifiableItem } from './classification.types';
import { CLASSIFIER_VERSION } from './item-classifier';

/** Message to a classifier thread (also the contract for test workers). */
export interface ClassifyRequest {
  id: number;
  items: ClassifiableItem[];
}
export type ClassifyOutcome = { ok: true; classifications: Classification[] } | { ok: false; error: string };
export type ClassifierReply = ThreadReply<ClassifyOutcome>;

export interface ClassifierPoolOptions {
  /** Worker threads (default 1). */
  size?: number;
  /** Hard limit per chunk of items, from the moment a thread takes it (default 30000 ms). */
  timeoutMs?: number;
  /** Worker entry; tests pass a misbehaving one. Default: classifier.worker.js beside this file. */
  workerScript?: string;
}

/** Thrown when a batch could not be classified (thread crashed, timed out, pool closed): the job retries. */
export class ClassifierUnavailableError extends Error {
  override readonly name = 'ClassifierUnavailableError';
}

/**
 * The seed-taxonomy ItemClassifier in worker threads, so classifying a batch does not hold the worker's
 * event loop (fetch jobs, lock renewals and projections share it). A batch is split across the threads
 * and answered in order. A thread that crashes or overruns its limit fails the batch with a clear error
 * (the classify job retries) and is replaced; the pool starts its threads on first use.
 */
export class ClassifierPool {
  readonly classifierVersion = CLASSIFIER_VERSION;
  private readonly size: number;
  private loadedTaxonomyVersion: string | undefined;
  private readonly pool: WorkerThreadPool<Omit<ClassifyRequest, 'id'>, ClassifyOutcome>;

  constructor(options: ClassifierPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? 1));
    this.pool = new WorkerThreadPool<Omit<ClassifyRequest, 'id'>, ClassifyOutcome>({
      script: options.workerScript ?? join(__dirname, 'classifier.worker.js'),
      size: this.size,
      timeoutMs: options.timeoutMs ?? 30000,
      label: 'classifier',
      taskNoun: 'classification',
      failed: (error) => ({ ok: false, error }),
    });
  }

  /** Read on first use: loading the taxonomy costs a process that never classifies (the api) 0.2 s. */
  get taxonomyVersion(): string {
    this.loadedTaxonomyVersion ??= loadTaxonomy().version;
    return this.loadedTaxonomyVersion;
  }

  async classifyMany(items: readonly ClassifiableItem[]): Promise<Classification[]> {
    if (items.length === 0) return [];
    const chunkSize = Math.ceil(items.length / this.size);
    const chunks: ClassifiableItem[][] = [];
    for (let start = 0; start < items.length; start += chunkSize)
      chunks.push(items.slice(start, start + chunkSize));
    const outcomes = await Promise.all(chunks.map((chunk) => this.pool.run({ items: chunk })));
    const classifications: Classification[] = [];
    for (const outcome of outcomes) {
      if (!outcome.ok) throw new ClassifierUnavailableError(outcome.error);
      classifications.push(...outcome.classifications);
    }
    if (classifications.length !== items.length)
      throw new ClassifierUnavailableError(
        `classifier answered ${classifications.length} classifications for ${items.length} items`,
      );
    return classifications;
  }

  /** Starts the threads now (each compiles the lexicon once) instead of on the first batch. */
  warm(): Promise<void> {
    return this.pool.warm();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
