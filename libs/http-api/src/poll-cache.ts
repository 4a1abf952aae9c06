import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** How often polling a read model is useful, told to clients in X-Poll-Interval (seconds). */
export const POLL_INTERVAL_SECONDS = 15;

/** The path of a request and its query: normalised by the endpoint when it gives one, else as sent. */
export function queryKey(request: FastifyRequest, normalised?: unknown): string {
  const mark = request.url.indexOf('?');
  const path = mark < 0 ? request.url : request.url.slice(0, mark);
  const query = normalised === undefined ? (mark < 0 ? '' : request.url.slice(mark)) : stableJson(normalised);
  return `${path}|${query}`;
}

/** JSON with object keys sorted, so equal queries give equal keys whatever their order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Made for polling: the ETag is derived from the read model's checkpoint and the query, so a client
 * that already has this answer gets 304 without the read-model tables being read at all.
 */
export function revalidate(
  request: FastifyRequest,
  reply: FastifyReply,
  checkpoint: { generation: number; position: string; updatedAt: Date },
  key: string,
): boolean {
  const tag = createHash('sha1')
    .update(`${key}|${checkpoint.generation}|${checkpoint.position}`)
    .digest('base64url');
  const etag = `W/"${tag}"`;
  reply.header('etag', etag);
  reply.header('cache-control', 'private, no-cache');
  reply.header('x-poll-interval', String(POLL_INTERVAL_SECONDS));
  reply.header('x-projection-position', checkpoint.position);
  reply.header('x-projection-updated-at', checkpoint.updatedAt.toISOString());
  const match = request.headers['if-none-match'];
  return typeof match === 'string' && match.split(',').some((value) => value.trim() === etag);
}
