import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../problem';
import { RequestIdentity } from '../request-identity';
import { RateLimitLedger } from './rate-limit-ledger';

/**
 * @nestjs/throttler's guard over the REST API only (health, /openapi.json and /docs are not limited):
 * one budget per API key across all endpoints, per client address without a valid key; 429 is a
 * problem with Retry-After; each charge is recorded so a 304 can be refunded.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly identity: RequestIdentity,
    private readonly ledger: RateLimitLedger,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const url = context.switchToHttp().getRequest<FastifyRequest>().url;
    return !(url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?'));
  }

  /** A valid key is its own budget; anything else (no key, a refused key) counts against its address. */
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const fastifyRequest = request as unknown as FastifyRequest;
    const identity = await this.identity.of(fastifyRequest);
    return identity.kind === 'key' ? `key:${identity.keyId}` : `ip:${fastifyRequest.ip}`;
  }

  /** One budget per client and throttler, whatever the endpoint (the default is one per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override async handleRequest({
    context,
    limit,
    ttl,
    throttler,
    blockDuration,
    getTracker,
    generateKey,
  }: ThrottlerRequest): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const name = throttler.name ?? 'default';
    const key = generateKey(context, await getTracker(request, context), name);
    const record = await this.storageService
      .increment(key, ttl, limit, blockDuration, name)
      .catch((error: unknown) => {
        this.logger.warn(`rate limit storage failed: ${(error as Error).message}`);
        throw new ProblemError(
          503,
          'Service Unavailable',
          'The rate limiter is unavailable; try again shortly',
        );
      });
    const suffix = name === 'default' ? '' : `-${name}`;
    if (record.isBlocked) {
      reply.header('retry-after', String(record.timeToBlockExpire));
      throw new ProblemError(
        429,
        'Too Many Requests',
        `Rate limit of ${limit} requests per ${ttl / 1000} s${name === 'default' ? '' : ` (${name} endpoints)`} ` +
          `exceeded; retry after ${record.timeToBlockExpire} s`,
        { retryAfter: record.timeToBlockExpire },
      );
    }
    this.ledger.charge(request, key);
    reply.header(`x-ratelimit-limit${suffix}`, String(limit));
    reply.header(`x-ratelimit-remaining${suffix}`, String(Math.max(0, limit - record.totalHits)));
    reply.header(`x-ratelimit-reset${suffix}`, String(record.timeToExpire));
    return true;
  }
}
