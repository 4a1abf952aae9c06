import type { Provider } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';

export const REDIS = Symbol('REDIS');

/** The process's Redis connection for health checks; it fails fast instead of queueing commands. */
export const redisProvider: Provider = {
  provide: REDIS,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => {
    const redis = new Redis(config.REDIS_URL, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectionName: 'frictionwatch-health',
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    redis.on('error', () => undefined); // reported through readiness, not as a crash
    void redis.connect().catch(() => undefined);
    return redis;
  },
};
