import { jobId, type EnqueueRequest, type JobQueue } from '@frictionwatch/queues';
import type { FeedRepository } from './feed.repository';

/**
 * One scheduler tick: every active feed whose slot has come gets one fetch job whose id names the feed
 * and the slot, so ticks of several scheduler replicas (or a repeated tick) enqueue it once.
 */
export class FeedScheduler {
  constructor(
    private readonly feeds: FeedRepository,
    private readonly jobs: JobQueue,
  ) {}

  async tick(now: Date = new Date()): Promise<{ enqueued: number }> {
    const due = await this.feeds.due(now);
    const requests: EnqueueRequest<'fetch-feed'>[] = due.map((feed) => {
      const slot = String(Date.parse(feed.nextDueAt));
      const id = jobId('fetch', feed.feedId, slot);
      return { name: 'fetch-feed', jobId: id, data: { feedId: feed.feedId, slot, correlationId: id } };
    });
    if (requests.length) await this.jobs.enqueue(requests);
    return { enqueued: requests.length };
  }
}
