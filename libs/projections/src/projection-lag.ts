import { sql, type Kysely } from 'kysely';
import type { Database } from '@frictionwatch/database';

export interface ProjectionLag {
  name: string;
  /** Global positions between the head of the log and the live checkpoint. */
  lagPositions: number;
  /** Age of the oldest event after the live checkpoint; 0 when caught up. */
  lagSeconds: number;
}

/**
 * The lag of every live projection generation, for metrics scraped every few seconds: unlike
 * `projectionStatus` (which counts the events of each projection's types after its checkpoint), it
 * costs two index lookups per projection however far behind it is.
 */
export async function projectionLag(db: Kysely<Database>): Promise<ProjectionLag[]> {
  const { rows } = await sql<{ name: string; lag_positions: string; lag_seconds: number | null }>`
    SELECT p.name,
           greatest(coalesce((SELECT max(global_position) FROM events), 0) - c.global_position, 0)::text
             AS lag_positions,
           (SELECT extract(epoch FROM now() - e.recorded_at)::float8 FROM events e
             WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position)
             ORDER BY e.transaction_id, e.global_position LIMIT 1) AS lag_seconds
    FROM projections p
    JOIN projection_checkpoints c ON c.name = p.name AND c.generation = p.active_generation
    ORDER BY p.name`.execute(db);
  return rows.map((row) => ({
    name: row.name,
    lagPositions: Number(row.lag_positions),
    lagSeconds: Math.max(0, row.lag_seconds ?? 0),
  }));
}
