import { Redis } from 'ioredis';
import { TEST_REDIS_URL, testQueuePrefix } from '@frictionwatch/testing';
import { RedisThrottlerStorage } from './redis-throttler-storage';

/** The throttler storage on the real Redis, through two connections as two api replicas would. */
describe('RedisThrottlerStorage', () => {
  const queue = testQueuePrefix();
  const connections = [new Redis(TEST_REDIS_URL), new Redis(TEST_REDIS_URL)];
  const [a, b] = connections.map((redis) => new RedisThrottlerStorage(redis, queue.prefix));
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  afterAll(async () => {
    await queue.cleanup();
    await Promise.all(connections.map((redis) => redis.quit()));
  });

  it('lets exactly the limit through when replicas hit one key concurrently', async () => {
    const records = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).increment('default:key:k1', 60000, 10, 60000)),
    );
    expect(records.filter((r) => !r.isBlocked)).toHaveLength(10);
    expect(records.filter((r) => r.isBlocked).every((r) => r.timeToBlockExpire === 60)).toBe(true);
    expect(records.every((r) => r.timeToExpire > 0 && r.timeToExpire <= 60)).toBe(true);
  });

  it('keeps keys apart and under the configured prefix', async () => {
    expect((await a.increment('default:key:k2', 60000, 10, 60000)).totalHits).toBe(1);
    const keys = await connections[0].keys(`${queue.prefix}:ratelimit:*`);
    expect(keys.sort()).toEqual(
      [
        `${queue.prefix}:ratelimit:default:key:k1`,
        `${queue.prefix}:ratelimit:default:key:k1:blocked`,
        `${queue.prefix}:ratelimit:default:key:k2`,
      ].sort(),
    );
  });

  it('opens again when the block and the window have passed', async () => {
    for (let i = 0; i < 2; i += 1)
      expect((await a.increment('default:key:k3', 300, 2, 300)).isBlocked).toBe(false);
    expect((await b.increment('default:key:k3', 300, 2, 300)).isBlocked).toBe(true);
    await sleep(350);
    expect(await a.increment('default:key:k3', 300, 2, 300)).toMatchObject({
      isBlocked: false,
      totalHits: 1,
    });
  });

  it('refunds a hit, never below zero and never for a key without hits', async () => {
    await a.increment('default:key:k4', 60000, 2, 60000);
    await a.increment('default:key:k4', 60000, 2, 60000);
    await b.refund('default:key:k4');
    expect((await a.increment('default:key:k4', 60000, 2, 60000)).isBlocked).toBe(false);
    expect((await a.increment('default:key:k4', 60000, 2, 60000)).isBlocked).toBe(true);
    await b.refund('default:key:k5');
    expect(await connections[0].exists(`${queue.prefix}:ratelimit:default:key:k5`)).toBe(0);
  });
});
