import { sql, type RawBuilder } from 'kysely';
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

/** `SET col = excluded.col` for every column of an upsert. */
export function excludedSet<C extends string>(columns: readonly C[]): Record<C, RawBuilder<never>> {
  return Object.fromEntries(columns.map((c) => [c, sql`excluded.${sql.ref(c)}`])) as Record<
    C,
    RawBuilder<never>
  >;
}

/** A jsonb parameter: pg would send a JS array as a Postgres array, so JSON goes as text. */
export function jsonb<T>(value: T): T {
  return JSON.stringify(value) as unknown as T;
}

/** A timestamp read back from Postgres (a Date) or as written (an ISO string), as an ISO string. */
export function isoOf(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}
