import { sql, type Kysely } from 'kysely';
import type { Database } from '@frictionwatch/database';
import type { ProjectionEngine } from './projection-engine';

export interface ProjectionStatus {
  name: string;
  generation: number;
  active: boolean;
  status: string;
  checkpoint: string;
  eventsApplied: string;
  /** Events of the types it handles, after its checkpoint (readable or still hidden). */
  lagEvents: string;
  /** Age of the oldest event it has not applied yet; 0 when caught up. */
  lagSeconds: number;
  attempts: number;
  lastError: string | null;
}

export interface LogStatus {
  /** Committed events still hidden behind the watermark (an older transaction is still open). */
  hiddenEvents: string;
  /** Age of the oldest open transaction that has written (it holds the watermark back). */
  oldestWritingTransactionSeconds: number;
  headPosition: string;
}

/** What `projections status` prints: per projection generation, and for the log as a whole. */
export async function projectionStatus(
  db: Kysely<Database>,
  engine: ProjectionEngine,
): Promise<{ projections: ProjectionStatus[]; log: LogStatus }> {
  const rows = await engine.repository.checkpoints();
  const projections: ProjectionStatus[] = [];
  for (const row of rows) {
    const projection = engine.names().includes(row.name) ? engine.projection(row.name) : null;
    const types = projection && projection.canHandle !== 'all' ? [...projection.canHandle] : null;
    const { rows: lag } = await sql<{ lag_events: string; lag_seconds: number | null }>`
      SELECT count(*)::text AS lag_events,
             extract(epoch FROM now() - min(recorded_at))::float8 AS lag_seconds
      FROM events
      WHERE (transaction_id, global_position) > (${row.transaction_id}::xid8, ${row.global_position}::bigint)
        AND (${types}::text[] IS NULL OR event_type = ANY (${types}::text[]))`.execute(db);
    const active = (await engine.repository.activeGeneration(row.name)) === row.generation;
    projections.push({
      name: row.name,
      generation: row.generation,
      active,
      status: row.status,
      checkpoint: `${row.transaction_id}:${row.global_position}`,
      eventsApplied: row.events_applied,
      lagEvents: lag[0].lag_events,
      lagSeconds: Math.max(0, Math.round((lag[0].lag_seconds ?? 0) * 10) / 10),
      attempts: row.attempts,
      lastError: row.last_error,
    });
  }
  const { rows: log } = await sql<{ hidden: string; oldest: number | null; head: string | null }>`
    SELECT
      (SELECT count(*)::text FROM events WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())) AS hidden,
      (SELECT extract(epoch FROM max(now() - xact_start))::float8 FROM pg_stat_activity
        WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()) AS oldest,
      (SELECT max(global_position)::text FROM events) AS head`.execute(db);
  return {
    projections,
    log: {
      hiddenEvents: log[0].hidden,
      oldestWritingTransactionSeconds: Math.round((log[0].oldest ?? 0) * 10) / 10,
      headPosition: log[0].head ?? '0',
    },
  };
}
