import { sql, type Kysely } from 'kysely';

/**
 * Alert scheduling state that is about time, not about the log: when each digest is next due, and the
 * deadline reminders waiting for their day. Both are claimed by scheduler ticks with
 * FOR UPDATE SKIP LOCKED, so several scheduler replicas never send one twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE alert_digest_schedule (
      subscription_id text NOT NULL,
      next_due_at timestamptz NOT NULL,
      timing jsonb NOT NULL,
      last_period_end timestamptz,
      CONSTRAINT alert_digest_schedule_pkey PRIMARY KEY (subscription_id)
    )`.execute(db);
  await sql`CREATE INDEX alert_digest_schedule_due_idx ON alert_digest_schedule (next_due_at)`.execute(db);
  await sql`
    CREATE TABLE alert_reminders (
      alert_id text NOT NULL,
      subscription_id text NOT NULL,
      remind_at timestamptz NOT NULL,
      due_on date NOT NULL,
      alert jsonb NOT NULL,
      raised_at timestamptz,
      CONSTRAINT alert_reminders_pkey PRIMARY KEY (alert_id)
    )`.execute(db);
  await sql`CREATE INDEX alert_reminders_due_idx ON alert_reminders (remind_at) WHERE raised_at IS NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS alert_reminders`.execute(db);
  await sql`DROP TABLE IF EXISTS alert_digest_schedule`.execute(db);
}
