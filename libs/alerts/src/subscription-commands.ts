import { randomBytes } from 'node:crypto';
import type { PostgresEventStore } from '@frictionwatch/event-store';
import {
  subscriptionStreamId,
  SubscriptionSpecSchema,
  type SubscriptionSpec,
  type SubscriptionUpdated,
} from './alert.events';
import { evolveSubscription, type SubscriptionState } from './subscription-state';

export class SubscriptionNotFoundError extends Error {
  constructor(id: string) {
    super(`No subscription ${id}`);
    this.name = 'SubscriptionNotFoundError';
  }
}

export function newSubscriptionId(): string {
  return `sub_${randomBytes(10).toString('hex')}`;
}

/**
 * The write side of subscriptions: each change is an event on the subscription's stream, appended at
 * the version its state was read at (a concurrent change is a conflict, not a lost update).
 */
export class SubscriptionCommands {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly options: { doubleOptIn: boolean },
  ) {}

  /** The subscription as its events say, with the stream version it was read at. */
  async get(id: string): Promise<{ state: SubscriptionState; version: number } | null> {
    if (!/^sub_[a-z0-9]{8,40}$/.test(id)) return null;
    const events = await this.store.readStream(subscriptionStreamId(id));
    let state: SubscriptionState | undefined;
    for (const event of events) state = evolveSubscription(state, event);
    return state ? { state, version: events.length } : null;
  }

  /** Creates a subscription; a given id (the demo's) makes a second create a WrongExpectedVersionError. */
  async create(
    spec: SubscriptionSpec,
    subscriptionId: string = newSubscriptionId(),
  ): Promise<SubscriptionState> {
    const valid = SubscriptionSpecSchema.parse(spec);
    await this.store.append(
      subscriptionStreamId(subscriptionId),
      [
        {
          type: 'SubscriptionCreated',
          data: { ...valid, subscriptionId, confirmed: !this.options.doubleOptIn },
        },
      ],
      { expectedVersion: 'no_stream' },
    );
    return (await this.get(subscriptionId))!.state;
  }

  async update(id: string, changes: SubscriptionUpdated['changes']): Promise<SubscriptionState> {
    const current = await this.live(id);
    await this.store.append(
      subscriptionStreamId(id),
      [{ type: 'SubscriptionUpdated', data: { subscriptionId: id, changes } }],
      { expectedVersion: current.version },
    );
    return (await this.get(id))!.state;
  }

  /** Confirms a double opt-in; confirming twice is a no-op. */
  async confirm(id: string): Promise<SubscriptionState> {
    const current = await this.live(id);
    if (current.state.status !== 'pending') return current.state;
    await this.store.append(
      subscriptionStreamId(id),
      [{ type: 'SubscriptionConfirmed', data: { subscriptionId: id } }],
      { expectedVersion: current.version },
    );
    return (await this.get(id))!.state;
  }

  /** Cancels; cancelling twice (a second click on "unsubscribe") is a no-op. */
  async cancel(id: string, reason: 'unsubscribed' | 'deleted'): Promise<SubscriptionState> {
    const current = await this.get(id);
    if (!current) throw new SubscriptionNotFoundError(id);
    if (current.state.status === 'cancelled') return current.state;
    await this.store.append(
      subscriptionStreamId(id),
      [{ type: 'SubscriptionCancelled', data: { subscriptionId: id, reason } }],
      { expectedVersion: current.version },
    );
    return (await this.get(id))!.state;
  }

  private async live(id: string): Promise<{ state: SubscriptionState; version: number }> {
    const current = await this.get(id);
    if (!current || current.state.status === 'cancelled') throw new SubscriptionNotFoundError(id);
    return current;
  }
}
