import type { Migration } from 'kysely';
import * as eventStore from './0001_event_store';
import * as projections from './0002_projections';
import * as apiKeys from './0003_api_keys';
import * as appendMixedExpectations from './0004_append_mixed_expectations';
import * as alerts from './0005_alerts';
import * as eventPayloadCompression from './0006_event_payload_compression';

/** Every migration, in order. A static list works the same from sources and from a compiled image. */
export const migrations: Record<string, Migration> = {
  '0001_event_store': eventStore,
  '0002_projections': projections,
  '0003_api_keys': apiKeys,
  '0004_append_mixed_expectations': appendMixedExpectations,
  '0005_alerts': alerts,
  '0006_event_payload_compression': eventPayloadCompression,
};
