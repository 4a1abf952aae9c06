import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RedisThrottlerStorage } from './redis-throttler-storage';

/**
 * The throttler keys each request was charged to, so that a request answered 304 is refunded: a
 * revalidation that finds nothing new does not count against the limit.
 */
@Injectable()
export class RateLimitLedger {
  private readonly charged = new WeakMap<FastifyRequest, string[]>();

  constructor(private readonly storage: RedisThrottlerStorage) {}

  charge(request: FastifyRequest, key: string): void {
    const keys = this.charged.get(request) ?? [];
    keys.push(key);
    this.charged.set(request, keys);
  }

  async refund(request: FastifyRequest): Promise<void> {
    const keys = this.charged.get(request) ?? [];
    this.charged.delete(request);
    await Promise.all(keys.map((key) => this.storage.refund(key)));
  }
}
