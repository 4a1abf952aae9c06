import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Kysely } from 'kysely';
import { KYSELY, type Database } from '@frictionwatch/database';
import { ItemsController } from './items.controller';
import { ItemsRepository } from './items.repository';
import { ProblemFilter } from './problem';

/** The REST API under /v1 (read models for dashboards). Errors are problem+json. */
@Module({
  controllers: [ItemsController],
  providers: [
    {
      provide: ItemsRepository,
      inject: [KYSELY],
      useFactory: (db: Kysely<Database>) => new ItemsRepository(db),
    },
    { provide: APP_FILTER, useClass: ProblemFilter },
  ],
})
export class HttpApiModule {}
