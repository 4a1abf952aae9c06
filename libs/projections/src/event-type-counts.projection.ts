import { sql, type Kysely } from 'kysely';
import type { StoredEvent } from '@frictionwatch/event-store';
import type { Projection, ProjectionContext } from './projection';

interface EventTypeCountsTables {
  event_type_daily_counts: { day: string; event_type: string; event_count: string };
}

/** Counts of events per type per UTC day: a small real projection that proves the engine. */
export const eventTypeCountsProjection: Projection<EventTypeCountsTables> = {
  name: 'event_type_counts',
  canHandle: 'all',
  readsData: false, // counts need the type and the time only
  tables: ['event_type_daily_counts'],

  async createTables(db: Kysely<EventTypeCountsTables>) {
    await db.schema
      .createTable('event_type_daily_counts')
      .addColumn('day', 'date', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('event_count', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('event_type_daily_counts_pkey', ['day', 'event_type'])
      .execute();
  },

  async handle(events: readonly StoredEvent[], { db }: ProjectionContext<EventTypeCountsTables>) {
    const counts = new Map<string, { day: string; event_type: string; n: number }>();
    for (const event of events) {
      const day = event.recordedAt.toISOString().slice(0, 10);
      const key = `${day}|${event.type}`;
      const entry = counts.get(key) ?? { day, event_type: event.type, n: 0 };
      entry.n += 1;
      counts.set(key, entry);
    }
    const rows = [...counts.values()];
    await db
      .insertInto('event_type_daily_counts')
      .values(rows.map((r) => ({ day: r.day, event_type: r.event_type, event_count: String(r.n) })))
      .onConflict((oc) =>
        oc.columns(['day', 'event_type']).doUpdateSet({
          event_count: sql<string>`event_type_daily_counts.event_count + excluded.event_count`,
        }),
      )
      .execute();
  },
};
