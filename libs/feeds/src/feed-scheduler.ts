import { jobId, type EnqueueRequest, type JobQueue } from '@frictionwatch/queues';
import type { FeedRepository } from './feed.repository';
import type { FeedState } from './feed-state';

/**
 * One scheduler tick: every active feed whose slot has come gets one fetch job whose id names the feed
 * and the slot, so ticks of several scheduler replicas (or a repeated tick) enqueue it once. Due feeds
 * are read and enqueued in pages, all of them each tick: a feed not yet fetched since the last tick is
 * still due, and a single page would let such a backlog crowd out the feeds behind it.
 */
export class FeedScheduler {
  constructor(
    private readonly feeds: FeedRepository,
    private readonly jobs: JobQueue,
    private readonly pageSize = 1000,
  ) {}

  async tick(now: Date = new Date()): Promise<{ enqueued: number }> {
    let enqueued = 0;
    let after: FeedState | undefined;
    for (;;) {
      const due = await this.feeds.due(now, this.pageSize, after);
      const requests: EnqueueRequest<'fetch-feed'>[] = due.map((feed) => {
        const slot = String(Date.parse(feed.nextDueAt));
        const id = jobId('fetch', feed.feedId, slot);
        return { name: 'fetch-feed', jobId: id, data: { feedId: feed.feedId, slot, correlationId: id } };
      });
      if (requests.length) await this.jobs.enqueue(requests);
      enqueued += requests.length;
      if (due.length < this.pageSize) return { enqueued };
      after = due[due.length - 1];
    }
  }
}
