import type { Pool } from 'pg';
import { jobId, type EnqueueRequest, type JobQueue } from '@frictionwatch/queues';
import { CLASSIFY_BATCH } from './classification-trigger.reactor';

export interface ClassifierVersions {
  classifierVersion: string;
  taxonomyVersion: string;
}

/**
 * Finds every item whose latest classification is from another classifier or taxonomy version (or that
 * has none) and enqueues classify jobs for them, in batches: the text comes from the stored events,
 * nothing is fetched again.
 */
export class Reclassification {
  constructor(
    private readonly pool: Pool,
    private readonly jobs: JobQueue,
  ) {}

  async outdatedItemIds(versions: ClassifierVersions): Promise<string[]> {
    const { rows } = await this.pool.query<{ item_id: string }>(
      `SELECT substr(s.stream_id, 6) AS item_id
       FROM event_streams s
       WHERE s.stream_type = 'item'
         AND NOT EXISTS (
           SELECT 1 FROM events e
           WHERE e.stream_id = s.stream_id AND e.event_type = 'ItemClassified'
             AND e.data->>'classifierVersion' = $1 AND e.data->>'taxonomyVersion' = $2)
       ORDER BY s.stream_id`,
      [versions.classifierVersion, versions.taxonomyVersion],
    );
    return rows.map((r) => r.item_id);
  }

  async countCurrent(versions: ClassifierVersions, itemIds: string[]): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(DISTINCT stream_id)::int AS n FROM events
       WHERE stream_id = ANY ($3::text[]) AND event_type = 'ItemClassified'
         AND data->>'classifierVersion' = $1 AND data->>'taxonomyVersion' = $2`,
      [versions.classifierVersion, versions.taxonomyVersion, itemIds.map((id) => `item-${id}`)],
    );
    return rows[0].n;
  }

  async enqueue(itemIds: string[], versions: ClassifierVersions): Promise<number> {
    const requests: EnqueueRequest<'classify-items'>[] = [];
    for (let start = 0; start < itemIds.length; start += CLASSIFY_BATCH) {
      const batch = itemIds.slice(start, start + CLASSIFY_BATCH);
      const id = jobId(
        'reclassify',
        versions.classifierVersion,
        versions.taxonomyVersion,
        batch[0],
        batch.length,
      );
      requests.push({
        name: 'classify-items',
        jobId: id,
        data: {
          items: batch.map((itemId) => ({ itemId, sourceEventId: '' })),
          correlationId: id,
          reason: 'reclassify',
        },
      });
    }
    if (requests.length) await this.jobs.enqueue(requests);
    return requests.length;
  }
}
