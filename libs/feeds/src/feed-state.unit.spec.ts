import type { StoredEvent } from '@frictionwatch/event-store';
import { backoffMs, evolveFeed, MAX_BACKOFF_MS, type FeedState } from './feed-state';

let position = 0;
function event(type: string, data: Record<string, unknown>, occurredAt: string): StoredEvent {
  position += 1;
  return {
    globalPosition: String(position),
    transactionId: '1',
    streamId: 'feed-f',
    streamVersion: String(position),
    eventId: `e${position}`,
    type,
    schemaVersion: 1,
    data: { feedId: 'f', ...data },
    metadata: { correlationId: 'c', causationId: null, occurredAt },
    recordedAt: new Date(occurredAt),
  };
}

const registered = event(
  'FeedRegistered',
  {
    name: 'F',
    url: 'https://a.test/feed',
    kind: 'rss',
    json: null,
    html: null,
    intervalMinutes: 60,
    jurisdictionHint: 'US',
    topics: [],
    publisher: null,
  },
  '2026-01-01T00:00:00.000Z',
);

function fold(...events: StoredEvent[]): FeedState {
  return events.reduce<FeedState | null>((state, e) => evolveFeed(state, e), null) as FeedState;
}

describe('evolveFeed', () => {
  it('given a registration, the feed is active, healthy and due at once', () => {
    expect(fold(registered)).toMatchObject({
      status: 'active',
      healthy: true,
      nextDueAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('after a fetch: validators kept, next slot one interval later plus at most 10% jitter', () => {
    const state = fold(
      registered,
      event(
        'FeedFetched',
        {
          url: 'u',
          status: 200,
          durationMs: 5,
          bytes: 10,
          itemsSeen: 3,
          newItems: 2,
          revisedItems: 0,
          etag: '"v1"',
          lastModified: 'Wed, 01 Jan 2026 00:00:00 GMT',
          permanentRedirectTo: null,
          warnings: [],
        },
        '2026-01-01T01:00:00.000Z',
      ),
    );
    expect(state).toMatchObject({
      etag: '"v1"',
      itemsLastFetch: 3,
      newItemsTotal: 2,
      consecutiveFailures: 0,
    });
    const due = Date.parse(state.nextDueAt) - Date.parse('2026-01-01T01:00:00.000Z');
    expect(due).toBeGreaterThanOrEqual(3600000);
    expect(due).toBeLessThan(3600000 * 1.1);
  });

  it('after failures: exponential backoff, capped, and never before Retry-After', () => {
    const failure = (at: string, retryAfterMs: number | null = null) =>
      event(
        'FeedFetchFailed',
        { url: 'u', reason: 'http_status', message: '500', status: 500, retryAfterMs, durationMs: 1 },
        at,
      );
    const once = fold(registered, failure('2026-01-01T01:00:00.000Z'));
    expect(Date.parse(once.nextDueAt) - Date.parse('2026-01-01T01:00:00.000Z')).toBe(3600000);
    const twice = evolveFeed(once, failure('2026-01-01T02:00:00.000Z')) as FeedState;
    expect(twice.consecutiveFailures).toBe(2);
    expect(Date.parse(twice.nextDueAt) - Date.parse('2026-01-01T02:00:00.000Z')).toBe(7200000);
    expect(backoffMs(60, 30, null)).toBe(MAX_BACKOFF_MS);
    expect(backoffMs(1, 1, 600000)).toBe(600000);
  });

  it('the same events give the same schedule on every rebuild', () => {
    const events = [
      registered,
      event(
        'FeedNotModified',
        { url: 'u', durationMs: 1, etag: null, lastModified: null },
        '2026-01-02T00:00:00.000Z',
      ),
    ];
    expect(fold(...events)).toEqual(fold(...events));
  });

  it('pause, resume, unhealthy and recovered change status and health', () => {
    const paused = fold(registered, event('FeedPaused', { reason: '410 Gone' }, '2026-01-02T00:00:00.000Z'));
    expect(paused).toMatchObject({ status: 'paused', pauseReason: '410 Gone' });
    const resumed = evolveFeed(paused, event('FeedResumed', {}, '2026-01-03T00:00:00.000Z')) as FeedState;
    expect(resumed).toMatchObject({ status: 'active', nextDueAt: '2026-01-03T00:00:00.000Z' });
    const unhealthy = evolveFeed(
      resumed,
      event('FeedUnhealthy', { reason: 'x', consecutiveFailures: 3 }, '2026-01-03T01:00:00.000Z'),
    ) as FeedState;
    expect(unhealthy.healthy).toBe(false);
    expect(
      (
        evolveFeed(
          unhealthy,
          event('FeedRecovered', { afterFailures: 3 }, '2026-01-03T02:00:00.000Z'),
        ) as FeedState
      ).healthy,
    ).toBe(true);
  });

  it('a URL change clears the validators and makes the feed due', () => {
    const moved = fold(
      registered,
      event(
        'FeedFetched',
        {
          url: 'u',
          status: 200,
          durationMs: 5,
          bytes: 10,
          itemsSeen: 0,
          newItems: 0,
          revisedItems: 0,
          etag: '"v1"',
          lastModified: null,
          permanentRedirectTo: null,
          warnings: [],
        },
        '2026-01-01T01:00:00.000Z',
      ),
      event(
        'FeedUpdated',
        { changes: { url: 'https://b.test/feed' }, reason: 'redirect' },
        '2026-01-01T02:00:00.000Z',
      ),
    );
    expect(moved).toMatchObject({
      url: 'https://b.test/feed',
      etag: null,
      nextDueAt: '2026-01-01T02:00:00.000Z',
    });
  });
});
