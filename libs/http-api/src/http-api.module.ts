import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Kysely } from 'kysely';
import { KYSELY, type Database } from '@frictionwatch/database';
import { ItemsController } from './items.controller';
import { ItemsRepository } from './items.repository';
import { ProblemFilter } from './problem';
import { ReadModelResponder } from './read-model-responder';
import { ReadModelsController } from './read-models.controller';
import { ReadModelsRepository } from './read-models.repository';

/** The REST API under /v1 (read models for dashboards). Errors are problem+json. */
@Module({
  controllers: [ItemsController, ReadModelsController],
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
    { provide: APP_FILTER, useClass: ProblemFilter },
  ],
})
export class HttpApiModule {}
