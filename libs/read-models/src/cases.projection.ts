import { sql, type Kysely } from 'kysely';
import type { StoredEvent } from '@frictionwatch/event-store';
import type { Projection, ProjectionContext } from '@frictionwatch/projections';
import { linkCase, structuredRefs, type CaseLink } from './case-linking';
import { isoTimestamp, linkLabelsOf, readLabels, stageRank, utcDay, type LinkLabels } from './item-labels';
import { isoOf, itemEvents, itemIdsOf, ITEM_EVENT_TYPES, upsertRows } from './projection-support';

/**
 * Per item: what linking needs (its latest title, dates, structured references and labels) and what it
 * currently contributes to its case, so a re-linked item can be taken out of its old case exactly.
 */
export interface CaseItemsRow {
  item_id: string;
  title: string;
  url: string | null;
  published_at: string;
  structured_refs: string[];
  labels: LinkLabels | null;
  case_id: string | null;
  basis: string | null;
  link_key: string | null;
  reference: string | null;
  case_title: string | null;
  /** `dimension=value` entries counted in `case_labels` for this item's case. */
  contributes: string[];
}

/** One entry per member item that states a stage: the case's timeline. */
export interface CaseTimelineRow {
  item_id: string;
  case_id: string;
  stage: string;
  stage_rank: number;
  on_date: string;
  title: string;
  url: string | null;
}

/** How many member items give a case each label value (cases' arrays are the values counted > 0). */
export interface CaseLabelsRow {
  case_id: string;
  dimension: string;
  value: string;
  items: number;
}

export interface CasesRow {
  case_id: string;
  basis: string;
  link_key: string;
  reference: string | null;
  title: string;
  actors: string[];
  targets: string[];
  friction_types: string[];
  sectors: string[];
  products: string[];
  hs_codes: string[];
  refs: string[];
  stage: string | null;
  stage_on: string | null;
  first_on: string;
  last_on: string;
  item_count: number;
}

export interface CasesTables {
  cases: CasesRow;
  case_timeline: CaseTimelineRow;
  case_items: CaseItemsRow;
  case_labels: CaseLabelsRow;
}

/** Label dimensions of a case and the `cases` column each becomes. */
const DIMENSIONS = {
  actor: 'actors',
  target: 'targets',
  friction_type: 'friction_types',
  sector: 'sectors',
  product: 'products',
  hs_code: 'hs_codes',
  ref: 'refs',
} as const;

const TIMELINE_COLUMNS = [
  'item_id',
  'case_id',
  'stage',
  'stage_rank',
  'on_date',
  'title',
  'url',
] as const satisfies readonly (keyof CaseTimelineRow)[];

const CASE_ITEM_COLUMNS = [
  'item_id',
  'title',
  'url',
  'published_at',
  'structured_refs',
  'labels',
  'case_id',
  'basis',
  'link_key',
  'reference',
  'case_title',
  'contributes',
] as const satisfies readonly (keyof CaseItemsRow)[];

/**
 * Federal Register document numbers and citations name one notice each: a case keeps them off its
 * `refs` (they would grow it without bound); they stay on the items (`items.extra`, `items.case_refs`).
 */
const PER_DOCUMENT_KINDS = ['fr_document:', 'fr_citation:'];

/** What an item linked to a case adds to it: one item, and each of its label values. */
export function contributionOf(link: CaseLink, labels: LinkLabels): string[] {
  const entries = new Set<string>(['item=']);
  for (const actor of labels.actors) entries.add(`actor=${actor}`);
  for (const target of labels.targets) entries.add(`target=${target}`);
  for (const type of labels.frictionTypes) entries.add(`friction_type=${type}`);
  for (const sector of labels.sectors) entries.add(`sector=${sector}`);
  if (link.product) entries.add(`product=${link.product}`);
  for (const code of labels.hsCodes) entries.add(`hs_code=${code}`);
  for (const ref of link.references)
    if (!PER_DOCUMENT_KINDS.some((kind) => ref.startsWith(kind))) entries.add(`ref=${ref}`);
  return [...entries].sort();
}

/**
 * `cases`: friction items linked into trade cases by `case-linking.ts` (case numbers first, else a
 * deterministic key), each case with its labels, products, HS codes, references, current stage and
 * dates; `case_timeline`: the stage each member item states, with its date. Label arrays are kept
 * exact under re-linking by per-value member counts in `case_labels`.
 */
