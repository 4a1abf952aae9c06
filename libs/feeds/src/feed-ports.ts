import type { IngestibleItem } from '@frictionwatch/items';
import type { HtmlMapping, JsonMapping, SourceKind } from './feed.events';

/** What the feed fetch pipeline needs from the HTTP fetcher (`@frictionwatch/fetcher` provides it). */
export interface FetchPort {
  fetch(request: { url: string; etag?: string | null; lastModified?: string | null }): Promise<
    | {
        kind: 'ok';
        status: number;
        finalUrl: string;
        permanentRedirectTo: string | null;
        text: string;
        etag: string | null;
        lastModified: string | null;
        durationMs: number;
        bytes: number;
      }
    | {
        kind: 'not_modified';
        status: 304;
        etag: string | null;
        lastModified: string | null;
        durationMs: number;
      }
    | {
        kind: 'failed';
        reason: string;
        message: string;
        status: number | null;
        retryAfterMs: number | null;
        durationMs: number;
      }
  >;
}

export interface SourceFormatSpec {
  kind: SourceKind;
  json?: JsonMapping;
  html?: HtmlMapping;
}

/** What it needs from the parser (`@frictionwatch/feed-parsing`): parse off-thread, then normalise. */
export interface ParsePort {
  parse(
    text: string,
    format: SourceFormatSpec,
    pageUrl: string,
  ): Promise<{ ok: true; items: IngestibleItem[]; warnings: string[] } | { ok: false; error: string }>;
  /** Gets ready to parse (starts its threads), so the first feeds do not wait for that. */
  warm?(): Promise<void>;
}
