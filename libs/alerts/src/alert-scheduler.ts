import type { Pool, PoolClient } from 'pg';
import type { PostgresEventStore } from '@frictionwatch/event-store';
import { jobId, type JobQueue } from '@frictionwatch/queues';
import { alertStreamId, type AlertRaised } from './alert.events';
import { nextDigestDue, type DigestTiming } from './digest-schedule';
import type { SubscriptionState } from './subscription-state';
import type { ActiveSchemaOf } from './alert-mail.service';

/** Due digests or reminders claimed per tick (the rest wait for the next tick). */
const CLAIM_LIMIT = 500;

function timingOf(s: SubscriptionState): DigestTiming {
  return { delivery: s.delivery, timeZone: s.timeZone, sendHour: s.sendHour, sendWeekday: s.sendWeekday };
}

/** Compares timings field by field (jsonb does not keep key order). */
function timingKey(t: DigestTiming): string {
  return `${t.delivery}|${t.timeZone}|${t.sendHour}|${t.sendWeekday}`;
}

async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The alert side of the scheduler tick. Digests: every active subscription has a row in
 * `alert_digest_schedule` with its next local send time; a tick claims the due rows
 * (FOR UPDATE SKIP LOCKED: replicas never claim one twice), enqueues one `send-digest` job per
 * subscription and period with a deterministic id, and moves the row to the next send time. Reminders:
 * the due rows of `alert_reminders` become `AlertRaised` events (their own streams, `no_stream`) in
 * the same transaction that marks them raised.
 */
export class AlertScheduler {
  constructor(
    private readonly pool: Pool,
    private readonly store: PostgresEventStore,
    private readonly jobs: JobQueue,
    private readonly activeSchema: ActiveSchemaOf,
  ) {}

  async tick(now = new Date()): Promise<{ digests: number; reminders: number }> {
    await this.syncDigestSchedule(now);
    const digests = await this.claimDigests(now);
    const reminders = await this.raiseReminders(now);
    return { digests, reminders };
  }

  /** Adds rows for new subscriptions, re-times changed ones, drops cancelled ones. */
  private async syncDigestSchedule(now: Date): Promise<void> {
    const schema = await this.activeSchema('subscriptions');
    const { rows: subs } = await this.pool.query<{ subscription_id: string; state: SubscriptionState }>(
      `SELECT subscription_id, state FROM "${schema}".subscriptions WHERE status = 'active' AND kind = 'items'`,
    );
    const { rows: scheduled } = await this.pool.query<{ subscription_id: string; timing: DigestTiming }>(
      'SELECT subscription_id, timing FROM alert_digest_schedule',
    );
    const current = new Map(scheduled.map((r) => [r.subscription_id, timingKey(r.timing)]));
    const upserts = subs.filter((s) => current.get(s.subscription_id) !== timingKey(timingOf(s.state)));
    if (upserts.length)
      await this.pool.query(
        `INSERT INTO alert_digest_schedule (subscription_id, next_due_at, timing)
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::jsonb[])
         ON CONFLICT (subscription_id) DO UPDATE SET next_due_at = excluded.next_due_at, timing = excluded.timing`,
        [
          upserts.map((s) => s.subscription_id),
          upserts.map((s) => nextDigestDue(now, timingOf(s.state)).toISOString()),
          upserts.map((s) => JSON.stringify(timingOf(s.state))),
        ],
      );
    const active = new Set(subs.map((s) => s.subscription_id));
    const gone = scheduled.map((r) => r.subscription_id).filter((id) => !active.has(id));
    if (gone.length)
      await this.pool.query('DELETE FROM alert_digest_schedule WHERE subscription_id = ANY ($1::text[])', [
        gone,
      ]);
  }

  private async claimDigests(now: Date): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{
        subscription_id: string;
        next_due_at: Date;
        timing: DigestTiming;
      }>(
        `SELECT subscription_id, next_due_at, timing FROM alert_digest_schedule
         WHERE next_due_at <= $1 ORDER BY next_due_at LIMIT ${CLAIM_LIMIT} FOR UPDATE SKIP LOCKED`,
        [now.toISOString()],
      );
      if (rows.length === 0) return 0;
      await this.jobs.enqueue(
        rows.map((row) => {
          const periodEnd = row.next_due_at.toISOString();
          return {
            name: 'send-digest' as const,
            jobId: jobId('digest', row.subscription_id, periodEnd),
            data: {
              subscriptionId: row.subscription_id,
              periodEnd,
              correlationId: `digest:${row.subscription_id}`,
            },
          };
        }),
      );
      // After an outage, skip the missed periods: one digest catches up, not one per missed day.
      await client.query(
        `UPDATE alert_digest_schedule s SET last_period_end = s.next_due_at, next_due_at = v.next
         FROM unnest($1::text[], $2::timestamptz[]) AS v(id, next) WHERE s.subscription_id = v.id`,
        [
          rows.map((r) => r.subscription_id),
          rows.map((r) => nextDigestDue(now > r.next_due_at ? now : r.next_due_at, r.timing).toISOString()),
        ],
      );
      return rows.length;
    });
  }

  private async raiseReminders(now: Date): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ alert_id: string; alert: AlertRaised }>(
        `SELECT alert_id, alert FROM alert_reminders
         WHERE raised_at IS NULL AND remind_at <= $1 AND due_on >= ($1::timestamptz - interval '1 day')::date
         ORDER BY remind_at LIMIT ${CLAIM_LIMIT} FOR UPDATE SKIP LOCKED`,
        [now.toISOString()],
      );
      if (rows.length === 0) return 0;
      const streams = rows.map((r) => alertStreamId(r.alert_id));
      const { rows: existing } = await client.query<{ stream_id: string }>(
        'SELECT stream_id FROM event_streams WHERE stream_id = ANY ($1::text[])',
        [streams],
      );
      const raised = new Set(existing.map((r) => r.stream_id));
      const appends = rows
        .filter((r) => !raised.has(alertStreamId(r.alert_id)))
        .map((r) => ({
          streamId: alertStreamId(r.alert_id),
          expectedVersion: 'no_stream' as const,
          events: [
            { type: 'AlertRaised', data: r.alert, metadata: { correlationId: `reminder:${r.alert_id}` } },
          ],
        }));
      if (appends.length) await this.store.appendMany(appends, client);
      await client.query('UPDATE alert_reminders SET raised_at = $2 WHERE alert_id = ANY ($1::text[])', [
        rows.map((r) => r.alert_id),
        now.toISOString(),
      ]);
      return rows.length;
    });
  }
}
