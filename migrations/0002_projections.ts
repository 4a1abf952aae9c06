import { sql, type Kysely } from 'kysely';

/**
 * Projection bookkeeping. A projection has generations (blue/green): each builds its rows in its own
 * schema beside the live one, with its own checkpoint; `active_generation` says which one reads use.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE projections (
      name text NOT NULL,
      active_generation integer,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT projections_pkey PRIMARY KEY (name)
    )`.execute(db);
  await sql`
    CREATE TABLE projection_checkpoints (
      name text NOT NULL,
      generation integer NOT NULL,
      status text NOT NULL,
      transaction_id xid8 NOT NULL DEFAULT '0',
      global_position bigint NOT NULL DEFAULT 0,
      events_applied bigint NOT NULL DEFAULT 0,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      started_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT projection_checkpoints_pkey PRIMARY KEY (name, generation),
      CONSTRAINT projection_checkpoints_name_fkey FOREIGN KEY (name) REFERENCES projections (name) ON DELETE CASCADE,
      CONSTRAINT projection_checkpoints_status_check CHECK (status IN ('live', 'building', 'failed', 'retired'))
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS projection_checkpoints`.execute(db);
  await sql`DROP TABLE IF EXISTS projections`.execute(db);
}
