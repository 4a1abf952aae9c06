import { sql, type Kysely } from 'kysely';
import type { StoredEvent } from '@frictionwatch/event-store';
import type { Projection, ProjectionContext } from '@frictionwatch/projections';
import type { ItemIngested } from './item.events';
import { titleDayKey } from './item-identity';

export interface ItemDuplicatesTables {
  item_title_days: { title_day: string; item_id: string };
  item_duplicates: { item_id: string; duplicate_of: string; title_day: string };
}

/**
 * Links items seen in several sources: the same canonical URL is already one item; items with the same
 * normalised title on the same day are linked to the first one ingested (in log order, so a rebuild
 * links the same way). Nothing is dropped: both items stay, the later one points at the first.
 */
export const itemDuplicatesProjection: Projection<ItemDuplicatesTables> = {
  name: 'item_duplicates',
  canHandle: ['ItemIngested'],
  tables: ['item_title_days', 'item_duplicates'],

  async createTables(db: Kysely<ItemDuplicatesTables>) {
    await db.schema
      .createTable('item_title_days')
      .addColumn('title_day', 'text', (c) => c.primaryKey())
      .addColumn('item_id', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('item_duplicates')
      .addColumn('item_id', 'text', (c) => c.primaryKey())
      .addColumn('duplicate_of', 'text', (c) => c.notNull())
      .addColumn('title_day', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('item_duplicates_of_idx')
      .on('item_duplicates')
      .column('duplicate_of')
      .execute();
  },

  async handle(events: readonly StoredEvent[], { db }: ProjectionContext<ItemDuplicatesTables>) {
    const firsts = new Map<string, string>();
    const candidates: { item_id: string; title_day: string }[] = [];
    for (const event of events) {
      const data = event.data as ItemIngested;
      const key = titleDayKey(data.title, data.publishedAt);
      if (!key.slice(11).trim()) continue; // an empty title links nothing
      candidates.push({ item_id: data.itemId, title_day: key });
      if (!firsts.has(key)) firsts.set(key, data.itemId);
    }
    if (candidates.length === 0) return;
    await db
      .insertInto('item_title_days')
      .values([...firsts].map(([title_day, item_id]) => ({ title_day, item_id })))
      .onConflict((oc) => oc.column('title_day').doNothing())
      .execute();
    const owners = await db
      .selectFrom('item_title_days')
      .select(['title_day', 'item_id'])
      .where('title_day', 'in', [...firsts.keys()])
      .execute();
    const ownerOf = new Map(owners.map((o) => [o.title_day, o.item_id]));
    const duplicates = candidates
      .filter((c) => ownerOf.get(c.title_day) !== c.item_id)
      .map((c) => ({
        item_id: c.item_id,
        duplicate_of: ownerOf.get(c.title_day) as string,
        title_day: c.title_day,
      }));
    if (duplicates.length === 0) return;
    await db
      .insertInto('item_duplicates')
      .values(duplicates)
      .onConflict((oc) => oc.column('item_id').doUpdateSet({ duplicate_of: sql`excluded.duplicate_of` }))
      .execute();
  },
};
