/** How a source publishes: a feed (RSS/Atom), a JSON API with a declared mapping, or an HTML listing page. */
export type SourceKind = 'rss' | 'json' | 'html';

/**
 * Where the fields of a JSON API's items are. Paths are dotted (`results`, `document_number`); a segment
 * ending in `[]` maps over an array (`agencies[].name`). `itemsPath` '' means the document is the array.
 */
export interface JsonMapping {
  itemsPath: string;
  id?: string;
  title: string;
  link: string;
  date?: string;
  summary?: string;
  /** name in `extra` → path in the item: the structured facts a source provides. */
  extra?: Record<string, string>;
}

/** CSS selectors, relative to each `item`; the link comes from `href`, resolved against the page URL. */
export interface HtmlMapping {
  item: string;
  title: string;
  link: string;
  date?: string;
  summary?: string;
}

export interface SourceFormat {
  kind: SourceKind;
  json?: JsonMapping;
  html?: HtmlMapping;
}

/** An item as the source wrote it (text may still hold markup; the date is not parsed yet). */
export interface RawItem {
  guid: string | null;
  title: string;
  link: string | null;
  summary: string;
  published: string | null;
  categories: string[];
  extra: Record<string, unknown>;
}

export interface NormalisedItem {
  /** Stable key within a source: `guid:…`, `url:…` or `hash:…` (see keySource). */
  key: string;
  keySource: 'guid' | 'url' | 'hash';
  /** The source's guid as given, even when it was not trusted as the key (a caller can spot re-keying). */
  guid: string | null;
  /** Canonical URL. */
  url: string | null;
  title: string;
  summary: string;
  /** ISO 8601, UTC. */
  publishedAt: string;
  dateSource: 'feed' | 'first_seen';
  categories: string[];
  extra: Record<string, unknown>;
  /** sha256 (hex) of the normalised title, summary and URL, WITHOUT the date. */
  contentHash: string;
}

export type ParseResult = { ok: true; items: RawItem[]; warnings: string[] } | { ok: false; error: string };
export type NormalisedParseResult =
  { ok: true; items: NormalisedItem[]; warnings: string[] } | { ok: false; error: string };
