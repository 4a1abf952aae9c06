export * from './feed.events';
export {
  evolveFeed,
  backoffMs,
  UNHEALTHY_AFTER_FAILURES,
  MAX_BACKOFF_MS,
  REDIRECTS_BEFORE_MOVE,
  type FeedState,
} from './feed-state';
export { feedsProjection, type FeedsTables } from './feeds.projection';
export { FeedRepository } from './feed.repository';
export { FeedRegistry, FeedNotFoundError } from './feed-registry';
export { FeedScheduler } from './feed-scheduler';
export { FeedFetchService, type FetchFeedResult } from './feed-fetch.service';
export { type FetchPort, type ParsePort, type SourceFormatSpec } from './feed-ports';
export { readSources, seedSources, DEFAULT_SOURCES_FILE } from './seed-sources';
export {
  FeedBackfillService,
  BackfillIncompleteError,
  type BackfillProgress,
  type BackfillReport,
} from './feed-backfill.service';
