import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from '@frictionwatch/database';
import type { Queryable } from '@frictionwatch/event-store';

/** Lets the event store read inside a Kysely transaction (the projection batch's own). */
export function kyselyQueryable(db: Pick<Kysely<Database>, 'executeQuery'>): Queryable {
  return {
    async query<R>(config: { text: string; values?: unknown[] }) {
      const result = await db.executeQuery<R>(CompiledQuery.raw(config.text, config.values ?? []));
      return { rows: [...result.rows] };
    },
  };
}
