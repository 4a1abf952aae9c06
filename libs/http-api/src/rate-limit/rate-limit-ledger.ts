import { Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RedisThrottlerStorage } from './redis-throttler-storage';

/**
 * The throttler keys each request was charged to, so that a request answered 304 is refunded: a
 * revalidation that finds nothing new does not count against the limit.
 */
@Injectable()
export class RateLimitLedger {
  private readonly charged = new WeakMap<FastifyRequest, string[]>();
  private readonly logger = new Logger('ThrottlerGuard');

  constructor(private readonly storage: RedisThrottlerStorage) {}

  charge(request: FastifyRequest, key: string): void {
    const keys = this.charged.get(request) ?? [];
    keys.push(key);
    this.charged.set(request, keys);
  }

  /**
   * Best effort: Redis failing between the charge and the refund (a restart) costs the client one hit
   * of its budget, never the 304 it was answered (that was a 500).
   */
  async refund(request: FastifyRequest): Promise<void> {
    const keys = this.charged.get(request) ?? [];
    this.charged.delete(request);
    const results = await Promise.allSettled(keys.map((key) => this.storage.refund(key)));
    for (const result of results)
      if (result.status === 'rejected')
        this.logger.warn(`rate limit refund failed: ${(result.reason as Error).message}`);
  }
}
