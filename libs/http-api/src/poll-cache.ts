import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** How often polling a read model is useful, told to clients in X-Poll-Interval (seconds). */
export const POLL_INTERVAL_SECONDS = 15;

/**
 * Made for polling: the ETag is derived from the read model's checkpoint and the query, so a client
 * that already has this answer gets 304 without the read-model tables being read at all.
 */
export function revalidate(
  request: FastifyRequest,
  reply: FastifyReply,
  checkpoint: { generation: number; position: string; updatedAt: Date },
): boolean {
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
  const tag = createHash('sha1')
    .update(`${request.url.split('?')[0]}|${query}|${checkpoint.generation}|${checkpoint.position}`)
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
