import { sql, type Kysely } from 'kysely';
import type { StoredEvent } from '@frictionwatch/event-store';
import type { Projection, ProjectionContext } from '@frictionwatch/projections';
import { linkCase, structuredRefs } from './case-linking';
import { extractDeadlines, type Deadline } from './deadline-extraction';
import { isoTimestamp, linkLabelsOf, readLabels, type LinkLabels } from './item-labels';
import { itemEvents, itemIdsOf, ITEM_EVENT_TYPES, upsertRows } from './projection-support';

/** What an item with deadlines needs kept to re-derive its rows when it is classified again. */
export interface DeadlineItemState {
  feedId: string;
  title: string;
  url: string | null;
  publishedAt: string;
  structuredRefs: string[];
  deadlines: Deadline[];
  labels: LinkLabels | null;
}

export interface DeadlineItemsRow {
  item_id: string;
  state: DeadlineItemState;
}

/** One comment deadline or effective date of an item, past or ahead: the API filters by `due_on`. */
export interface DeadlinesRow {
  item_id: string;
  kind: string;
  due_on: string;
  source: string;
  evidence: string;
  feed_id: string;
  title: string;
  url: string | null;
  published_at: string;
  /** Null while the item is unclassified. */
  friction: boolean | null;
  case_id: string | null;
}

const DEADLINE_COLUMNS = [
  'item_id',
  'kind',
  'due_on',
  'source',
  'evidence',
  'feed_id',
  'title',
  'url',
  'published_at',
  'friction',
  'case_id',
] as const satisfies readonly (keyof DeadlinesRow)[];

export interface DeadlinesTables {
  deadlines: DeadlinesRow;
  deadline_items: DeadlineItemsRow;
}

/**
 * `deadlines`: comment deadlines (`comments_close`) and effective dates (`effective`) of items, from the
 * source's structured fields and from dates stated in the text (`deadline-extraction.ts`), with the item
 * and its case. Only items that have a deadline are kept in `deadline_items` (the state their rows are
 * re-derived from); a text without deadlines drops the item and its labels, so a revision that adds
 * a date has no case until the item is classified again (a new text is always classified again).
 */
export const deadlinesProjection: Projection<DeadlinesTables> = {
  name: 'deadlines',
  canHandle: ITEM_EVENT_TYPES,
  tables: ['deadlines', 'deadline_items'],

  async createTables(db: Kysely<DeadlinesTables>, schema: string) {
    await db.schema
      .createTable('deadlines')
      .addColumn('item_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('due_on', 'date', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('feed_id', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('url', 'text')
      .addColumn('published_at', 'timestamptz', (c) => c.notNull())
      .addColumn('friction', 'boolean')
      .addColumn('case_id', 'text')
      .addPrimaryKeyConstraint('deadlines_pkey', ['item_id', 'kind', 'due_on'])
      .execute();
    const deadlines = sql.id(schema, 'deadlines');
    await sql`CREATE INDEX deadlines_due_idx ON ${deadlines} (due_on, kind, item_id)`.execute(db);
    await sql`CREATE INDEX deadlines_case_idx ON ${deadlines} (case_id, due_on) WHERE case_id IS NOT NULL`.execute(
      db,
    );

    await db.schema
      .createTable('deadline_items')
      .addColumn('item_id', 'text', (c) => c.notNull())
      .addColumn('state', 'jsonb', (c) => c.notNull())
      .addPrimaryKeyConstraint('deadline_items_pkey', ['item_id'])
      .execute();
  },

  async handle(batch: readonly StoredEvent[], { db, schema }: ProjectionContext<DeadlinesTables>) {
    const events = itemEvents(batch);
    const ids = itemIdsOf(events);
    if (ids.length === 0) return;

    const loaded = await db
      .selectFrom('deadline_items')
      .select(['item_id', 'state'])
      .where('item_id', 'in', ids)
      .execute();
    const states = new Map<string, DeadlineItemState | null>(loaded.map((row) => [row.item_id, row.state]));

    for (const event of events) {
      const id = event.data.itemId;
      const state = states.get(id) ?? null;
      if (event.type === 'ItemClassified') {
        if (state) state.labels = linkLabelsOf(readLabels(event.data.classification, event.data));
        continue;
      }
      const text = event.data;
      const publishedAt = isoTimestamp(
        text.publishedAt,
        isoTimestamp(event.metadata.occurredAt, event.recordedAt.toISOString()),
      );
      const deadlines = extractDeadlines({
        title: text.title,
        summary: text.summary,
        extra: text.extra,
        publishedAt,
      });
      states.set(
        id,
        deadlines.length === 0
          ? null
          : {
              feedId: text.feedId,
              title: text.title,
              url: text.url,
              publishedAt,
              structuredRefs: structuredRefs(text.extra),
              deadlines,
              labels: state?.labels ?? null,
            },
      );
    }

    const kept: DeadlineItemsRow[] = [];
    const dropped: string[] = [];
    const rows: DeadlinesRow[] = [];
    for (const [id, state] of states) {
      if (!state) {
        dropped.push(id);
        continue;
      }
      kept.push({ item_id: id, state });
      const caseId =
        linkCase({ title: state.title, structuredRefs: state.structuredRefs, labels: state.labels })
          ?.caseId ?? null;
      for (const deadline of state.deadlines) {
        rows.push({
          item_id: id,
          kind: deadline.kind,
          due_on: deadline.on,
          source: deadline.source,
          evidence: deadline.evidence,
          feed_id: state.feedId,
          title: state.title,
          url: state.url,
          published_at: state.publishedAt,
          friction: state.labels?.friction ?? null,
          case_id: caseId,
        });
      }
    }

    await db.deleteFrom('deadlines').where('item_id', 'in', ids).execute();
    if (dropped.length > 0) await db.deleteFrom('deadline_items').where('item_id', 'in', dropped).execute();
    const raw = db as unknown as Kysely<unknown>;
    await upsertRows(raw, schema, 'deadline_items', ['item_id', 'state'], ['item_id'], ['state'], kept);
    await upsertRows(raw, schema, 'deadlines', DEADLINE_COLUMNS, ['item_id', 'kind', 'due_on'], [], rows);
  },
};
