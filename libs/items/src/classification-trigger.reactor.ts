import type { Kysely } from 'kysely';
import type { StoredEvent } from '@frictionwatch/event-store';
import type { Projection } from '@frictionwatch/projections';
import { jobId, type JobQueue } from '@frictionwatch/queues';
import { itemIdOfStream } from './item-identity';

/** Items per classify job: jobs carry batches, never one item each. */
export const CLASSIFY_BATCH = 200;

/**
 * Follows the log like a projection (checkpointed) and turns `ItemIngested` / `ItemRevised` into
 * classify jobs, in bulk, with deterministic job ids: a crash between an append and the enqueue loses
 * nothing, because the checkpoint only moves once the jobs are in the queue. It causes side effects,
 * so it is a reactor: never rebuilt.
 */
export function classificationTrigger(jobs: JobQueue): Projection<unknown> & { reactor: true } {
  return {
    name: 'classification_trigger',
    reactor: true,
    // A Redis outage fails batches for a while; it must not park the trigger for good.
    maxAttempts: 1_000_000,
    canHandle: ['ItemIngested', 'ItemRevised'],
    // A job names items and source events: the item id is in the stream id, payloads are not read.
    readsData: false,
    tables: [],
    async createTables(_db: Kysely<unknown>) {
      // No read model: its state is its checkpoint.
    },
    async handle(events: readonly StoredEvent[]) {
      const requests = [];
      for (let start = 0; start < events.length; start += CLASSIFY_BATCH) {
        const slice = events.slice(start, start + CLASSIFY_BATCH);
        requests.push({
          name: 'classify-items' as const,
          jobId: jobId('classify', slice[0].eventId, slice[slice.length - 1].eventId),
          data: {
            items: slice.map((event) => ({
              itemId: itemIdOfStream(event.streamId),
              sourceEventId: event.eventId,
            })),
            correlationId: slice[0].metadata.correlationId,
            reason: 'ingested' as const,
          },
        });
      }
      await jobs.enqueue(requests);
    },
  };
}
