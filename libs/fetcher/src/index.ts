export { FeedFetcher, DEFAULT_USER_AGENT } from './feed-fetcher';
export { decodeFeedBytes, stripIllegalXmlChars, type DecodedFeed } from './decode-feed-bytes';
export { isForbiddenAddress, canonicalIpAddress } from './address-policy';
export { feedUrlRefusal, type FeedUrlPolicyOptions } from './feed-url-policy';
export { parseRetryAfter } from './retry-after';
export type {
  FetcherOptions,
  FetchRequest,
  FetchOutcome,
  FetchOk,
  FetchNotModified,
  FetchFailed,
  FetchFailureReason,
} from './fetcher.types';
