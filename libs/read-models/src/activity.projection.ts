import { sql, type Kysely } from 'kysely';
import type { StoredEvent } from '@frictionwatch/event-store';
import type { Projection, ProjectionContext } from '@frictionwatch/projections';
import { isoTimestamp, isoWeekStart, readLabels } from './item-labels';
import { itemEvents, itemIdsOf, ITEM_EVENT_TYPES, upsertRows } from './projection-support';

/** The labels activity counts by. */
export interface ActivityLabels {
  friction: boolean;
  sectors: string[];
  actors: string[];
  targets: string[];
  frictionTypes: string[];
  stage: string | null;
}

/** Per item: its week, its latest labels, and the cells it is counted in now. */
export interface ActivityItemsRow {
  item_id: string;
  /** Monday of the ISO week of publication, YYYY-MM-DD. */
  week: string;
  labels: ActivityLabels | null;
  cells: string[];
}

/** Friction items per ISO week (its Monday) × sector × actor × target × friction type × stage; '' for none. */
export interface ActivityRow {
  week: string;
  sector: string;
  actor: string;
  target: string;
  friction_type: string;
  stage: string;
  items: string;
}

export interface ActivityTables {
  activity: ActivityRow;
  activity_items: ActivityItemsRow;
}

const orNone = (values: readonly string[]) => (values.length > 0 ? values : ['']);

/**
 * The cells a friction item is counted in: one per combination of its sectors, actors, targets and
 * friction types (each '' when it has none) with its stage. A cell counts items; summing cells over a
 * dimension counts an item once per value it has in that dimension. Non-friction items count nowhere.
 */
export function activityCells(week: string, labels: ActivityLabels | null): string[] {
  if (!labels || !labels.friction) return [];
  const cells: string[] = [];
  for (const sector of orNone(labels.sectors))
    for (const actor of orNone(labels.actors))
      for (const target of orNone(labels.targets))
        for (const type of orNone(labels.frictionTypes))
          cells.push([week, sector, actor, target, type, labels.stage ?? ''].join('|'));
  return [...new Set(cells)].sort();
}

/**
 * `activity`: counts of friction items by week × sector × actor × target × friction type × stage, from
 * each item's latest classification. A re-classification (or a revision that moves the publication
 * week) takes the item out of the cells it was counted in and into its new ones; emptied cells are
 * deleted, so a rebuild equals the live table row for row.
 */
export const activityProjection: Projection<ActivityTables> = {
  name: 'activity',
  canHandle: ITEM_EVENT_TYPES,
  tables: ['activity', 'activity_items'],

  async createTables(db: Kysely<ActivityTables>, schema: string) {
    await db.schema
      .createTable('activity')
      .addColumn('week', 'date', (c) => c.notNull())
      .addColumn('sector', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('friction_type', 'text', (c) => c.notNull())
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('items', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('activity_pkey', [
        'week',
        'sector',
        'actor',
        'target',
        'friction_type',
        'stage',
      ])
      .execute();
    // Only cells a batch just emptied are in it: finding them never scans the table.
    await sql`CREATE INDEX activity_emptied_idx ON ${sql.id(schema, 'activity')} (week) WHERE items <= 0`.execute(
      db,
    );

    await db.schema
      .createTable('activity_items')
      .addColumn('item_id', 'text', (c) => c.notNull())
      .addColumn('week', 'text', (c) => c.notNull())
      .addColumn('labels', 'jsonb')
      .addColumn('cells', sql`text[]`, (c) => c.notNull())
      .addPrimaryKeyConstraint('activity_items_pkey', ['item_id'])
      .execute();
  },

  async handle(batch: readonly StoredEvent[], { db, schema }: ProjectionContext<ActivityTables>) {
    const events = itemEvents(batch);
    const ids = itemIdsOf(events);
    if (ids.length === 0) return;

    const loaded = await db
      .selectFrom('activity_items')
      .select(['item_id', 'week', 'labels', 'cells'])
      .where('item_id', 'in', ids)
      .execute();
    const before = new Map(loaded.map((row) => [row.item_id, row.cells]));
    const rows = new Map<string, ActivityItemsRow>(loaded.map((row) => [row.item_id, { ...row }]));

    for (const event of events) {
      const id = event.data.itemId;
      const row = rows.get(id);
      if (event.type === 'ItemClassified') {
        if (!row) continue;
        const labels = readLabels(event.data.classification, event.data);
        row.labels = {
          friction: labels.friction,
          sectors: labels.sectors,
          actors: labels.actors,
          targets: labels.targets,
          frictionTypes: labels.frictionTypes,
          stage: labels.stage,
        };
      } else {
        const occurredAt = isoTimestamp(event.metadata.occurredAt, event.recordedAt.toISOString());
        const week = isoWeekStart(isoTimestamp(event.data.publishedAt, occurredAt));
        if (row) row.week = week;
        else rows.set(id, { item_id: id, week, labels: null, cells: [] });
      }
    }

    const deltas = new Map<string, number>();
    const add = (cells: readonly string[], n: number) => {
      for (const cell of cells) deltas.set(cell, (deltas.get(cell) ?? 0) + n);
    };
    const itemValues = [...rows.values()].map((row) => {
      add(before.get(row.item_id) ?? [], -1);
      row.cells = activityCells(row.week, row.labels);
      add(row.cells, 1);
      return row;
    });
    const raw = db as unknown as Kysely<unknown>;
    const itemColumns = ['item_id', 'week', 'labels', 'cells'];
    await upsertRows(
      raw,
      schema,
      'activity_items',
      itemColumns,
      ['item_id'],
      itemColumns.slice(1),
      itemValues,
    );

    const counts: ActivityRow[] = [];
    for (const [cell, n] of deltas) {
      if (n === 0) continue;
      const [week, sector, actor, target, frictionType, stage] = cell.split('|');
      counts.push({ week, sector, actor, target, friction_type: frictionType, stage, items: String(n) });
    }
    if (counts.length === 0) return;
    const cellColumns = ['week', 'sector', 'actor', 'target', 'friction_type', 'stage'];
    await upsertRows(
      raw,
      schema,
      'activity',
      [...cellColumns, 'items'],
      cellColumns,
      sql`items = activity.items + excluded.items`,
      counts,
    );
    await db
      .deleteFrom('activity')
      .where(sql<boolean>`items <= 0`)
      .execute();
  },
};
