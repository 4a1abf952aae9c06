import type { Generated, Kysely } from 'kysely';
import type { Projection } from '@frictionwatch/projections';

export interface AppliedEventsTables {
  applied_events: {
    seq: Generated<string>;
    global_position: string;
    transaction_id: string;
    stream_id: string;
    stream_version: string;
  };
}

/**
 * A projection for tests: one row per applied event, in application order (seq). Its primary key on
 * global_position makes a second application of any event fail loudly.
 */
export function appliedEventsProjection(
  options: {
    name?: string;
    beforeInsert?: (positions: string[]) => Promise<void> | void;
    afterInsert?: (positions: string[]) => Promise<void> | void;
  } = {},
): Projection<AppliedEventsTables> {
  return {
    name: options.name ?? 'applied_events',
    canHandle: ['Counted', 'Noted'],
    tables: ['applied_events'],
    async createTables(db: Kysely<AppliedEventsTables>) {
      await db.schema
        .createTable('applied_events')
        .addColumn('seq', 'bigserial', (c) => c.notNull())
        .addColumn('global_position', 'bigint', (c) => c.primaryKey())
        .addColumn('transaction_id', 'text', (c) => c.notNull())
        .addColumn('stream_id', 'text', (c) => c.notNull())
        .addColumn('stream_version', 'bigint', (c) => c.notNull())
        .execute();
    },
    async handle(events, { db }) {
      const positions = events.map((e) => e.globalPosition);
      await options.beforeInsert?.(positions);
      await db
        .insertInto('applied_events')
        .values(
          events.map((e) => ({
            global_position: e.globalPosition,
            transaction_id: e.transactionId,
            stream_id: e.streamId,
            stream_version: e.streamVersion,
          })),
        )
        .execute();
      await options.afterInsert?.(positions);
    },
  };
}
