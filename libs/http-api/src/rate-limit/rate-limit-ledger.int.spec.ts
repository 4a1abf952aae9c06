import type { FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL, testQueuePrefix } from '@frictionwatch/testing';
import { RateLimitLedger } from './rate-limit-ledger';
import { RedisThrottlerStorage } from './redis-throttler-storage';

describe('RateLimitLedger.refund', () => {
  const queue = testQueuePrefix();
  let redis: Redis;
  let storage: RedisThrottlerStorage;

  beforeEach(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    storage = new RedisThrottlerStorage(redis, queue.prefix);
  });

  afterEach(() => redis.disconnect());
  afterAll(() => queue.cleanup());

  it('gives back the hit a request was charged', async () => {
    const ledger = new RateLimitLedger(storage);
    const request = {} as FastifyRequest;
    await storage.increment('key-a', 60000, 10, 60000);
    await storage.increment('key-a', 60000, 10, 60000);
    ledger.charge(request, 'key-a');
    await ledger.refund(request);
    expect(await redis.get(storage.hitsKey('key-a'))).toBe('1');
  });

  it('resolves when Redis went away between the charge and the refund (the 304 still goes out)', async () => {
    const ledger = new RateLimitLedger(storage);
    const request = {} as FastifyRequest;
    await storage.increment('key-b', 60000, 10, 60000);
    ledger.charge(request, 'key-b');
    redis.disconnect();
    await expect(storage.refund('key-b')).rejects.toThrow();
    ledger.charge(request, 'key-b');
    await expect(ledger.refund(request)).resolves.toBeUndefined();
  });
});
