export {
  PostgresEventStore,
  type Queryable,
  type AppendOptions,
  type StreamAppend,
  type ReadAllOptions,
  type ReadAllResult,
  type EventStoreOptions,
} from './event-store';
export { EventRegistry, type EventDefinition } from './event-registry';
export { EventNotifier, EVENTS_CHANNEL } from './event-notifier';
export { deterministicEventId, randomEventId } from './event-ids';
export {
  formatCheckpoint,
  parseCheckpoint,
  checkpointFrom,
  compareCheckpoints,
  START,
  type Checkpoint,
} from './checkpoint';
export * from './event-store.errors';
export type * from './event.types';
export { EventStoreModule, EVENT_REGISTRY } from './event-store.module';
