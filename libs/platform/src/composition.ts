import {
  ALERT_EVENTS,
  alertDispatch,
  alertMatcher,
  alertsProjection,
  subscriptionsProjection,
} from '@frictionwatch/alerts';
import type { AppConfig } from '@frictionwatch/config';
import type { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { FEED_EVENTS, feedsProjection } from '@frictionwatch/feeds';
import { classificationTrigger, ITEM_EVENTS, itemDuplicatesProjection } from '@frictionwatch/items';
import { eventTypeCountsProjection, type AnyProjection } from '@frictionwatch/projections';
import { JOB_EVENTS, type JobQueue } from '@frictionwatch/queues';
import { READ_MODEL_PROJECTIONS } from '@frictionwatch/read-models';

/**
 * The composition root of the domain: every event type and every projection (and reactor) the system
 * runs. Capabilities add theirs here as they arrive.
 */
export function registerEventTypes(registry: EventRegistry): EventRegistry {
  return registry.register(...FEED_EVENTS, ...ITEM_EVENTS, ...ALERT_EVENTS, ...JOB_EVENTS);
}

/** What reactors need to cause their effects. */
export interface ProjectionDependencies {
  jobs: JobQueue;
  store: PostgresEventStore;
  config: Pick<AppConfig, 'ALERTS_IMMEDIATE_PER_HOUR'>;
}

export function allProjections({ jobs, store, config }: ProjectionDependencies): AnyProjection[] {
  return [
    eventTypeCountsProjection,
    feedsProjection,
    ...READ_MODEL_PROJECTIONS,
    itemDuplicatesProjection,
    subscriptionsProjection,
    alertsProjection,
    classificationTrigger(jobs),
    alertMatcher(store),
    alertDispatch(store, jobs, { capPerHour: config.ALERTS_IMMEDIATE_PER_HOUR }),
  ];
}
