import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { Kysely } from 'kysely';
import type { Pool } from 'pg';
import { KYSELY, PG_POOL, type Database } from '@frictionwatch/database';
import { Reclassification } from '@frictionwatch/items';
import { JobQueue } from '@frictionwatch/queues';
import { AdminController } from './admin.controller';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeys } from './api-keys';
import { EventsController } from './events.controller';
import { ItemsController } from './items.controller';
import { ItemsRepository } from './items.repository';
import { ProblemFilter } from './problem';
import { ReadModelResponder } from './read-model-responder';
import { ReadModelsController } from './read-models.controller';
import { ReadModelsRepository } from './read-models.repository';
import { SubscriptionsController } from './subscriptions.controller';
import { TaxonomyController } from './taxonomy.controller';
import { UnsubscribeController } from './unsubscribe.controller';

/** The REST API under /v1 (read models for dashboards). Errors are problem+json. */
@Module({
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
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_FILTER, useClass: ProblemFilter },
  ],
})
export class HttpApiModule {}
