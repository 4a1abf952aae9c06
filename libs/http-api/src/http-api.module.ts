import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Kysely } from 'kysely';
import type { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { KYSELY, PG_POOL, type Database } from '@frictionwatch/database';
import { Reclassification } from '@frictionwatch/items';
import { JobQueue } from '@frictionwatch/queues';
import { AdminController } from './admin.controller';
import { ApiKeyGuard, requiredScope } from './api-key.guard';
import { ApiKeys } from './api-keys';
import { EventsController } from './events.controller';
import { ItemsController } from './items.controller';
import { ItemsRepository } from './items.repository';
import { ProblemFilter } from './problem';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { RateLimitStorageModule } from './rate-limit/rate-limit.module';
import { RedisThrottlerStorage } from './rate-limit/redis-throttler-storage';
import { ReadModelResponder } from './read-model-responder';
import { ReadModelsController } from './read-models.controller';
import { ReadModelsRepository } from './read-models.repository';
import { SubscriptionsController } from './subscriptions.controller';
import { RequestIdentity } from './request-identity';
import { TaxonomyController } from './taxonomy.controller';
import { UnsubscribeController } from './unsubscribe.controller';

const MINUTE_MS = 60_000;

/**
 * Two budgets per client and minute: every /v1 request counts against RATE_LIMIT_PER_MINUTE, admin
 * endpoints also against RATE_LIMIT_ADMIN_PER_MINUTE; 0 turns a budget off.
 */
const rateLimits = ThrottlerModule.forRootAsync({
  imports: [RateLimitStorageModule],
  inject: [APP_CONFIG, RedisThrottlerStorage],
  useFactory: (config: AppConfig, storage: RedisThrottlerStorage) => ({
    storage,
    throttlers: [
      {
        name: 'default',
        ttl: MINUTE_MS,
        limit: config.RATE_LIMIT_PER_MINUTE,
        skipIf: () => config.RATE_LIMIT_PER_MINUTE === 0,
      },
      {
        name: 'admin',
        ttl: MINUTE_MS,
        limit: config.RATE_LIMIT_ADMIN_PER_MINUTE,
        skipIf: (context) => config.RATE_LIMIT_ADMIN_PER_MINUTE === 0 || requiredScope(context) !== 'admin',
      },
    ],
  }),
});

/** The REST API under /v1 (read models for dashboards). Errors are problem+json; rate limited per key. */
@Module({
  imports: [rateLimits, RateLimitStorageModule],
  controllers: [
    ItemsController,
    ReadModelsController,
    TaxonomyController,
    EventsController,
    AdminController,
    SubscriptionsController,
    UnsubscribeController,
  ],
  providers: [
    {
      provide: ItemsRepository,
      inject: [KYSELY],
      useFactory: (db: Kysely<Database>) => new ItemsRepository(db),
    },
    {
      provide: ReadModelsRepository,
      inject: [KYSELY],
      useFactory: (db: Kysely<Database>) => new ReadModelsRepository(db),
    },
    ReadModelResponder,
    {
      provide: Reclassification,
      inject: [PG_POOL, JobQueue],
      useFactory: (pool: Pool, jobs: JobQueue) => new Reclassification(pool, jobs),
    },
    { provide: ApiKeys, inject: [KYSELY], useFactory: (db: Kysely<Database>) => new ApiKeys(db) },
    RequestIdentity,
    // The rate limit runs first, so that requests with a refused key are limited (per address) too.
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_FILTER, useClass: ProblemFilter },
  ],
})
export class HttpApiModule {}
