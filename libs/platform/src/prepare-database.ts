import type { AppConfig } from '@frictionwatch/config';
import {
  closeDatabase,
  createKysely,
  createPool,
  ensureDatabase,
  migrateToLatest,
} from '@frictionwatch/database';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { FeedRegistry, seedSources } from '@frictionwatch/feeds';
import { registerEventTypes } from './composition';

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
      // Registering a feed only appends to its own stream: no read model is needed for it.
      const { registered } = await seedSources(new FeedRegistry(store));
      if (registered.length) options.log?.(`Registered ${registered.length} default sources`);
    }
  } finally {
    await closeDatabase(db, pool);
  }
}
