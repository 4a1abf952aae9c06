import type { EventMetadataInput, NewEvent, PostgresEventStore } from '@frictionwatch/event-store';
import type { IngestReport, ItemIngestor } from '@frictionwatch/items';
import { feedStreamId, type FeedFetched, type FeedFetchFailed } from './feed.events';
import type { FetchPort, ParsePort } from './feed-ports';
import type { FeedRepository } from './feed.repository';
import { REDIRECTS_BEFORE_MOVE, silentSince, UNHEALTHY_AFTER_FAILURES, type FeedState } from './feed-state';

export type FetchFeedResult =
  | { outcome: 'fetched'; newItems: number; revisedItems: number; itemsSeen: number }
  | { outcome: 'not_modified' }
  | { outcome: 'failed'; reason: string; message: string }
  | { outcome: 'skipped'; why: string };

/**
 * One feed fetch: conditional GET with the validators kept in the read model, parse off-thread,
 * normalise, ingest, then record the outcome (and health changes) as events on the feed's stream.
 * A broken feed is a recorded failure, never an exception that stops other feeds.
 */
export class FeedFetchService {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly feeds: FeedRepository,
    private readonly fetcher: FetchPort,
    private readonly parser: ParsePort,
    private readonly ingestor: ItemIngestor,
  ) {}

  /** Readies the parser before the first fetch job is taken. */
  async warm(): Promise<void> {
    await this.parser.warm?.();
  }

  async fetchFeed(feedId: string, jobMetadata: EventMetadataInput): Promise<FetchFeedResult> {
    // When the fetch began travels with every event it causes: latency from fetch to classification.
    const metadata = { ...jobMetadata, fetchStartedAt: new Date().toISOString() };
    const feed = await this.feeds.get(feedId);
    if (!feed) return { outcome: 'skipped', why: 'unknown feed' };
    if (feed.status !== 'active') return { outcome: 'skipped', why: `feed is ${feed.status}` };

    const response = await this.fetcher.fetch({
      url: feed.url,
      etag: feed.etag,
      lastModified: feed.lastModified,
    });
    if (response.kind === 'not_modified') {
      await this.record(
        feed,
        [
          {
            type: 'FeedNotModified',
            data: {
              feedId,
              url: feed.url,
              durationMs: response.durationMs,
              etag: response.etag,
              lastModified: response.lastModified,
            },
          },
          ...this.recovery(feed),
        ],
        metadata,
      );
      return { outcome: 'not_modified' };
    }
    if (response.kind === 'failed') {
      await this.fail(
        feed,
        {
          reason: response.reason,
          message: response.message,
          status: response.status,
          retryAfterMs: response.retryAfterMs,
          durationMs: response.durationMs,
        },
        metadata,
      );
      if (response.reason === 'gone') {
        await this.store.append(feedStreamId(feedId), [
          { type: 'FeedPaused', data: { feedId, reason: `410 Gone from ${feed.url}` }, metadata },
        ]);
      }
      return { outcome: 'failed', reason: response.reason, message: response.message };
    }

    const parsed = await this.parser.parse(
      response.text,
      { kind: feed.kind, json: feed.json ?? undefined, html: feed.html ?? undefined },
      response.finalUrl,
    );
    if (!parsed.ok) {
      await this.fail(
        feed,
        {
          reason: 'parse',
          message: parsed.error,
          status: response.status,
          retryAfterMs: null,
          durationMs: response.durationMs,
        },
        metadata,
      );
      return { outcome: 'failed', reason: 'parse', message: parsed.error };
    }
    const plan = await this.ingestor.plan(
      { feedId, name: feed.name, jurisdictionHint: feed.jurisdictionHint },
      parsed.items,
      metadata,
    );
    // The feed's own events go in the same transaction as its items: one round trip per feed.
    const report = await this.ingestor.commit(plan, (counts) => [
      {
        streamId: feedStreamId(feedId),
        expectedVersion: 'any',
        events: this.fetchedEvents(feed, response, parsed.warnings, counts).map((event) => ({
          ...event,
          metadata,
        })),
      },
    ]);
    return {
      outcome: 'fetched',
      newItems: report.newItems,
      revisedItems: report.revisedItems,
      itemsSeen: report.seen,
    };
  }

  /** FeedFetched, and the health or move events a successful fetch causes. */
  private fetchedEvents(
    feed: FeedState,
    response: Extract<Awaited<ReturnType<FetchPort['fetch']>>, { kind: 'ok' }>,
    warnings: string[],
    report: IngestReport,
  ): NewEvent[] {
    const { feedId } = feed;
    const fetched: FeedFetched = {
      feedId,
      url: feed.url,
      status: response.status,
      durationMs: response.durationMs,
      bytes: response.bytes,
      itemsSeen: report.seen,
      newItems: report.newItems,
      revisedItems: report.revisedItems,
      etag: response.etag,
      lastModified: response.lastModified,
      permanentRedirectTo: response.permanentRedirectTo,
      warnings: warnings.slice(0, 20),
    };
    const events: NewEvent[] = [{ type: 'FeedFetched', data: fetched }];
    const silent = report.seen === 0 ? silentSince(feed, new Date()) : null;
    if (silent && feed.healthy) {
      // It answers but has yielded nothing for far longer than usual: ops should hear of it.
      events.push({
        type: 'FeedUnhealthy',
        data: { feedId, reason: `silent: no items since ${silent}`, consecutiveFailures: 0 },
      });
    } else if (!silent) {
      events.push(...this.recovery(feed));
    }
    // A permanent redirect seen several times in a row moves the feed.
    if (
      response.permanentRedirectTo &&
      response.permanentRedirectTo === feed.redirectTo &&
      feed.redirectCount + 1 >= REDIRECTS_BEFORE_MOVE
    ) {
      events.push({
        type: 'FeedUpdated',
        data: {
          feedId,
          changes: { url: response.permanentRedirectTo },
          reason: `permanent redirect seen ${feed.redirectCount + 1} times`,
        },
      });
    }
    return events;
  }

  private recovery(feed: FeedState): NewEvent[] {
    return feed.healthy
      ? []
      : [{ type: 'FeedRecovered', data: { feedId: feed.feedId, afterFailures: feed.consecutiveFailures } }];
  }

  private async fail(
    feed: FeedState,
    failure: Omit<FeedFetchFailed, 'feedId' | 'url'>,
    metadata: EventMetadataInput,
  ): Promise<void> {
    const events: NewEvent[] = [
      { type: 'FeedFetchFailed', data: { feedId: feed.feedId, url: feed.url, ...failure } },
    ];
    const failures = feed.consecutiveFailures + 1;
    if (feed.healthy && failures >= UNHEALTHY_AFTER_FAILURES) {
      events.push({
        type: 'FeedUnhealthy',
        data: {
          feedId: feed.feedId,
          reason: `${failure.reason}: ${failure.message}`,
          consecutiveFailures: failures,
        },
      });
    }
    await this.record(feed, events, metadata);
  }

  private async record(feed: FeedState, events: NewEvent[], metadata: EventMetadataInput): Promise<void> {
    await this.store.append(
      feedStreamId(feed.feedId),
      events.map((event) => ({ ...event, metadata })),
    );
  }
}
