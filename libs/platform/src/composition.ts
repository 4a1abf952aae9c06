import type { EventRegistry } from '@frictionwatch/event-store';
import { eventTypeCountsProjection, type AnyProjection } from '@frictionwatch/projections';

/**
 * The composition root of the domain: every event type and every projection the system runs.
 * Capabilities add theirs here as they arrive.
 */
export function registerEventTypes(registry: EventRegistry): EventRegistry {
  return registry;
}

export function allProjections(): AnyProjection[] {
  return [eventTypeCountsProjection];
}
