import { sql, type Kysely } from 'kysely';
import type { Database } from '@frictionwatch/database';
import type { ProjectionEngine } from '@frictionwatch/projections';
import type { FeedState } from './feed-state';

/** Reads of the `feeds` read model (its active generation). */
export class FeedRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: ProjectionEngine,
  ) {}

  private async table() {
    return sql.table(`${await this.engine.activeSchema('feeds')}.feeds`);
  }

  async get(feedId: string): Promise<FeedState | null> {
    const { rows } = await sql<{
      state: FeedState;
    }>`SELECT state FROM ${await this.table()} WHERE feed_id = ${feedId}`.execute(this.db);
    return rows[0]?.state ?? null;
  }

  async list(): Promise<FeedState[]> {
    const { rows } = await sql<{
      state: FeedState;
    }>`SELECT state FROM ${await this.table()} WHERE status <> 'removed' ORDER BY feed_id`.execute(this.db);
    return rows.map((r) => r.state);
  }

  /**
   * Active feeds whose next slot has come, in (next due time, feed id) order, at most `limit`, after
   * `after` (the last feed of the previous page) when given.
   */
  async due(now: Date, limit = 1000, after?: FeedState): Promise<FeedState[]> {
    const page = after
      ? sql`AND (next_due_at, feed_id) > (${after.nextDueAt}::timestamptz, ${after.feedId})`
      : sql``;
    const { rows } = await sql<{ state: FeedState }>`
      SELECT state FROM ${await this.table()}
      WHERE status = 'active' AND next_due_at <= ${now.toISOString()}::timestamptz ${page}
      ORDER BY next_due_at, feed_id LIMIT ${limit}`.execute(this.db);
    return rows.map((r) => r.state);
  }
}
