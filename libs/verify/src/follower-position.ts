import { sql, type Kysely } from 'kysely';
import type { Database } from '@frictionwatch/database';
import { compareCheckpoints, parseCheckpoint } from '@frictionwatch/event-store';

/** Where a reactor's (or projection's) active generation stands, and whether it still runs. */
export interface FollowerPosition {
  name: string;
  checkpoint: string;
  status: 'live' | 'building' | 'failed' | 'retired' | 'not started';
}

export async function followerPosition(db: Kysely<Database>, name: string): Promise<FollowerPosition> {
  const { rows } = await sql<{ checkpoint: string; status: FollowerPosition['status'] }>`
    SELECT c.transaction_id::text || ':' || c.global_position AS checkpoint, c.status
    FROM projections p JOIN projection_checkpoints c ON c.name = p.name AND c.generation = p.active_generation
    WHERE p.name = ${name}`.execute(db);
  return rows[0] ? { name, ...rows[0] } : { name, checkpoint: '0:0', status: 'not started' };
}

/**
 * An event the follower has not reached yet is its to handle later: pending, as long as the follower
 * runs. A failed follower reaches nothing more, so what it has not reached is not pending.
 */
export function notYetReached(
  position: FollowerPosition,
  transactionId: string,
  globalPosition: string,
): boolean {
  if (position.status === 'failed') return false;
  return (
    compareCheckpoints(
      parseCheckpoint(`${transactionId}:${globalPosition}`),
      parseCheckpoint(position.checkpoint),
    ) > 0
  );
}
