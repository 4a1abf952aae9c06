import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { StoredEvent } from '@frictionwatch/event-store';
import type { ItemClassified, ItemIngested, ItemRevised } from '@frictionwatch/items';

/** The item events the read models follow. */
export const ITEM_EVENT_TYPES = ['ItemIngested', 'ItemRevised', 'ItemClassified'] as const;

export type ItemEvent =
  | (StoredEvent<'ItemIngested', ItemIngested> & { type: 'ItemIngested' })
  | (StoredEvent<'ItemRevised', ItemRevised> & { type: 'ItemRevised' })
  | (StoredEvent<'ItemClassified', ItemClassified> & { type: 'ItemClassified' });

/** The item events of a batch, in log order (other types are skipped). */
export function itemEvents(events: readonly StoredEvent[]): ItemEvent[] {
  return events.filter((e) => (ITEM_EVENT_TYPES as readonly string[]).includes(e.type)) as ItemEvent[];
}

/** The distinct item ids of a batch, in first-seen order. */
export function itemIdsOf(events: readonly ItemEvent[]): string[] {
  return [...new Set(events.map((e) => e.data.itemId))];
}

/** Splits rows so one multi-row statement stays well under Postgres's 65,535 bind parameters. */
export function chunks<T>(rows: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(30000 / Math.max(1, columns)));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Rows per statement of the writes that send their rows as one jsonb parameter: 5,000. */
function jsonParts<T>(rows: readonly T[]): T[][] {
  return chunks(rows, 6);
}

/** A timestamp read back from Postgres (a Date) or as written (an ISO string), as an ISO string. */
export function isoOf(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

/**
 * A multi-row upsert sent as one jsonb parameter (`jsonb_populate_recordset`): much cheaper than
 * thousands of bind parameters for wide rows. Rows hold JSON values as the columns want them (ISO
 * timestamps, arrays for text[], objects for jsonb). `update` lists the columns an existing row takes
 * from the new one (an empty list does nothing on conflict), or is the whole `SET` clause.
 */
export async function upsertRows(
  db: Kysely<unknown>,
  schema: string,
  table: string,
  columns: readonly string[],
  conflict: readonly string[],
  update: readonly string[] | RawBuilder<unknown>,
  rows: readonly object[],
): Promise<void> {
  if (rows.length === 0) return;
  const target = sql.id(schema, table);
  const list = sql.join(columns.map((c) => sql.id(c)));
  const onConflict = !Array.isArray(update)
    ? sql`DO UPDATE SET ${update as RawBuilder<unknown>}`
    : update.length === 0
      ? sql`DO NOTHING`
      : sql`DO UPDATE SET ${sql.join(update.map((c: string) => sql`${sql.id(c)} = excluded.${sql.id(c)}`))}`;
  for (const part of jsonParts(rows)) {
    await sql`INSERT INTO ${target} (${list})
      SELECT ${list} FROM jsonb_populate_recordset(NULL::${target}, ${JSON.stringify(part)}::jsonb)
      ON CONFLICT (${sql.join(conflict.map((c) => sql.id(c)))}) ${onConflict}`.execute(db);
  }
}

/**
 * A multi-row UPDATE of existing rows from one jsonb parameter, setting only `columns` (rows missing
 * from the table are left alone). Cheaper than `upsertRows` when few columns change: the parameter
 * carries only the key and those columns, and a stored generated column that depends on none of them
 * is not computed again.
 */
export async function updateRows(
  db: Kysely<unknown>,
  schema: string,
  table: string,
  key: string,
  columns: readonly string[],
  rows: readonly object[],
): Promise<void> {
  if (rows.length === 0) return;
  const target = sql.id(schema, table);
  const set = sql.join(columns.map((c) => sql`${sql.id(c)} = r.${sql.id(c)}`));
  const sent = [key, ...columns];
  const narrowed = rows.map((row) =>
    Object.fromEntries(sent.map((column) => [column, (row as Record<string, unknown>)[column]])),
  );
  for (const part of jsonParts(narrowed)) {
    await sql`UPDATE ${target} AS t SET ${set}
      FROM jsonb_populate_recordset(NULL::${target}, ${JSON.stringify(part)}::jsonb) AS r
      WHERE t.${sql.id(key)} = r.${sql.id(key)}`.execute(db);
  }
}
