import { sniffRoot } from './markup-guards';
import type { JsonMapping, ParseResult, RawItem } from './feed-parsing.types';

/** Reads a dotted path; a segment ending in `[]` maps over an array (`agencies[].name`). */
export function readPath(value: unknown, path: string): unknown {
  if (!path) return value;
  const segments = path.split('.');
  const walk = (current: unknown, index: number): unknown => {
    if (index === segments.length) return current;
    if (current === null || current === undefined) return undefined;
    const segment = segments[index];
    const mapped = segment.endsWith('[]');
    const name = mapped ? segment.slice(0, -2) : segment;
    const next = name
      ? typeof current === 'object'
        ? (current as Record<string, unknown>)[name]
        : undefined
      : current;
    if (!mapped) return walk(next, index + 1);
    if (!Array.isArray(next)) return undefined;
    return next.map((element) => walk(element, index + 1)).filter((v) => v !== undefined && v !== null);
  };
  return walk(value, 0);
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const parts = value.map(text).filter((v): v is string => !!v);
    return parts.length ? parts.join(', ') : null;
  }
  return null;
}

/** A link resolved against the page URL (GOV.UK gives paths); left as written when it cannot be. */
function resolve(link: string, pageUrl: string): string {
  try {
    return new URL(link, pageUrl).toString();
  } catch {
    return link;
  }
}

/** A JSON-safe copy with bounded depth and size (extras travel in events). */
function plain(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (depth >= 6) return null;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => plain(v, depth + 1));
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .slice(0, 100)
        .map(([k, v]) => [k, plain(v, depth + 1)]),
    );
  }
  return null;
}

/** A JSON API page read through a declared mapping; the mapping's `extra` fields are kept as given. */
export function parseJson(body: string, mapping: JsonMapping | undefined, pageUrl: string): ParseResult {
  if (!mapping) return { ok: false, error: 'a json source needs a mapping (format.json)' };
  const root = sniffRoot(body);
  if (root.kind === 'empty') return { ok: false, error: 'expected JSON, got an empty document' };
  if (root.kind === 'html') return { ok: false, error: `expected JSON, got HTML (${root.tag})` };
  if (root.kind === 'feed' || root.kind === 'xml' || root.kind === 'doctype') {
    return { ok: false, error: `expected JSON, got XML${'tag' in root ? ` (${root.tag})` : ''}` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);
  } catch (err) {
    return {
      ok: false,
      error: `invalid JSON: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`,
    };
  }
  const list = readPath(doc, mapping.itemsPath);
  if (list === undefined && mapping.itemsPath && doc && typeof doc === 'object' && !Array.isArray(doc)) {
    // The Federal Register answers a query with no match as `{"count":0}` (no `results`).
    const count = (doc as { count?: unknown }).count;
    if (count === 0) return { ok: true, items: [], warnings: [] };
  }
  if (!Array.isArray(list)) {
    const got = list === null ? 'null' : Array.isArray(list) ? 'array' : typeof list;
    return { ok: false, error: `items path '${mapping.itemsPath}' is not an array (got ${got})` };
  }
  const warnings: string[] = [];
  const items: RawItem[] = [];
  list.forEach((entry, index) => {
    if (!entry || typeof entry !== 'object') {
      warnings.push(`item ${index} is not an object: skipped`);
      return;
    }
    const title = text(readPath(entry, mapping.title)) ?? '';
    const link = text(readPath(entry, mapping.link));
    if (!title && !link) {
      warnings.push(`item ${index} has neither title nor link: skipped`);
      return;
    }
    const extra: Record<string, unknown> = {};
    for (const [name, path] of Object.entries(mapping.extra ?? {})) {
      const value = readPath(entry, path);
      if (value !== undefined) extra[name] = plain(value);
    }
    items.push({
      guid: mapping.id ? text(readPath(entry, mapping.id))?.trim() || null : null,
      title,
      link: link?.trim() ? resolve(link.trim(), pageUrl) : null,
      summary: mapping.summary ? (text(readPath(entry, mapping.summary)) ?? '') : '',
      published: mapping.date ? text(readPath(entry, mapping.date))?.trim() || null : null,
      categories: [],
      extra,
    });
  });
  return { ok: true, items, warnings };
}

/** The Federal Register `documents.json` API (https://www.federalregister.gov/api/v1/documents.json). */
export const FEDERAL_REGISTER_MAPPING: JsonMapping = {
  itemsPath: 'results',
  id: 'document_number',
  title: 'title',
  link: 'html_url',
  date: 'publication_date',
  summary: 'abstract',
  extra: {
    documentNumber: 'document_number',
    type: 'type',
    agencies: 'agencies[].name',
    docketIds: 'docket_ids',
    effectiveOn: 'effective_on',
    commentsCloseOn: 'comments_close_on',
    citation: 'citation',
    pdfUrl: 'pdf_url',
  },
};

/** The GOV.UK search API (https://www.gov.uk/api/search.json); links are relative to https://www.gov.uk. */
export const GOV_UK_SEARCH_MAPPING: JsonMapping = {
  itemsPath: 'results',
  title: 'title',
  link: 'link',
  date: 'public_timestamp',
  summary: 'description',
  extra: {
    contentId: 'content_id',
    format: 'format',
    displayType: 'display_type',
    organisations: 'organisations[].title',
  },
};
