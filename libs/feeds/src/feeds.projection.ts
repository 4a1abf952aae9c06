import { sql, type Kysely } from 'kysely';
import type { StoredEvent } from '@frictionwatch/event-store';
import type { Projection, ProjectionContext } from '@frictionwatch/projections';
import { FEED_EVENTS } from './feed.events';
import { evolveFeed, type FeedState } from './feed-state';

export interface FeedsTables {
  feeds: {
    feed_id: string;
    status: string;
    healthy: boolean;
    next_due_at: string;
    state: FeedState;
  };
}

/** The current set of feeds, their schedule and their health: one row per feed, folded from its events. */
export const feedsProjection: Projection<FeedsTables> = {
  name: 'feeds',
  canHandle: FEED_EVENTS.map((definition) => definition.type),
  tables: ['feeds'],

  async createTables(db: Kysely<FeedsTables>) {
    await db.schema
      .createTable('feeds')
      .addColumn('feed_id', 'text', (c) => c.primaryKey())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('healthy', 'boolean', (c) => c.notNull())
      .addColumn('next_due_at', 'timestamptz', (c) => c.notNull())
      .addColumn('state', 'jsonb', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('feeds_due_idx').on('feeds').columns(['status', 'next_due_at']).execute();
  },

  async handle(events: readonly StoredEvent[], { db }: ProjectionContext<FeedsTables>) {
    const ids = [...new Set(events.map((e) => (e.data as { feedId: string }).feedId))];
    const rows = await db
      .selectFrom('feeds')
      .select(['feed_id', 'state'])
      .where('feed_id', 'in', ids)
      .execute();
    const states = new Map<string, FeedState | null>(rows.map((r) => [r.feed_id, r.state]));
    for (const event of events) {
      const id = (event.data as { feedId: string }).feedId;
      states.set(id, evolveFeed(states.get(id) ?? null, event));
    }
    const values = [...states.values()]
      .filter((s): s is FeedState => s !== null)
      .map((s) => ({
        feed_id: s.feedId,
        status: s.status,
        healthy: s.healthy,
        next_due_at: s.nextDueAt,
        state: JSON.stringify(s) as unknown as FeedState,
      }));
    if (values.length === 0) return;
    await db
      .insertInto('feeds')
      .values(values)
      .onConflict((oc) =>
        oc.column('feed_id').doUpdateSet({
          status: sql`excluded.status`,
          healthy: sql`excluded.healthy`,
          next_due_at: sql`excluded.next_due_at`,
          state: sql`excluded.state`,
        }),
      )
      .execute();
  },
};
