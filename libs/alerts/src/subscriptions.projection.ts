import type { Kysely } from 'kysely';
import type { StoredEvent } from '@frictionwatch/event-store';
import type { Projection, ProjectionContext } from '@frictionwatch/projections';
import { evolveSubscription, SUBSCRIPTION_EVENT_TYPES, type SubscriptionState } from './subscription-state';

export interface SubscriptionsTables {
  subscriptions: {
    subscription_id: string;
    kind: string;
    recipient: string;
    status: string;
    delivery: string;
    state: SubscriptionState;
  };
}

/** Creates the `subscriptions` table (the read model's and the matcher's own copy share a shape). */
export async function createSubscriptionsTable(db: Kysely<SubscriptionsTables>): Promise<void> {
  await db.schema
    .createTable('subscriptions')
    .addColumn('subscription_id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('delivery', 'text', (c) => c.notNull())
    .addColumn('state', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('subscriptions_status_idx')
    .on('subscriptions')
    .columns(['status', 'kind'])
    .execute();
}

export async function loadSubscriptions(
  db: Kysely<SubscriptionsTables>,
  ids?: readonly string[],
): Promise<Map<string, SubscriptionState>> {
  let query = db.selectFrom('subscriptions').select(['subscription_id', 'state']);
  if (ids) {
    if (ids.length === 0) return new Map();
    query = query.where('subscription_id', 'in', [...ids]);
  }
  const rows = await query.execute();
  return new Map(rows.map((row) => [row.subscription_id, row.state]));
}

export async function saveSubscriptions(
  db: Kysely<SubscriptionsTables>,
  states: Iterable<SubscriptionState>,
): Promise<void> {
  const rows = [...states].map((s) => ({
    subscription_id: s.subscriptionId,
    kind: s.kind,
    recipient: s.recipient,
    status: s.status,
    delivery: s.delivery,
    state: JSON.stringify(s) as unknown as SubscriptionState,
  }));
  if (rows.length === 0) return;
  await db
    .insertInto('subscriptions')
    .values(rows)
    .onConflict((oc) =>
      oc.column('subscription_id').doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        delivery: eb.ref('excluded.delivery'),
        state: eb.ref('excluded.state'),
      })),
    )
    .execute();
}

/** Folds a batch of subscription events onto the stored states; returns the changed ones. */
export function foldSubscriptions(
  states: Map<string, SubscriptionState>,
  events: readonly StoredEvent[],
): Map<string, SubscriptionState> {
  const changed = new Map<string, SubscriptionState>();
  for (const event of events) {
    const id = (event.data as { subscriptionId: string }).subscriptionId;
    const next = evolveSubscription(states.get(id), event);
    if (next) {
      states.set(id, next);
      changed.set(id, next);
    }
  }
  return changed;
}

/** Every subscription with its filters, mode and status (the admin API's `GET /v1/subscriptions`). */
export const subscriptionsProjection: Projection<SubscriptionsTables> = {
  name: 'subscriptions',
  canHandle: SUBSCRIPTION_EVENT_TYPES,
  tables: ['subscriptions'],
  createTables: createSubscriptionsTable,
  async handle(events: readonly StoredEvent[], { db }: ProjectionContext<SubscriptionsTables>) {
    const ids = [...new Set(events.map((e) => (e.data as { subscriptionId: string }).subscriptionId))];
    const states = await loadSubscriptions(db, ids);
    await saveSubscriptions(db, foldSubscriptions(states, events).values());
  },
};
