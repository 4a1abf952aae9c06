import { join } from 'node:path';
import { WorkerThreadPool, type ThreadReply } from '@frictionwatch/threads';
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
export type WorkerReply = ThreadReply<ParseResult | NormalisedParseResult>;

export interface FeedParserPoolOptions {
  /** Worker threads (default 2). */
  size?: number;
  /** Hard limit per parse, from the moment a worker takes it (default 5000 ms). */
  timeoutMs?: number;
  /** Worker entry; tests pass a misbehaving one. Default: feed-parser.worker.js beside this file. */
  workerScript?: string;
}

/**
 * Parses off the main thread in a small pool of worker threads. A parse that overruns its time limit, a
 * worker that crashes or exits: that parse answers `{ ok: false }`, the worker is replaced, the others
 * go on. Workers are started lazily and do not keep the process alive on their own.
 */
export class FeedParserPool {
  private readonly pool: WorkerThreadPool<Omit<ParseRequest, 'id'>, ParseResult | NormalisedParseResult>;

  constructor(options: FeedParserPoolOptions = {}) {
    this.pool = new WorkerThreadPool<Omit<ParseRequest, 'id'>, ParseResult | NormalisedParseResult>({
      script: options.workerScript ?? join(__dirname, 'feed-parser.worker.js'),
      size: options.size,
      timeoutMs: options.timeoutMs,
      label: 'feed parser',
      taskNoun: 'parse',
      failed: (error) => ({ ok: false, error }),
      describeCrash: (message) =>
        /call stack/i.test(message) ? 'markup nested too deeply (stack overflow while parsing)' : undefined,
    });
  }

  parse(text: string, format: SourceFormat, pageUrl: string): Promise<ParseResult> {
    return this.pool.run({ text, format, pageUrl }) as Promise<ParseResult>;
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
    return this.pool.run({
      text,
      format,
      pageUrl,
      firstSeenAt: firstSeenAt.toISOString(),
    }) as Promise<NormalisedParseResult>;
  }

  /**
   * Starts every worker now and resolves once each is ready (or has failed): a worker thread loads its
   * parser in about a second, which the first feeds would otherwise wait for.
   */
  warm(): Promise<void> {
    return this.pool.warm();
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
