import type { AppConfig } from '@frictionwatch/config';
import {
  closeDatabase,
  createKysely,
  createPool,
  ensureDatabase,
  migrateToLatest,
} from '@frictionwatch/database';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { registerEventTypes } from './composition';
import { describeSeed, seedDatabase } from './seed-database';

/**
 * Before any role starts: the database exists (created when allowed), migrations are applied when
 * asked, and stored transaction ids are not ahead of the cluster's.
 */
export async function prepareDatabase(
  config: AppConfig,
  options: { migrate: boolean; seed?: boolean; log?: (message: string) => void },
): Promise<void> {
  const created = await ensureDatabase(config.DATABASE_URL);
  if (created === 'created')
    options.log?.(`Created database ${new URL(config.DATABASE_URL).pathname.slice(1)}`);
  const pool = createPool({
    databaseUrl: config.DATABASE_URL,
    poolMax: 2,
    applicationName: 'frictionwatch-prepare',
  });
  const db = createKysely(pool);
  try {
    if (options.migrate) {
      const { applied } = await migrateToLatest(pool, db);
      if (applied.length) options.log?.(`Applied migrations: ${applied.join(', ')}`);
    }
    const store = new PostgresEventStore(pool, registerEventTypes(new EventRegistry()));
    await store.assertTransactionIdsNotAhead();
    if (options.seed) {
      const line = describeSeed(await seedDatabase(store, config));
      if (line) options.log?.(line);
    }
  } finally {
    await closeDatabase(db, pool);
  }
}
