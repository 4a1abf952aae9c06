import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { closeDatabase, createKysely, createPool } from './connection';
import type { Database } from './database.types';

export const PG_POOL = Symbol('PG_POOL');
export const KYSELY = Symbol('KYSELY');

/** One pg Pool and one Kysely per process, closed on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: PG_POOL,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        createPool({
          databaseUrl: config.DATABASE_URL,
          poolMax: config.DATABASE_POOL_MAX,
          statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
        }),
    },
    { provide: KYSELY, inject: [PG_POOL], useFactory: (pool: Pool) => createKysely(pool) },
  ],
  exports: [PG_POOL, KYSELY],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(KYSELY) private readonly db: Kysely<Database>,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await closeDatabase(this.db, this.pool);
  }
}
