import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { closeRedis, redisOptionsFromUrl } from '@frictionwatch/queues';
import { RateLimitLedger } from './rate-limit-ledger';
import { RedisThrottlerStorage } from './redis-throttler-storage';

const RATE_LIMIT_REDIS = Symbol('RATE_LIMIT_REDIS');

/**
 * The rate limit's Redis store and ledger. Its own connection fails a command within a second rather
 * than queueing it (the queue connection waits forever, which a request must not).
 */
@Module({
  providers: [
    {
      provide: RATE_LIMIT_REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const redis = new Redis({
          ...redisOptionsFromUrl(config.REDIS_URL),
          connectionName: 'frictionwatch-ratelimit',
          maxRetriesPerRequest: 1,
          commandTimeout: 1000,
        });
        redis.on('error', () => undefined); // answered as 503 by the guard, reported by readiness
        return redis;
      },
    },
    {
      provide: RedisThrottlerStorage,
      inject: [RATE_LIMIT_REDIS, APP_CONFIG],
      useFactory: (redis: Redis, config: AppConfig) => new RedisThrottlerStorage(redis, config.QUEUE_PREFIX),
    },
    RateLimitLedger,
  ],
  exports: [RedisThrottlerStorage, RateLimitLedger],
})
export class RateLimitStorageModule implements OnApplicationShutdown {
  constructor(@Inject(RATE_LIMIT_REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.redis);
  }
}
