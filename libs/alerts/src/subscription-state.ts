import type { StoredEvent } from '@frictionwatch/event-store';
import type {
  DeliveryMode,
  SubscriptionCreated,
  SubscriptionFilters,
  SubscriptionKind,
  SubscriptionUpdated,
} from './alert.events';

export type SubscriptionStatus = 'pending' | 'active' | 'cancelled';

/** A subscription now: folded from its events (by the write side, the read model and the matcher alike). */
export interface SubscriptionState {
  subscriptionId: string;
  kind: SubscriptionKind;
  recipient: string;
  name: string;
  filters: SubscriptionFilters;
  delivery: DeliveryMode;
  timeZone: string;
  sendHour: number;
  sendWeekday: number;
  remindDaysBefore: number | null;
  /** `pending` until a double opt-in is confirmed. */
  status: SubscriptionStatus;
  createdAt: string;
  updatedAt: string;
}

export const SUBSCRIPTION_EVENT_TYPES = [
  'SubscriptionCreated',
  'SubscriptionUpdated',
  'SubscriptionConfirmed',
  'SubscriptionCancelled',
] as const;

export function isSubscriptionEvent(event: StoredEvent): boolean {
  return (SUBSCRIPTION_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** Applies one subscription event; events of an unknown subscription (other than its creation) are ignored. */
export function evolveSubscription(
  state: SubscriptionState | undefined,
  event: StoredEvent,
): SubscriptionState | undefined {
  const at = event.recordedAt.toISOString();
  switch (event.type) {
    case 'SubscriptionCreated': {
      const { confirmed, ...spec } = event.data as SubscriptionCreated;
      return { ...spec, status: confirmed ? 'active' : 'pending', createdAt: at, updatedAt: at };
    }
    case 'SubscriptionUpdated': {
      if (!state) return state;
      const { changes } = event.data as SubscriptionUpdated;
      const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      return { ...state, ...defined, updatedAt: at };
    }
    case 'SubscriptionConfirmed':
      return state && state.status === 'pending' ? { ...state, status: 'active', updatedAt: at } : state;
    case 'SubscriptionCancelled':
      return state ? { ...state, status: 'cancelled', updatedAt: at } : state;
    default:
      return state;
  }
}
