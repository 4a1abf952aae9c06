import type { Kysely } from 'kysely';
import type { StoredEvent } from '@frictionwatch/event-store';

/** What a projection's handler receives: its generation's schema and the batch's transaction. */
export interface ProjectionContext<DB> {
  /** Kysely bound to the batch transaction, with this generation's schema as default. */
  db: Kysely<DB>;
  /** The generation's Postgres schema, e.g. `proj_event_type_counts_g2`. */
  schema: string;
}

/**
 * A read model built from the log. It declares the event types it handles; its handler writes its
 * tables in the same transaction that advances its checkpoint, so each event is applied exactly once.
 */
export interface Projection<DB = unknown> {
  /** Lower-case identifier: letters, digits and underscores. */
  name: string;
  /** The event types it applies; `'all'` for every type. */
  canHandle: readonly string[] | 'all';
  /**
   * A reactor causes side effects (enqueues jobs, sends mail): it follows the log like a projection
   * but is never rebuilt or replayed.
   */
  reactor?: boolean;
  /**
   * `false`: the handler only looks at envelopes (type, stream, ids, metadata, time), so batches are
   * read without payloads (`data` is null). Default true.
   */
  readsData?: boolean;
  /** Failed batches in a row before it is marked failed; reactors that only meet outages set it high. */
  maxAttempts?: number;
  /** Its tables, for digests and rebuild comparisons. */
  tables: readonly string[];
  /** Creates its tables inside a fresh generation's schema. */
  createTables(db: Kysely<DB>, schema: string): Promise<void>;
  handle(events: readonly StoredEvent[], context: ProjectionContext<DB>): Promise<void>;
}

export function generationSchema(name: string, generation: number): string {
  return `proj_${name}_g${generation}`;
}

export function assertProjectionName(name: string): void {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(name)) {
    throw new Error(`Projection name "${name}" must be lower-case letters, digits and underscores`);
  }
}

/** Any projection, whatever its tables: the engine only hands each one its own Kysely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- table types are each projection's own
export type AnyProjection = Projection<any>;
