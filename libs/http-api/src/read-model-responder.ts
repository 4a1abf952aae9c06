import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { generationSchema, ProjectionEngine } from '@frictionwatch/projections';
import { FreshRead } from './fresh-read';
import { queryKey, revalidate } from './poll-cache';
import { ProblemError } from './problem';
import { ResponseCache } from './response-cache';

type ActiveCheckpoint = { generation: number; position: string; updatedAt: Date } | null;

/** Bounds of the answers kept per api process (a page of 200 items is ~200 KB). */
const CACHE_BYTES = 64 * 1024 * 1024;
const CACHE_ENTRY_BYTES = 4 * 1024 * 1024;
/**
 * Under load, checkpoint reads start at most this often (callers meanwhile share the next one): a
 * request waits up to 2 ms more, and the api and Postgres are spared a read per round trip.
 */
const CHECKPOINT_READ_INTERVAL_MS = 2;
/** URLs whose cache key is remembered for the revalidation fast path (a key is ~100 bytes). */
const KNOWN_URLS = 20000;

/**
 * The polling contract of every read endpoint: ETag from the read model's checkpoint and the query,
 * 304 without reading the read model, freshness headers; otherwise the answer of the active
 * generation, serialised once per (checkpoint, normalised query) and kept while the checkpoint stays.
 * Checkpoints are read for every request (coalesced, never older than the request), so an answer
 * changes as soon as its read model moves.
 */
@Injectable()
export class ReadModelResponder {
  private readonly checkpoints = new Map<string, FreshRead<ActiveCheckpoint>>();
  private readonly cache = new ResponseCache({ maxBytes: CACHE_BYTES, maxEntryBytes: CACHE_ENTRY_BYTES });
  /** Request URL as sent → its read model and cache key, for URLs answered before. */
  private readonly known = new Map<string, { readModel: string; key: string }>();

  constructor(private readonly engine: ProjectionEngine) {}

  /**
   * `query` is the endpoint's parsed query (defaults resolved): equal queries share ETag and cached
   * answer however they were spelled; without it the URL's query string is the key.
   */
  async respond(
    readModel: string,
    request: FastifyRequest,
    reply: FastifyReply,
    load: (schema: string) => Promise<unknown>,
    query?: unknown,
  ): Promise<Buffer | undefined> {
    const checkpoint = await this.checkpointOf(readModel);
    if (!checkpoint)
      throw new ProblemError(
        503,
        'Read model not ready',
        `The ${readModel} read model has not been built yet.`,
      );
    const key = queryKey(request, query);
    this.remember(request.url, readModel, key);
    if (revalidate(request, reply, checkpoint, key)) {
      reply.status(304);
      return undefined;
    }
    const body = await this.cache.get(readModel, checkpoint, key, async () =>
      Buffer.from(JSON.stringify(await load(generationSchema(readModel, checkpoint.generation)))),
    );
    reply.header('content-type', 'application/json; charset=utf-8');
    return body;
  }

  /** Whether this URL was answered before, so `notModified` can tell without the endpoint's parsing. */
  knows(request: FastifyRequest): boolean {
    return this.known.has(request.url);
  }

  /**
   * For a URL answered before: sets the freshness headers and tells whether If-None-Match matches the
   * current answer, exactly as `respond` would (same checkpoint read, same key).
   */
  async notModified(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const known = this.known.get(request.url);
    if (!known) return false;
    const checkpoint = await this.checkpointOf(known.readModel);
    return checkpoint !== null && revalidate(request, reply, checkpoint, known.key);
  }

  private remember(url: string, readModel: string, key: string): void {
    if (this.known.has(url)) return;
    // Oldest first out: polled URLs are asked again and again, one-off ones fall away.
    if (this.known.size >= KNOWN_URLS) this.known.delete(this.known.keys().next().value as string);
    this.known.set(url, { readModel, key });
  }

  private checkpointOf(readModel: string): Promise<ActiveCheckpoint> {
    let read = this.checkpoints.get(readModel);
    if (!read) {
      read = new FreshRead(
        () => this.engine.repository.activeCheckpoint(readModel),
        CHECKPOINT_READ_INTERVAL_MS,
      );
      this.checkpoints.set(readModel, read);
    }
    return read.get();
  }
}
