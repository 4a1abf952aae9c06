import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { loadConfigOrExit, type AppConfig } from '@frictionwatch/config';
import { closeDatabase, createKysely, createPool, type Database } from '@frictionwatch/database';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { ProjectionEngine } from '@frictionwatch/projections';
import { allProjections, registerEventTypes } from '@frictionwatch/platform';
import { createRedisConnection, JobQueue } from '@frictionwatch/queues';

export interface CliContext {
  config: AppConfig;
  pool: Pool;
  db: Kysely<Database>;
  store: PostgresEventStore;
  engine: ProjectionEngine;
  jobs: JobQueue;
  redis: Redis;
}

/** Database-backed commands share this: settings, one small pool, the store and the projections. */
export async function withCliContext<T>(work: (context: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfigOrExit();
  const pool = createPool({
    databaseUrl: config.DATABASE_URL,
    poolMax: 4,
    applicationName: 'frictionwatch-cli',
  });
  const db = createKysely(pool);
  const store = new PostgresEventStore(pool, registerEventTypes(new EventRegistry()), {
    lockTimeoutMs: config.EVENT_STORE_LOCK_TIMEOUT_MS,
    maxEventBytes: config.EVENT_STORE_MAX_EVENT_BYTES,
  });
  const redis = createRedisConnection(config.REDIS_URL, 'frictionwatch-cli', { lazy: true });
  const jobs = new JobQueue(redis, config.QUEUE_PREFIX);
  const engine = new ProjectionEngine(db, store, allProjections({ jobs, store, config }), {
    batchSize: config.PROJECTION_BATCH_SIZE,
    maxAttempts: config.PROJECTION_MAX_ATTEMPTS,
    tailEvents: 0, // the command line never follows the log: no tail in memory
  });
  try {
    return await work({ config, pool, db, store, engine, jobs, redis });
  } finally {
    await jobs.close();
    redis.disconnect();
    await closeDatabase(db, pool);
  }
}
