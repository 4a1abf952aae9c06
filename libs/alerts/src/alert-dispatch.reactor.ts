import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { deterministicEventId, type PostgresEventStore, type StoredEvent } from '@frictionwatch/event-store';
import { kyselyQueryable, type Projection, type ProjectionContext } from '@frictionwatch/projections';
import { jobId, type EnqueueRequest, type JobQueue } from '@frictionwatch/queues';
import { alertStreamId, type AlertRaised } from './alert.events';

export interface AlertDispatchTables {
  /** Immediate mails per recipient per hour: the cap that rolls the surplus into the next digest. */
  immediate_counts: { recipient: string; hour: string; mails: number };
}

/**
 * Follows `AlertRaised` and enqueues one `send-alert` mail job per immediate alert, with the alert id
 * as job id (a crash before the checkpoint moves re-enqueues the same ids: a no-op). Past
 * `capPerHour` immediate mails to one recipient in an hour, an item alert is deferred instead
 * (`AlertDeferred`, appended in the batch's transaction) and goes out in the recipient's next digest.
 * Digest-mode alerts wait for the digest tick. A reactor: never rebuilt.
 */
export function alertDispatch(
  store: PostgresEventStore,
  jobs: JobQueue,
  options: { capPerHour: number },
): Projection<AlertDispatchTables> & { reactor: true } {
  return {
    name: 'alert_dispatch',
    reactor: true,
    // A Redis outage fails batches for a while; it must not park the dispatcher for good.
    maxAttempts: 1_000_000,
    canHandle: ['AlertRaised', 'SubscriptionCancelled'],
    tables: ['immediate_counts'],

    async createTables(db: Kysely<AlertDispatchTables>) {
      await db.schema
        .createTable('immediate_counts')
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('hour', 'text', (c) => c.notNull())
        .addColumn('mails', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('immediate_counts_pkey', ['recipient', 'hour'])
        .execute();
    },

    async handle(events: readonly StoredEvent[], { db }: ProjectionContext<AlertDispatchTables>) {
      const cancelled = events.filter((e) => e.type === 'SubscriptionCancelled');
      if (cancelled.length) await closeAlertsOfCancelled(store, db, cancelled);
      const immediate = events.filter(
        (e) => e.type === 'AlertRaised' && (e.data as AlertRaised).delivery === 'immediate',
      );
      if (immediate.length === 0) return;
      const hourOf = (e: StoredEvent) => e.recordedAt.toISOString().slice(0, 13);
      const keys = [...new Set(immediate.map((e) => `${(e.data as AlertRaised).recipient}|${hourOf(e)}`))];
      const counts = new Map<string, number>();
      const stored = await db
        .selectFrom('immediate_counts')
        .selectAll()
        .where((eb) =>
          eb.or(
            keys.map((key) => {
              const [recipient, hour] = key.split('|');
              return eb.and([eb('recipient', '=', recipient), eb('hour', '=', hour)]);
            }),
          ),
        )
        .execute();
      for (const row of stored) counts.set(`${row.recipient}|${row.hour}`, row.mails);

      const mails: EnqueueRequest<'send-alert'>[] = [];
      const deferred: StoredEvent[] = [];
      for (const event of immediate) {
        const alert = event.data as AlertRaised;
        const key = `${alert.recipient}|${hourOf(event)}`;
        const sent = counts.get(key) ?? 0;
        const deferrable = alert.trigger.kind === 'item' || alert.trigger.kind === 'case_stage';
        if (deferrable && sent >= options.capPerHour) {
          deferred.push(event);
          continue;
        }
        counts.set(key, sent + 1);
        mails.push({
          name: 'send-alert',
          jobId: jobId('mail', alert.alertId),
          data: { alertId: alert.alertId, correlationId: event.metadata.correlationId },
        });
      }
      if (deferred.length)
        await store.appendMany(
          deferred.map((event) => ({
            streamId: alertStreamId((event.data as AlertRaised).alertId),
            events: [
              {
                type: 'AlertDeferred',
                data: {
                  alertId: (event.data as AlertRaised).alertId,
                  reason: `more than ${options.capPerHour} immediate mails to this recipient this hour: sent with the next digest`,
                },
                metadata: { correlationId: event.metadata.correlationId, causationId: event.eventId },
              },
            ],
          })),
          kyselyQueryable(db as never),
        );
      await db
        .insertInto('immediate_counts')
        .values(
          [...counts.entries()].map(([key, mailsSent]) => {
            const [recipient, hour] = key.split('|');
            return { recipient, hour, mails: mailsSent };
          }),
        )
        .onConflict((oc) =>
          oc.columns(['recipient', 'hour']).doUpdateSet((eb) => ({ mails: eb.ref('excluded.mails') })),
        )
        .execute();
      await jobs.enqueue(mails);
    },
  };
}

/**
 * A cancelled subscription's alerts still waiting (for a digest, or for a send job that will now
 * find the subscription gone) end with a permanent AlertDeliveryFailed, in the batch's transaction:
 * every AlertRaised ends in a delivery or a recorded failure (`npm run cli -- verify` checks it).
 * The matcher raises nothing for a subscription after its cancellation, so none comes later.
 */
async function closeAlertsOfCancelled(
  store: PostgresEventStore,
  db: Kysely<AlertDispatchTables>,
  cancelled: readonly StoredEvent[],
): Promise<void> {
  const ids = cancelled.map((e) => (e.data as { subscriptionId: string }).subscriptionId);
  const { rows } = await sql<{ alert_id: string; subscription_id: string }>`
    SELECT r.data->>'alertId' AS alert_id, r.data->>'subscriptionId' AS subscription_id
    FROM events r
    WHERE r.event_type = 'AlertRaised' AND r.data->>'subscriptionId' = ANY (${ids}::text[])
      AND NOT EXISTS (
        SELECT 1 FROM events d WHERE d.stream_id = r.stream_id
          AND (d.event_type = 'AlertDelivered'
               OR (d.event_type = 'AlertDeliveryFailed' AND (d.data->>'permanent')::boolean)))
    ORDER BY r.global_position`.execute(db);
  if (rows.length === 0) return;
  const causeOf = new Map(cancelled.map((e) => [(e.data as { subscriptionId: string }).subscriptionId, e]));
  await store.appendMany(
    rows.map((row) => {
      const cause = causeOf.get(row.subscription_id);
      return {
        streamId: alertStreamId(row.alert_id),
        events: [
          {
            type: 'AlertDeliveryFailed',
            eventId: deterministicEventId(`AlertDeliveryFailed:${row.alert_id}:cancelled`),
            data: {
              alertId: row.alert_id,
              permanent: true,
              attempt: 0,
              reply: 'not sent: the subscription was cancelled before delivery',
              responseCode: null,
            },
            metadata: { correlationId: cause?.metadata.correlationId, causationId: cause?.eventId },
          },
        ],
      };
    }),
    kyselyQueryable(db as never),
  );
}
