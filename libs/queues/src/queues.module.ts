import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { JobQueue } from './job-queue';
import { QueueWorkers } from './queue-workers';
import { closeRedis, createRedisConnection } from './redis-connection';

export const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');

/**
 * The producer side, for every role: one Redis connection and the typed JobQueue; and the list of
 * the queue workers the process runs (the worker role adds them), for readiness.
 */
@Global()
@Module({
  providers: [
    {
      provide: QUEUE_CONNECTION,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createRedisConnection(config.REDIS_URL, 'frictionwatch-queues'),
    },
    {
      provide: JobQueue,
      inject: [QUEUE_CONNECTION, APP_CONFIG],
      useFactory: (connection: Redis, config: AppConfig) => new JobQueue(connection, config.QUEUE_PREFIX),
    },
    { provide: QueueWorkers, useFactory: () => new QueueWorkers() },
  ],
  exports: [QUEUE_CONNECTION, JobQueue, QueueWorkers],
})
export class QueuesModule implements OnApplicationShutdown {
  constructor(
    private readonly jobs: JobQueue,
    @Inject(QUEUE_CONNECTION) private readonly connection: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    // The queues share this connection: with Redis gone their close would wait for it, so it is bounded.
    await Promise.race([this.jobs.close(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    await closeRedis(this.connection);
  }
}
