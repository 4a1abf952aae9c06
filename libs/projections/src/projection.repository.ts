import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '@frictionwatch/database';
import { generationSchema, type AnyProjection } from './projection';

export interface CheckpointRow {
  name: string;
  generation: number;
  status: 'live' | 'building' | 'failed' | 'retired';
  transaction_id: string;
  global_position: string;
  events_applied: string;
  attempts: number;
  last_error: string | null;
}

// bigint and xid8 columns read as decimal strings: positions are never JavaScript numbers.
const CHECKPOINT_COLUMNS = [
  'name',
  'generation',
  'status',
  sql<string>`transaction_id::text`.as('transaction_id'),
  sql<string>`global_position::text`.as('global_position'),
  sql<string>`events_applied::text`.as('events_applied'),
  'attempts',
  'last_error',
] as const;

/** All SQL on the projection bookkeeping tables and generation schemas. */
export class ProjectionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates generation 1 for a projection seen for the first time; safe under concurrent starters. */
  async initialise(projection: AnyProjection): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('projections')
        .values({ name: projection.name, active_generation: 1 })
        .onConflict((oc) => oc.column('name').doNothing())
        .returning('name')
        .executeTakeFirst();
      if (!inserted) return false;
      await this.createGeneration(trx, projection, 1, 'live');
      return true;
    });
  }

  async createGeneration(
    trx: Transaction<Database>,
    projection: AnyProjection,
    generation: number,
    status: 'live' | 'building',
  ): Promise<string> {
    const schema = generationSchema(projection.name, generation);
    await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(trx);
    await projection.createTables(trx.withSchema(schema) as unknown as Kysely<unknown>, schema);
    await trx
      .insertInto('projection_checkpoints')
      .values({
        name: projection.name,
        generation,
        status,
        transaction_id: '0',
        global_position: '0',
        events_applied: '0',
        attempts: 0,
      })
      .execute();
    return schema;
  }

  /** Locks a runnable checkpoint row for one batch; null when another runner holds it or it is not runnable. */
  async lockForBatch(
    trx: Transaction<Database>,
    name: string,
    generation: number,
  ): Promise<CheckpointRow | null> {
    const row = await trx
      .selectFrom('projection_checkpoints')
      .select(CHECKPOINT_COLUMNS)
      .where('name', '=', name)
      .where('generation', '=', generation)
      .where('status', 'in', ['live', 'building'])
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    return (row as CheckpointRow | undefined) ?? null;
  }

  async advance(
    trx: Transaction<Database>,
    name: string,
    generation: number,
    checkpoint: string,
    applied: number,
  ): Promise<void> {
    const [transactionId, position] = checkpoint.split(':');
    await trx
      .updateTable('projection_checkpoints')
      .set({
        transaction_id: sql<string>`${transactionId}::xid8`,
        global_position: position,
        events_applied: sql<string>`events_applied + ${applied}`,
        attempts: 0,
        last_error: null,
        updated_at: sql<Date>`now()`,
      })
      .where('name', '=', name)
      .where('generation', '=', generation)
      .execute();
  }

  /** Records a failed batch; after `maxAttempts` the generation is marked failed and stops. */
  async recordFailure(
    name: string,
    generation: number,
    error: string,
    maxAttempts: number,
  ): Promise<'retry' | 'failed'> {
    const row = await this.db
      .updateTable('projection_checkpoints')
      .set({
        attempts: sql<number>`attempts + 1`,
        last_error: error.slice(0, 4000),
        status: sql<
          CheckpointRow['status']
        >`CASE WHEN attempts + 1 >= ${maxAttempts} THEN 'failed' ELSE status END`,
        updated_at: sql<Date>`now()`,
      })
      .where('name', '=', name)
      .where('generation', '=', generation)
      .where('status', 'in', ['live', 'building'])
      .returning('status')
      .executeTakeFirst();
    return row?.status === 'failed' ? 'failed' : 'retry';
  }

  /** Puts a failed generation back to work (after the handler was fixed). */
  async retry(name: string): Promise<number> {
    const result = await this.db
      .updateTable('projection_checkpoints')
      .set({
        status: sql<
          CheckpointRow['status']
        >`CASE WHEN generation = (SELECT active_generation FROM projections p WHERE p.name = projection_checkpoints.name) THEN 'live' ELSE 'building' END`,
        attempts: 0,
        updated_at: sql<Date>`now()`,
      })
      .where('name', '=', name)
      .where('status', '=', 'failed')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async checkpoints(name?: string): Promise<CheckpointRow[]> {
    let query = this.db
      .selectFrom('projection_checkpoints')
      .select(CHECKPOINT_COLUMNS)
      .where('status', '!=', 'retired')
      .orderBy('name')
      .orderBy('generation');
    if (name) query = query.where('name', '=', name);
    return (await query.execute()) as CheckpointRow[];
  }

  /** Where the active generation of a read model stands, without touching its tables (ETags, freshness). */
  async activeCheckpoint(
    name: string,
  ): Promise<{ generation: number; position: string; updatedAt: Date } | null> {
    const { rows } = await sql<{ generation: number; position: string; updated_at: Date }>`
      SELECT c.generation, c.transaction_id::text || ':' || c.global_position AS position, c.updated_at
      FROM projections p JOIN projection_checkpoints c ON c.name = p.name AND c.generation = p.active_generation
      WHERE p.name = ${name}`.execute(this.db);
    return rows[0]
      ? { generation: rows[0].generation, position: rows[0].position, updatedAt: rows[0].updated_at }
      : null;
  }

  async activeGeneration(name: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('projections')
      .select('active_generation')
      .where('name', '=', name)
      .executeTakeFirst();
    return row?.active_generation ?? null;
  }

  async nextGeneration(trx: Transaction<Database>, name: string): Promise<number> {
    // Locks the projection row: two rebuilds of one projection take turns.
    await trx.selectFrom('projections').select('name').where('name', '=', name).forUpdate().execute();
    const row = await trx
      .selectFrom('projection_checkpoints')
      .select((eb) => eb.fn.max('generation').as('max'))
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(row?.max ?? 0) + 1;
  }

  /** Reads switch to the new generation; the old one is retired (its runner stops). */
  async switchTo(
    name: string,
    generation: number,
    options: { onlyIfCaughtUp?: boolean } = {},
  ): Promise<number | null | 'behind'> {
    return this.db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('projections')
        .select('active_generation')
        .where('name', '=', name)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (
        options.onlyIfCaughtUp &&
        current.active_generation !== null &&
        current.active_generation !== generation
      ) {
        // The live generation's checkpoint row stays locked to the end of this transaction: no batch
        // moves it past the new one between this comparison and the switch.
        const rows = await trx
          .selectFrom('projection_checkpoints')
          .select([
            'generation',
            sql<string>`transaction_id::text`.as('xid'),
            sql<string>`global_position::text`.as('pos'),
          ])
          .where('name', '=', name)
          .where('generation', 'in', [current.active_generation, generation])
          .forUpdate()
          .execute();
        const at = (g: number) => rows.find((r) => r.generation === g);
        const live = at(current.active_generation);
        const next = at(generation);
        if (live && next) {
          const cmp = (a: typeof live, b: typeof live) =>
            BigInt(a.xid) !== BigInt(b.xid)
              ? BigInt(a.xid) < BigInt(b.xid)
                ? -1
                : 1
              : BigInt(a.pos) < BigInt(b.pos)
                ? -1
                : BigInt(a.pos) > BigInt(b.pos)
                  ? 1
                  : 0;
          // Readers must never see a read model go back in time.
          if (cmp(next, live) < 0) return 'behind';
        }
      }
      await trx
        .updateTable('projections')
        .set({ active_generation: generation, updated_at: sql<Date>`now()` })
        .where('name', '=', name)
        .execute();
      await trx
        .updateTable('projection_checkpoints')
        .set({ status: 'live', updated_at: sql<Date>`now()` })
        .where('name', '=', name)
        .where('generation', '=', generation)
        .execute();
      if (current.active_generation !== null && current.active_generation !== generation) {
        await trx
          .updateTable('projection_checkpoints')
          .set({ status: 'retired', updated_at: sql<Date>`now()` })
          .where('name', '=', name)
          .where('generation', '=', current.active_generation)
          .execute();
      }
      return current.active_generation;
    });
  }

  async dropGeneration(name: string, generation: number): Promise<void> {
    await sql`DROP SCHEMA IF EXISTS ${sql.id(generationSchema(name, generation))} CASCADE`.execute(this.db);
    await this.db
      .deleteFrom('projection_checkpoints')
      .where('name', '=', name)
      .where('generation', '=', generation)
      .execute();
  }

  /** An order-independent digest of a table's rows, to compare two generations. */
  async digest(
    schema: string,
    table: string,
    executor: Kysely<Database> = this.db,
  ): Promise<{ rows: number; md5: string }> {
    const { rows } = await sql<{ rows: string; md5: string | null }>`
      SELECT count(*)::text AS rows, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5
      FROM ${sql.table(`${schema}.${table}`)} AS t`.execute(executor);
    return { rows: Number(rows[0].rows), md5: rows[0].md5 ?? '' };
  }

  /**
   * The active generation's checkpoint and the digests of its tables, read in one REPEATABLE READ
   * snapshot: a batch writes rows and checkpoint in one transaction, so the digests are exactly the
   * rows at that checkpoint however far the live generation moves meanwhile. Null without one.
   */
  async activeDigests(
    name: string,
    tables: readonly string[],
  ): Promise<{
    generation: number;
    status: CheckpointRow['status'];
    checkpoint: string;
    tables: Record<string, { rows: number; md5: string }>;
  } | null> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        const { rows } = await sql<{
          generation: number;
          status: CheckpointRow['status'];
          checkpoint: string;
        }>`
          SELECT c.generation, c.status, c.transaction_id::text || ':' || c.global_position AS checkpoint
          FROM projections p JOIN projection_checkpoints c ON c.name = p.name AND c.generation = p.active_generation
          WHERE p.name = ${name}`.execute(trx);
        if (!rows[0]) return null;
        const digests: Record<string, { rows: number; md5: string }> = {};
        const schema = generationSchema(name, rows[0].generation);
        for (const table of tables) digests[table] = await this.digest(schema, table, trx);
        return { ...rows[0], tables: digests };
      });
  }
}
