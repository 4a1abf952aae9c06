import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';

/** What @nestjs/throttler expects of a hit; times in seconds. */
export interface ThrottlerRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

// KEYS[1]: hits of the current window; KEYS[2]: the block marker. ARGV: window ms, limit, block ms.
// One script, so replicas sharing the Redis count each hit exactly once and never race past the limit.
const HIT = `
local blockedFor = redis.call('PTTL', KEYS[2])
if blockedFor > 0 then
  return {tonumber(redis.call('GET', KEYS[1]) or '0'), math.max(redis.call('PTTL', KEYS[1]), 0), 1, blockedFor}
end
local hits = redis.call('INCR', KEYS[1])
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  windowLeft = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, windowLeft, 1, tonumber(ARGV[3])}
end
return {hits, windowLeft, 0, 0}
`;

// Takes one hit back (a 304 revalidation), never below zero, never creating a window.
const REFUND = `
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
if hits > 0 then return redis.call('DECR', KEYS[1]) end
return 0
`;

type Scripted = Redis & {
  fwThrottleHit(
    hits: string,
    block: string,
    windowMs: number,
    limit: number,
    blockMs: number,
  ): Promise<number[]>;
  fwThrottleRefund(hits: string): Promise<number>;
};

/**
 * The throttler's storage on Redis, shared by every api replica: a fixed window per key (it opens
 * with the key's first hit), and once over the limit the key is blocked for `blockDuration`.
 * Keys live under `<QUEUE_PREFIX>:ratelimit:`.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: Scripted;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('fwThrottleHit', { numberOfKeys: 2, lua: HIT });
    redis.defineCommand('fwThrottleRefund', { numberOfKeys: 1, lua: REFUND });
    this.redis = redis as Scripted;
  }

  /** The Redis key of a throttler key's hit counter. */
  hitsKey(key: string): string {
    return `${this.prefix}:ratelimit:${key}`;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerRecord> {
    const hitsKey = this.hitsKey(key);
    const [hits, windowLeft, blocked, blockLeft] = await this.redis.fwThrottleHit(
      hitsKey,
      `${hitsKey}:blocked`,
      ttl,
      limit,
      blockDuration,
    );
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(windowLeft / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockLeft / 1000),
    };
  }

  /** Gives back one hit of a key (when the answer turned out to be a 304). */
  async refund(key: string): Promise<void> {
    await this.redis.fwThrottleRefund(this.hitsKey(key));
  }
}
