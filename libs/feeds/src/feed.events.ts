import { z } from 'zod';
import type { EventDefinition } from '@frictionwatch/event-store';

export const SOURCE_KINDS = ['rss', 'json', 'html'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const JsonMappingSchema = z.object({
  itemsPath: z.string().min(1),
  id: z.string().optional(),
  title: z.string().min(1),
  link: z.string().min(1),
  date: z.string().optional(),
  summary: z.string().optional(),
  extra: z.record(z.string(), z.string()).optional(),
});

export const HtmlMappingSchema = z.object({
  item: z.string().min(1),
  title: z.string().min(1),
  link: z.string().min(1),
  date: z.string().optional(),
  summary: z.string().optional(),
});

/**
 * How a `json` source pages through history (the Federal Register API: date conditions, `page`,
 * `count`, `next_page_url`; it silently caps a query at 10,000 results, so history goes in date slices).
 */
export const BackfillSpecSchema = z.object({
  fromParam: z.string().min(1),
  toParam: z.string().min(1),
  countPath: z.string().min(1),
  nextPagePath: z.string().min(1),
  maxResults: z.number().int().positive(),
});

const feedId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,80}$/, 'feed ids are lower-case letters, digits and dashes');

export const FeedRegisteredSchema = z.object({
  feedId,
  name: z.string().min(1).max(200),
  url: z.string().url(),
  kind: z.enum(SOURCE_KINDS),
  json: JsonMappingSchema.nullable(),
  html: HtmlMappingSchema.nullable(),
  intervalMinutes: z.number().int().positive(),
  jurisdictionHint: z.string().nullable(),
  topics: z.array(z.string()),
  publisher: z.string().nullable(),
  backfill: BackfillSpecSchema.nullable().optional(),
});

export const FeedUpdatedSchema = z.object({
  feedId,
  changes: FeedRegisteredSchema.omit({ feedId: true }).partial(),
  reason: z.string().nullable(),
});

export const FeedPausedSchema = z.object({ feedId, reason: z.string() });
export const FeedResumedSchema = z.object({ feedId });
export const FeedRemovedSchema = z.object({ feedId });

export const FeedFetchedSchema = z.object({
  feedId,
  url: z.string(),
  status: z.number().int(),
  durationMs: z.number(),
  bytes: z.number().int(),
  itemsSeen: z.number().int(),
  newItems: z.number().int(),
  revisedItems: z.number().int(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  permanentRedirectTo: z.string().nullable(),
  warnings: z.array(z.string()),
});

export const FeedNotModifiedSchema = z.object({
  feedId,
  url: z.string(),
  durationMs: z.number(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
});

export const FeedFetchFailedSchema = z.object({
  feedId,
  url: z.string(),
  reason: z.string(),
  message: z.string(),
  status: z.number().int().nullable(),
  retryAfterMs: z.number().nullable(),
  durationMs: z.number(),
});

export const FeedUnhealthySchema = z.object({
  feedId,
  reason: z.string(),
  consecutiveFailures: z.number().int(),
});
export const FeedRecoveredSchema = z.object({ feedId, afterFailures: z.number().int() });

export type FeedRegistered = z.infer<typeof FeedRegisteredSchema>;
export type FeedUpdated = z.infer<typeof FeedUpdatedSchema>;
export type FeedFetched = z.infer<typeof FeedFetchedSchema>;
export type FeedNotModified = z.infer<typeof FeedNotModifiedSchema>;
export type FeedFetchFailed = z.infer<typeof FeedFetchFailedSchema>;
export type JsonMapping = z.infer<typeof JsonMappingSchema>;
export type HtmlMapping = z.infer<typeof HtmlMappingSchema>;
export type BackfillSpec = z.infer<typeof BackfillSpecSchema>;

export const FEED_EVENTS: EventDefinition[] = [
  { type: 'FeedRegistered', schemaVersion: 1, schema: FeedRegisteredSchema },
  { type: 'FeedUpdated', schemaVersion: 1, schema: FeedUpdatedSchema },
  { type: 'FeedPaused', schemaVersion: 1, schema: FeedPausedSchema },
  { type: 'FeedResumed', schemaVersion: 1, schema: FeedResumedSchema },
  { type: 'FeedRemoved', schemaVersion: 1, schema: FeedRemovedSchema },
  { type: 'FeedFetched', schemaVersion: 1, schema: FeedFetchedSchema },
  { type: 'FeedNotModified', schemaVersion: 1, schema: FeedNotModifiedSchema },
  { type: 'FeedFetchFailed', schemaVersion: 1, schema: FeedFetchFailedSchema },
  { type: 'FeedUnhealthy', schemaVersion: 1, schema: FeedUnhealthySchema },
  { type: 'FeedRecovered', schemaVersion: 1, schema: FeedRecoveredSchema },
];

export function feedStreamId(id: string): string {
  return `feed-${id}`;
}
