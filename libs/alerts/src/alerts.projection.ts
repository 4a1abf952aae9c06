import type { Kysely } from 'kysely';
import type { StoredEvent } from '@frictionwatch/event-store';
import type { Projection, ProjectionContext } from '@frictionwatch/projections';
import type { AlertRaised } from './alert.events';

export type AlertStatus = 'pending' | 'deferred' | 'delivered' | 'failed';

export interface AlertsTables {
  alerts: {
    alert_id: string;
    subscription_id: string;
    recipient: string;
    trigger_kind: string;
    item_id: string | null;
    case_id: string | null;
    title: string;
    delivery: string;
    status: AlertStatus;
    raised_at: Date;
    delivered_at: Date | null;
    message_id: string | null;
    digest_id: string | null;
    attempts: number;
    last_error: string | null;
  };
}

/**
 * The delivery log (`GET /v1/alerts`): every alert raised, and where its mail stands. `pending` waits
 * for its mail job or its digest, `deferred` rolled into the next digest, `delivered` was accepted by
 * the SMTP server, `failed` was refused for good.
 */
export const alertsProjection: Projection<AlertsTables> = {
  name: 'alerts',
  canHandle: ['AlertRaised', 'AlertDeferred', 'AlertDelivered', 'AlertDeliveryFailed'],
  tables: ['alerts'],

  async createTables(db: Kysely<AlertsTables>) {
    await db.schema
      .createTable('alerts')
      .addColumn('alert_id', 'text', (c) => c.primaryKey())
      .addColumn('subscription_id', 'text', (c) => c.notNull())
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('trigger_kind', 'text', (c) => c.notNull())
      .addColumn('item_id', 'text')
      .addColumn('case_id', 'text')
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('delivery', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('raised_at', 'timestamptz', (c) => c.notNull())
      .addColumn('delivered_at', 'timestamptz')
      .addColumn('message_id', 'text')
      .addColumn('digest_id', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .execute();
    await db.schema
      .createIndex('alerts_subscription_status_idx')
      .on('alerts')
      .columns(['subscription_id', 'status', 'raised_at'])
      .execute();
    await db.schema
      .createIndex('alerts_raised_idx')
      .on('alerts')
      .columns(['raised_at', 'alert_id'])
      .execute();
  },

  async handle(events: readonly StoredEvent[], { db }: ProjectionContext<AlertsTables>) {
    for (const event of events) {
      if (event.type === 'AlertRaised') {
        const a = event.data as AlertRaised;
        await db
          .insertInto('alerts')
          .values({
            alert_id: a.alertId,
            subscription_id: a.subscriptionId,
            recipient: a.recipient,
            trigger_kind: a.trigger.kind,
            item_id: 'itemId' in a.trigger ? a.trigger.itemId : null,
            case_id: a.content.caseId,
            title: a.content.title,
            delivery: a.delivery,
            status: 'pending',
            raised_at: event.recordedAt,
            attempts: 0,
          })
          .onConflict((oc) => oc.column('alert_id').doNothing())
          .execute();
        continue;
      }
      const alertId = (event.data as { alertId: string }).alertId;
      if (event.type === 'AlertDeferred') {
        await db
          .updateTable('alerts')
          .set({ status: 'deferred' })
          .where('alert_id', '=', alertId)
          .where('status', '=', 'pending')
          .execute();
      } else if (event.type === 'AlertDelivered') {
        const d = event.data as { messageId: string; digestId: string | null };
        await db
          .updateTable('alerts')
          .set({
            status: 'delivered',
            delivered_at: event.recordedAt,
            message_id: d.messageId,
            digest_id: d.digestId,
          })
          .where('alert_id', '=', alertId)
          .execute();
      } else if (event.type === 'AlertDeliveryFailed') {
        const f = event.data as { permanent: boolean; reply: string };
        await db
          .updateTable('alerts')
          .set((eb) => ({
            attempts: eb('attempts', '+', 1),
            last_error: f.reply,
            ...(f.permanent ? { status: 'failed' as const } : {}),
          }))
          .where('alert_id', '=', alertId)
          .where('status', '!=', 'delivered')
          .execute();
      }
    }
  },
};
