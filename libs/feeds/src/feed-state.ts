import { createHash } from 'node:crypto';
import type { StoredEvent } from '@frictionwatch/event-store';
import type {
  BackfillSpec,
  FeedFetched,
  FeedFetchFailed,
  FeedNotModified,
  FeedRegistered,
  FeedUpdated,
  HtmlMapping,
  JsonMapping,
  SourceKind,
} from './feed.events';

/** Failed fetches in a row that make a feed unhealthy. */
export const UNHEALTHY_AFTER_FAILURES = 3;
/** The longest a failing feed waits before its next try. */
export const MAX_BACKOFF_MS = 24 * 3600 * 1000;
/** A feed that has yielded no item for this many polling intervals (and at least a week) is unhealthy. */
export const SILENT_AFTER_INTERVALS = 20;
export const SILENT_AFTER_MIN_MS = 7 * 24 * 3600 * 1000;

/** When a feed that still answers has been silent for far longer than usual, or null. */
export function silentSince(state: FeedState, now: Date): string | null {
  const since = state.lastItemsAt ?? state.registeredAt;
  const limit = Math.max(SILENT_AFTER_MIN_MS, SILENT_AFTER_INTERVALS * state.intervalMinutes * 60000);
  return now.getTime() - Date.parse(since) > limit ? since : null;
}

/** A permanent redirect seen this many times in a row moves the feed to the new URL. */
export const REDIRECTS_BEFORE_MOVE = 3;

/** A feed's current state: the `feeds` read model's row, folded from its events. */
export interface FeedState {
  feedId: string;
  name: string;
  url: string;
  kind: SourceKind;
  json: JsonMapping | null;
  html: HtmlMapping | null;
  intervalMinutes: number;
  jurisdictionHint: string | null;
  topics: string[];
  publisher: string | null;
  backfill?: BackfillSpec | null;
  status: 'active' | 'paused' | 'removed';
  pauseReason: string | null;
  etag: string | null;
  lastModified: string | null;
  lastFetchAt: string | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastFailureReason: string | null;
  lastStatus: number | null;
  consecutiveFailures: number;
  itemsLastFetch: number | null;
  /** The last fetch that yielded at least one item. */
  lastItemsAt?: string | null;
  newItemsTotal: number;
  fetchesTotal: number;
  healthy: boolean;
  redirectTo: string | null;
  redirectCount: number;
  nextDueAt: string;
  registeredAt: string;
}

/** Spreads a feed's fetches over 10% of its interval, the same way on every rebuild. */
function jitterMs(feedId: string, at: string, intervalMs: number): number {
  const hash = createHash('sha256').update(`${feedId}|${at}`).digest();
  return Math.floor((hash.readUInt32BE(0) / 0xffffffff) * intervalMs * 0.1);
}

function plus(at: string, ms: number): string {
  return new Date(Date.parse(at) + ms).toISOString();
}

/** Exponential backoff after failures, capped, never before the server's Retry-After. */
export function backoffMs(
  intervalMinutes: number,
  consecutiveFailures: number,
  retryAfterMs: number | null,
): number {
  const exponential = Math.min(
    MAX_BACKOFF_MS,
    intervalMinutes * 60000 * 2 ** Math.max(0, consecutiveFailures - 1),
  );
  return Math.max(exponential, retryAfterMs ?? 0);
}

/** evolve(state, event) → state. Pure: time comes from the event, so a rebuild gives the same rows. */
export function evolveFeed(state: FeedState | null, event: StoredEvent): FeedState | null {
  const at = event.metadata.occurredAt;
  const interval = (s: FeedState) => s.intervalMinutes * 60000;
  switch (event.type) {
    case 'FeedRegistered': {
      const data = event.data as FeedRegistered;
      return {
        ...data,
        status: 'active',
        pauseReason: null,
        etag: null,
        lastModified: null,
        lastFetchAt: null,
        lastSuccessAt: null,
        lastFailureAt: null,
        lastFailureReason: null,
        lastStatus: null,
        consecutiveFailures: 0,
        itemsLastFetch: null,
        newItemsTotal: 0,
        fetchesTotal: 0,
        healthy: true,
        redirectTo: null,
        redirectCount: 0,
        nextDueAt: at,
        registeredAt: at,
      };
    }
    case 'FeedUpdated': {
      if (!state) return state;
      const { changes } = event.data as FeedUpdated;
      const moved = changes.url !== undefined && changes.url !== state.url;
      return {
        ...state,
        ...changes,
        ...(moved
          ? { etag: null, lastModified: null, redirectTo: null, redirectCount: 0, nextDueAt: at }
          : {}),
      };
    }
    case 'FeedPaused':
      return state && { ...state, status: 'paused', pauseReason: (event.data as { reason: string }).reason };
    case 'FeedResumed':
      return (
        state && { ...state, status: 'active', pauseReason: null, consecutiveFailures: 0, nextDueAt: at }
      );
    case 'FeedRemoved':
      return state && { ...state, status: 'removed' };
    case 'FeedFetched': {
      if (!state) return state;
      const data = event.data as FeedFetched;
      const redirectCount =
        data.permanentRedirectTo && data.permanentRedirectTo === state.redirectTo
          ? state.redirectCount + 1
          : data.permanentRedirectTo
            ? 1
            : 0;
      return {
        ...state,
        etag: data.etag,
        lastModified: data.lastModified,
        lastFetchAt: at,
        lastSuccessAt: at,
        lastStatus: data.status,
        consecutiveFailures: 0,
        itemsLastFetch: data.itemsSeen,
        lastItemsAt: data.itemsSeen > 0 ? at : (state.lastItemsAt ?? null),
        newItemsTotal: state.newItemsTotal + data.newItems,
        fetchesTotal: state.fetchesTotal + 1,
        redirectTo: data.permanentRedirectTo,
        redirectCount,
        nextDueAt: plus(at, interval(state) + jitterMs(state.feedId, at, interval(state))),
      };
    }
    case 'FeedNotModified': {
      if (!state) return state;
      const data = event.data as FeedNotModified;
      return {
        ...state,
        etag: data.etag ?? state.etag,
        lastModified: data.lastModified ?? state.lastModified,
        lastFetchAt: at,
        lastSuccessAt: at,
        lastStatus: 304,
        consecutiveFailures: 0,
        itemsLastFetch: 0,
        fetchesTotal: state.fetchesTotal + 1,
        nextDueAt: plus(at, interval(state) + jitterMs(state.feedId, at, interval(state))),
      };
    }
    case 'FeedFetchFailed': {
      if (!state) return state;
      const data = event.data as FeedFetchFailed;
      const failures = state.consecutiveFailures + 1;
      return {
        ...state,
        lastFetchAt: at,
        lastFailureAt: at,
        lastFailureReason: `${data.reason}: ${data.message}`,
        lastStatus: data.status,
        consecutiveFailures: failures,
        fetchesTotal: state.fetchesTotal + 1,
        nextDueAt: plus(at, backoffMs(state.intervalMinutes, failures, data.retryAfterMs)),
      };
    }
    case 'FeedUnhealthy':
      return state && { ...state, healthy: false };
    case 'FeedRecovered':
      return state && { ...state, healthy: true };
    default:
      return state;
  }
}
