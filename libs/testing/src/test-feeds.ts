import type { FeedRegistered } from '@frictionwatch/feeds';

/** A plain RSS feed registration for tests; override what the test is about. */
export function feedSpec(feedId: string, overrides: Partial<FeedRegistered> = {}): FeedRegistered {
  return {
    feedId,
    name: feedId,
    url: `https://example.test/${feedId}.xml`,
    kind: 'rss',
    json: null,
    html: null,
    intervalMinutes: 60,
    jurisdictionHint: null,
    topics: [],
    publisher: null,
    ...overrides,
  };
}