export const casesProjection: Projection<CasesTables> = {
  name: 'cases',
  canHandle: ITEM_EVENT_TYPES,
  tables: ['cases', 'case_timeline', 'case_items', 'case_labels'],

  async createTables(db: Kysely<CasesTables>, schema: string) {
    await db.schema
      .createTable('case_items')
      .addColumn('item_id', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('url', 'text')
      .addColumn('published_at', 'timestamptz', (c) => c.notNull())
      .addColumn('structured_refs', sql`text[]`, (c) => c.notNull())
      .addColumn('labels', 'jsonb')
      .addColumn('case_id', 'text')
      .addColumn('basis', 'text')
      .addColumn('link_key', 'text')
      .addColumn('reference', 'text')
      .addColumn('case_title', 'text')
      .addColumn('contributes', sql`text[]`, (c) => c.notNull())
      .addPrimaryKeyConstraint('case_items_pkey', ['item_id'])
      .execute();
    await sql`CREATE INDEX case_items_case_idx ON ${sql.id(schema, 'case_items')} (case_id, published_at, item_id) WHERE case_id IS NOT NULL`.execute(
      db,
    );

    await db.schema
      .createTable('case_timeline')
      .addColumn('item_id', 'text', (c) => c.notNull())
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('stage_rank', 'integer', (c) => c.notNull())
      .addColumn('on_date', 'date', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('url', 'text')
      .addPrimaryKeyConstraint('case_timeline_pkey', ['item_id'])
      .execute();
    await sql`CREATE INDEX case_timeline_case_idx ON ${sql.id(schema, 'case_timeline')} (case_id, on_date DESC, stage_rank DESC, item_id DESC)`.execute(
      db,
    );

    await db.schema
      .createTable('case_labels')
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('dimension', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('items', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('case_labels_pkey', ['case_id', 'dimension', 'value'])
      .execute();

    await db.schema
      .createTable('cases')
      .addColumn('case_id', 'text', (c) => c.notNull())
      .addColumn('basis', 'text', (c) => c.notNull())
      .addColumn('link_key', 'text', (c) => c.notNull())
      .addColumn('reference', 'text')
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('actors', sql`text[]`, (c) => c.notNull())
      .addColumn('targets', sql`text[]`, (c) => c.notNull())
      .addColumn('friction_types', sql`text[]`, (c) => c.notNull())
      .addColumn('sectors', sql`text[]`, (c) => c.notNull())
      .addColumn('products', sql`text[]`, (c) => c.notNull())
      .addColumn('hs_codes', sql`text[]`, (c) => c.notNull())
      .addColumn('refs', sql`text[]`, (c) => c.notNull())
      .addColumn('stage', 'text')
      .addColumn('stage_on', 'date')
      .addColumn('first_on', 'date', (c) => c.notNull())
      .addColumn('last_on', 'date', (c) => c.notNull())
      .addColumn('item_count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('cases_pkey', ['case_id'])
      .execute();
    const cases = sql.id(schema, 'cases');
    await sql`CREATE INDEX cases_last_on_idx ON ${cases} (last_on DESC, case_id DESC)`.execute(db);
    await sql`CREATE INDEX cases_stage_idx ON ${cases} (stage, last_on DESC)`.execute(db);
    for (const column of ['actors', 'targets', 'friction_types', 'sectors', 'products', 'refs']) {
      await sql`CREATE INDEX ${sql.id(`cases_${column}_gin`)} ON ${cases} USING gin (${sql.ref(column)})`.execute(
        db,
      );
    }
  },

  async handle(batch: readonly StoredEvent[], { db, schema }: ProjectionContext<CasesTables>) {
    const events = itemEvents(batch);
    const ids = itemIdsOf(events);
    if (ids.length === 0) return;

    const loaded = await db
      .selectFrom('case_items')
      .select(CASE_ITEM_COLUMNS)
      .where('item_id', 'in', ids)
      .execute();
    const before = new Map(loaded.map((row) => [row.item_id, row]));
    const rows = new Map<string, CaseItemsRow>(
      loaded.map((row) => [row.item_id, { ...row, published_at: isoOf(row.published_at) }]),
    );

    for (const event of events) {
      const id = event.data.itemId;
      const row = rows.get(id);
      if (event.type === 'ItemClassified') {
        if (row) row.labels = linkLabelsOf(readLabels(event.data.classification, event.data));
        continue;
      }
      const text = event.data;
      const publishedAt = isoTimestamp(
        text.publishedAt,
        isoTimestamp(event.metadata.occurredAt, event.recordedAt.toISOString()),
      );
      const next: CaseItemsRow = row ?? {
        item_id: id,
        title: '',
        url: null,
        published_at: publishedAt,
        structured_refs: [],
        labels: null,
        case_id: null,
        basis: null,
        link_key: null,
        reference: null,
        case_title: null,
        contributes: [],
      };
      next.title = text.title;
      next.url = text.url;
      next.published_at = publishedAt;
      next.structured_refs = structuredRefs(text.extra);
      rows.set(id, next);
    }

    const deltas = new Map<string, number>();
    const touchedCases = new Set<string>();
    const count = (caseId: string, entries: readonly string[], n: number) => {
      touchedCases.add(caseId);
      for (const entry of entries) {
        const key = `${caseId}\u0000${entry}`;
        deltas.set(key, (deltas.get(key) ?? 0) + n);
      }
    };
    const timeline: CaseTimelineRow[] = [];
    const itemValues = [...rows.values()].map((row) => {
      const old = before.get(row.item_id);
      if (old?.case_id) count(old.case_id, old.contributes, -1);
      const link = linkCase({ title: row.title, structuredRefs: row.structured_refs, labels: row.labels });
      if (link && row.labels) {
        row.case_id = link.caseId;
        row.basis = link.basis;
        row.link_key = link.key;
        row.reference = link.reference;
        row.case_title = link.title;
        row.contributes = contributionOf(link, row.labels);
        count(link.caseId, row.contributes, 1);
        if (row.labels.stage) {
          timeline.push({
            item_id: row.item_id,
            case_id: link.caseId,
            stage: row.labels.stage,
            stage_rank: stageRank(row.labels.stage),
            on_date: utcDay(row.published_at),
            title: row.title,
            url: row.url,
          });
        }
      } else {
        Object.assign(row, { case_id: null, basis: null, link_key: null, reference: null, case_title: null });
        row.contributes = [];
      }
      return row;
    });

    const target = db as unknown as Kysely<unknown>;
    const update = CASE_ITEM_COLUMNS.filter((c) => c !== 'item_id');
    await upsertRows(target, schema, 'case_items', CASE_ITEM_COLUMNS, ['item_id'], update, itemValues);

    await db.deleteFrom('case_timeline').where('item_id', 'in', ids).execute();
    await upsertRows(target, schema, 'case_timeline', TIMELINE_COLUMNS, ['item_id'], [], timeline);

    const labelValues: CaseLabelsRow[] = [];
    for (const [key, n] of deltas) {
      if (n === 0) continue;
      const [caseId, entry] = key.split('\u0000');
      const eq = entry.indexOf('=');
      labelValues.push({
        case_id: caseId,
        dimension: entry.slice(0, eq),
        value: entry.slice(eq + 1),
        items: n,
      });
    }
    await upsertRows(
      target,
      schema,
      'case_labels',
      ['case_id', 'dimension', 'value', 'items'],
      ['case_id', 'dimension', 'value'],
      sql`items = case_labels.items + excluded.items`,
      labelValues,
    );
    const caseIds = [...touchedCases];
    if (caseIds.length === 0) return;
    await db.deleteFrom('case_labels').where('case_id', 'in', caseIds).where('items', '<=', 0).execute();
    await db.deleteFrom('cases').where('case_id', 'in', caseIds).execute();
    await refreshCases(db, schema, caseIds);
  },
};

/** Rebuilds the `cases` rows of the given cases from their labels, members and timeline. */
async function refreshCases(db: Kysely<CasesTables>, schema: string, caseIds: string[]): Promise<void> {
  const t = (table: string) => sql.id(schema, table);
  const arrays = Object.entries(DIMENSIONS).map(
    ([dimension, column]) =>
      sql`coalesce(array_agg(value ORDER BY value) FILTER (WHERE dimension = ${dimension}), '{}') AS ${sql.id(column)}`,
  );
  await sql`
    INSERT INTO ${t('cases')} (case_id, basis, link_key, reference, title, actors, targets, friction_types, sectors,
                               products, hs_codes, refs, stage, stage_on, first_on, last_on, item_count)
    SELECT l.case_id, f.basis, f.link_key, f.reference, f.case_title, l.actors, l.targets, l.friction_types,
           l.sectors, l.products, l.hs_codes, l.refs, s.stage, s.on_date,
           (f.published_at AT TIME ZONE 'UTC')::date, (z.published_at AT TIME ZONE 'UTC')::date, l.item_count
    FROM (
      SELECT case_id, ${sql.join(arrays)},
             coalesce(sum(items) FILTER (WHERE dimension = 'item'), 0)::int AS item_count
      FROM ${t('case_labels')}
      WHERE case_id = ANY(${caseIds}::text[]) AND items > 0
      GROUP BY case_id
    ) l
    CROSS JOIN LATERAL (
      SELECT ci.basis, ci.link_key, ci.reference, ci.case_title, ci.published_at FROM ${t('case_items')} ci
      WHERE ci.case_id = l.case_id ORDER BY ci.published_at, ci.item_id LIMIT 1
    ) f
    CROSS JOIN LATERAL (
      SELECT ci.published_at FROM ${t('case_items')} ci
      WHERE ci.case_id = l.case_id ORDER BY ci.published_at DESC, ci.item_id DESC LIMIT 1
    ) z
    LEFT JOIN LATERAL (
      SELECT ct.stage, ct.on_date FROM ${t('case_timeline')} ct
      WHERE ct.case_id = l.case_id ORDER BY ct.on_date DESC, ct.stage_rank DESC, ct.item_id DESC LIMIT 1
    ) s ON true
    WHERE l.item_count > 0`.execute(db);
}
