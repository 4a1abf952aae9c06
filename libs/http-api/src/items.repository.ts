import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '@frictionwatch/database';
import { decodeCursor, encodeCursor, type ItemsQuery } from './items.query';

export interface ItemRow {
  item_id: string;
  published_at: Date;
  severity: number;
  [column: string]: unknown;
}

const LIST_COLUMNS =
  sql.raw(`item_id, feed_id, url, title, summary, published_at, first_seen, date_source, source_name,
  friction, friction_types, sectors, subsectors, actors, targets, stage, severity, case_refs, hs_codes, duty_rates,
  case_id, classifier_version, taxonomy_version, extra`);

/** Reads of the `items` read model's active generation. All SQL of the items endpoints is here. */
export class ItemsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(schema: string, query: ItemsQuery): Promise<{ rows: ItemRow[]; nextCursor: string | null }> {
    const table = sql.table(`${schema}.items`);
    const where: RawBuilder<unknown>[] = [sql`true`];
    if (query.friction !== undefined) where.push(sql`friction = ${query.friction}`);
    if (query.frictionType) where.push(sql`friction_types && ${query.frictionType}::text[]`);
    if (query.sectors) {
      const top = query.sectors.filter((s) => !s.includes('/'));
      const sub = query.sectors.filter((s) => s.includes('/'));
      // Only the arms that can match: `subsectors && '{}'` is never true and only adds to the filter.
      const arms = [
        ...(top.length ? [sql`sectors && ${top}::text[]`] : []),
        ...(sub.length ? [sql`subsectors && ${sub}::text[]`] : []),
      ];
      where.push(arms.length ? sql`(${sql.join(arms, sql` OR `)})` : sql`false`);
    }
    if (query.actor) where.push(sql`actors && ${query.actor}::text[]`);
    if (query.target) where.push(sql`targets && ${query.target}::text[]`);
    if (query.stage) where.push(sql`stage = ANY (${query.stage}::text[])`);
    if (query.minSeverity !== undefined) where.push(sql`severity >= ${query.minSeverity}`);
    if (query.feed) where.push(sql`feed_id = ${query.feed}`);
    if (query.q) where.push(sql`search @@ websearch_to_tsquery('simple', ${query.q})`);
    if (query.publishedFrom) where.push(sql`published_at >= ${query.publishedFrom}::timestamptz`);
    if (query.publishedTo) where.push(sql`published_at <= ${query.publishedTo}::timestamptz`);
    const bySeverity = query.sort === 'severity';
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      where.push(
        bySeverity
          ? sql`(severity, published_at, item_id) < (${Number(cursor.sortValue)}, ${cursor.publishedAt}::timestamptz, ${cursor.itemId})`
          : sql`(published_at, item_id) < (${cursor.publishedAt}::timestamptz, ${cursor.itemId})`,
      );
    }
    const order = bySeverity
      ? sql`severity DESC, published_at DESC, item_id DESC`
      : sql`published_at DESC, item_id DESC`;
    const { rows } = await sql<ItemRow>`
      SELECT ${LIST_COLUMNS} FROM ${table}
      WHERE ${sql.join(where, sql` AND `)}
      ORDER BY ${order}
      LIMIT ${query.limit + 1}`.execute(this.db);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > query.limit && last
        ? encodeCursor({
            sortValue: bySeverity ? last.severity : last.published_at.toISOString(),
            publishedAt: last.published_at.toISOString(),
            itemId: last.item_id,
          })
        : null;
    return { rows: page, nextCursor };
  }

  async get(
    schema: string,
    itemId: string,
  ): Promise<{ item: Record<string, unknown>; classifications: Record<string, unknown>[] } | null> {
    const { rows } = await sql<
      Record<string, unknown>
    >`SELECT * FROM ${sql.table(`${schema}.items`)} WHERE item_id = ${itemId}`.execute(this.db);
    if (!rows[0]) return null;
    const { rows: classifications } = await sql<Record<string, unknown>>`
      SELECT global_position::text AS position, event_id, classified_at, content_hash, classifier_version, taxonomy_version, classification
      FROM ${sql.table(`${schema}.item_classifications`)} WHERE item_id = ${itemId} ORDER BY global_position DESC`.execute(
      this.db,
    );
    const { search: _search, ...item } = rows[0];
    void _search;
    return { item, classifications };
  }
}
