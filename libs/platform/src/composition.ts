import type { EventRegistry } from '@frictionwatch/event-store';
import { FEED_EVENTS, feedsProjection } from '@frictionwatch/feeds';
import { classificationTrigger, ITEM_EVENTS, itemDuplicatesProjection } from '@frictionwatch/items';
import { eventTypeCountsProjection, type AnyProjection } from '@frictionwatch/projections';
import type { JobQueue } from '@frictionwatch/queues';
import { READ_MODEL_PROJECTIONS } from '@frictionwatch/read-models';

/**
 * The composition root of the domain: every event type and every projection (and reactor) the system
 * runs. Capabilities add theirs here as they arrive.
 */
export function registerEventTypes(registry: EventRegistry): EventRegistry {
  return registry.register(...FEED_EVENTS, ...ITEM_EVENTS);
}

export function allProjections(jobs: JobQueue): AnyProjection[] {
  return [
    eventTypeCountsProjection,
    feedsProjection,
    ...READ_MODEL_PROJECTIONS,
    itemDuplicatesProjection,
    classificationTrigger(jobs),
  ];
}
