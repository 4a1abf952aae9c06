import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '@frictionwatch/database';

/** SQL of the cases, deadlines and activity endpoints (dates come back as YYYY-MM-DD text). */
export class ReadModelsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async cases(
    schema: string,
    filter: { stage?: string; sector?: string; actor?: string; target?: string; limit: number },
  ) {
    const where: RawBuilder<unknown>[] = [sql`true`];
    if (filter.stage) where.push(sql`stage = ${filter.stage}`);
    if (filter.sector) where.push(sql`${filter.sector} = ANY (sectors)`);
    if (filter.actor) where.push(sql`${filter.actor} = ANY (actors)`);
    if (filter.target) where.push(sql`${filter.target} = ANY (targets)`);
    const { rows } = await sql<Record<string, unknown>>`
      SELECT case_id, basis, reference, title, actors, targets, friction_types, sectors, products, hs_codes, refs, stage,
             stage_on::text AS stage_on, first_on::text AS first_on, last_on::text AS last_on, item_count
      FROM ${sql.table(`${schema}.cases`)} WHERE ${sql.join(where, sql` AND `)}
      ORDER BY last_on DESC, case_id DESC LIMIT ${filter.limit}`.execute(this.db);
    return rows;
  }

  async caseWithTimeline(schema: string, caseId: string) {
    const { rows } = await sql<Record<string, unknown>>`
      SELECT case_id, basis, reference, title, actors, targets, friction_types, sectors, products, hs_codes, refs, stage,
             stage_on::text AS stage_on, first_on::text AS first_on, last_on::text AS last_on, item_count
      FROM ${sql.table(`${schema}.cases`)} WHERE case_id = ${caseId}`.execute(this.db);
    if (!rows[0]) return null;
    const { rows: timeline } = await sql<Record<string, unknown>>`
      SELECT stage, on_date::text AS date, item_id, title, url FROM ${sql.table(`${schema}.case_timeline`)}
      WHERE case_id = ${caseId} ORDER BY on_date, stage_rank, item_id`.execute(this.db);
    return { ...rows[0], timeline };
  }

  async deadlines(schema: string, range: { from: string; to: string; kind?: string }) {
    const { rows } = await sql<Record<string, unknown>>`
      SELECT item_id, kind, due_on::text AS due_on, source, evidence, feed_id, title, url, published_at, friction, case_id
      FROM ${sql.table(`${schema}.deadlines`)}
      WHERE due_on BETWEEN ${range.from}::date AND ${range.to}::date AND (${range.kind ?? null}::text IS NULL OR kind = ${range.kind ?? null})
      ORDER BY due_on, kind, item_id LIMIT 1000`.execute(this.db);
    return rows;
  }

  /** Counts per period and the asked dimensions; `month` folds the weeks by the month of their Monday. */
  async activity(
    schema: string,
    query: { from: string; to: string; interval: 'week' | 'month'; groupBy: string[] },
  ) {
    const columns = query.groupBy.map((dimension) => sql.ref(dimension));
    const period = query.interval === 'month' ? sql`date_trunc('month', week)::date::text` : sql`week::text`;
    const { rows } = await sql<Record<string, unknown>>`
      SELECT ${period} AS period${columns.length ? sql`, ${sql.join(columns)}` : sql``}, sum(items)::int AS items
      FROM ${sql.table(`${schema}.activity`)}
      WHERE week BETWEEN ${query.from}::date AND ${query.to}::date
      GROUP BY 1${columns.length ? sql`, ${sql.join(columns)}` : sql``}
      ORDER BY 1${columns.length ? sql`, ${sql.join(columns)}` : sql``}`.execute(this.db);
    return rows;
  }
}
