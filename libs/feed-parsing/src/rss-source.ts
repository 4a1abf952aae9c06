import { Parser as HtmlParser } from 'htmlparser2';
import Parser from 'rss-parser';
import { findDtd, MAX_XML_DEPTH, nestingDepth, repairXml, sniffRoot } from './markup-guards';
import { htmlToText } from './plain-text';
import type { ParseResult, RawItem } from './feed-parsing.types';

// rss-parser computes `contentSnippet` for every item with a backtracking regular expression that can
// spin for minutes on crafted markup; we never use it (nor `isoDate`), so its builder is replaced by a
// no-op in every process that loads this module (the parser pool's workers do).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rssUtils = require('rss-parser/lib/utils') as { getSnippet: (s: string) => string };
rssUtils.getSnippet = () => '';

type Xml = Record<string, unknown>;
interface RssParserInternals {
  xmlParser: { parseString(xml: string, cb: (err: unknown, result: Xml | undefined) => void): void };
  buildAtomFeed(x: Xml): FeedOut;
  buildRSS2(x: Xml): FeedOut;
  buildRSS1(x: Xml): FeedOut;
  buildRSS0_9(x: Xml): FeedOut;
}
type FeedItem = Record<string, unknown>;
interface FeedOut {
  items: FeedItem[];
}

const CUSTOM_ITEM_FIELDS: Parser.CustomFieldItem<FeedItem>[] = [
  ['published', 'fwPublished'],
  ['updated', 'fwUpdated'],
  ['fwpublished', 'fwPublished'],
  ['fwupdated', 'fwUpdated'],
  ['dc:date', 'fwDcDate'],
  ['category', 'fwCategory', { keepArray: true }],
  ['dc:subject', 'fwSubject', { keepArray: true }],
];

function newParser(): Parser & RssParserInternals {
  return new Parser({ customFields: { item: CUSTOM_ITEM_FIELDS } }) as unknown as Parser & RssParserInternals;
}

/**
 * rss-parser's `parseString`, minus the Promise: its xml2js step calls back synchronously and the feed is
 * built by the same methods in the same order (dispatch copied from rss-parser 3.13's parseString; a unit
 * test checks both give the same items on every fixture). A synchronous parse keeps one parse per worker
 * turn and lets the in-thread function keep a synchronous signature.
 */
export function rssParseStringSync(xml: string): FeedOut {
  const parser = newParser();
  let error: unknown = null;
  let result: Xml | undefined;
  let called = false;
  parser.xmlParser.parseString(xml, (err, res) => {
    if (called) return; // xml2js may call back twice after an error
    called = true;
    error = err;
    result = res;
  });
  if (!called) throw new Error('XML parser did not finish');
  if (error) throw error instanceof Error ? error : new Error(String(error));
  if (!result) throw new Error('Unable to parse XML.');
  const rss = result.rss as { $?: { version?: string } } | undefined;
  const version = rss?.$?.version ?? '';
  if (result.feed) return parser.buildAtomFeed(result);
  if (rss && /^2/.test(version)) return parser.buildRSS2(result);
  if (result['rdf:RDF']) return parser.buildRSS1(result);
  if (rss && /0\.9/.test(version)) return parser.buildRSS0_9(result);
  if (rss) return parser.buildRSS2(result); // an <rss> without a usable version: read it as 2.0
  throw new Error('Feed not recognized as RSS 1 or 2.');
}

/** The same options, through rss-parser's public Promise API (used by the equivalence test). */
export function rssParseStringAsync(xml: string): Promise<FeedOut> {
  return newParser().parseString(xml) as unknown as Promise<FeedOut>;
}

function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** An HTML named entity's text, decoded by htmlparser2 (null when HTML does not know the name). */
function decodeNamedEntity(name: string): string | null {
  let decoded = '';
  const parser = new HtmlParser({ ontext: (text) => (decoded += text) }, { decodeEntities: true });
  parser.end(`&${name};`);
  return decoded && decoded !== `&${name};` ? decoded : null;
}

function str(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object') {
    const v = value as { _?: unknown; $?: { href?: unknown; term?: unknown } };
    if (typeof v._ === 'string') return v._;
  }
  return null;
}

function categoriesOf(item: FeedItem): string[] {
  const out: string[] = [];
  const push = (value: unknown) => {
    if (value && typeof value === 'object' && !('_' in value)) {
      const attrs = (value as { $?: { term?: unknown; label?: unknown } }).$;
      const term = str(attrs?.label) ?? str(attrs?.term);
      if (term) out.push(term);
      return;
    }
    const s = str(value);
    if (s) out.push(s);
  };
  for (const key of ['categories', 'fwCategory', 'fwSubject']) {
    const list = item[key];
    if (Array.isArray(list)) list.forEach(push);
  }
  return [...new Set(out.map((c) => htmlToText(c)).filter(Boolean))];
}

function toRawItem(item: FeedItem): RawItem {
  const guid = str(item.guid) ?? str(item.id) ?? str(item['rdf:about']);
  const summary = str(item.content) ?? str(item.summary) ?? str(item['content:encoded']) ?? '';
  const published =
    // Atom's published/updated as written (rss-parser rewrites them into pubDate), else RSS's pubDate/dc:date
    str(item.fwPublished) ?? str(item.fwUpdated) ?? str(item.pubDate) ?? str(item.fwDcDate) ?? str(item.date);
  return {
    guid: guid?.trim() || null,
    title: str(item.title) ?? '',
    link: str(item.link)?.trim() || null,
    summary,
    published: published?.trim() || null,
    categories: categoriesOf(item),
    extra: {},
  };
}

/**
 * Atom text constructs of `type="xhtml"` carry markup inline; xml2js (under rss-parser) does not keep the
 * order of mixed text and elements, so "in <b>DS562</b>, a" would come out as "in , a". Hand such
 * content to the parser as escaped HTML instead, which it keeps as one string.
 */
export function escapeAtomXhtml(text: string): string {
  if (!/type\s*=\s*["']xhtml["']/.test(text)) return text;
  return text.replace(
    /<(content|summary|title|subtitle|rights)(\s[^>]*?)type\s*=\s*["']xhtml["']([^>]*)>([\s\S]*?)<\/\1>/g,
    (_match, name: string, before: string, after: string, inner: string) =>
      `<${name}${before}type="html"${after}>${inner.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</${name}>`,
  );
}

/** Refusals and recognitions made before parsing; null when the text may be handed to the parser. */
export function checkFeedText(text: string): string | null {
  const root = sniffRoot(text);
  switch (root.kind) {
    case 'empty':
      return 'expected an RSS or Atom document, got an empty document';
    case 'html':
      return `expected an RSS or Atom document, got HTML (${root.tag})`;
    case 'json':
      return 'expected an RSS or Atom document, got JSON';
    case 'text':
      return `expected an RSS or Atom document, got text starting with ${JSON.stringify(root.start)}`;
    case 'xml':
      return `expected an RSS or Atom document, got XML with root ${root.tag}`;
    case 'doctype':
      return 'refused: the document declares a DOCTYPE (DTD and entity declarations are not allowed: entity expansion, XXE)';
    case 'feed':
      break;
  }
  const dtd = findDtd(text);
  if (dtd) {
    return `refused: the document declares ${dtd === 'ENTITY' ? 'an ENTITY' : 'a DOCTYPE'} (DTD and entity declarations are not allowed: entity expansion, XXE)`;
  }
  const depth = nestingDepth(text, false, MAX_XML_DEPTH);
  if (depth > MAX_XML_DEPTH) return `refused: markup nested deeper than ${MAX_XML_DEPTH} levels`;
  return null;
}

/** RSS 0.9x, RSS 1.0 (RDF), RSS 2.0 and Atom. */
export function parseRss(text: string): ParseResult {
  const refused = checkFeedText(text);
  if (refused) return { ok: false, error: refused };
  const warnings: string[] = [];
  text = escapeAtomXhtml(text);
  let feed: FeedOut;
  try {
    feed = rssParseStringSync(text);
  } catch (first) {
    if (first instanceof RangeError && /call stack/i.test(first.message)) {
      return { ok: false, error: 'markup nested too deeply (stack overflow while parsing)' };
    }
    let repaired = repairXml(text, decodeNamedEntity);
    if (first instanceof RangeError && /invalid time value/i.test(first.message)) {
      // rss-parser converts Atom dates with `new Date(...).toISOString()`, which throws on a bad date
      // and loses the whole feed: hide those elements from it (we read them as custom fields).
      const renamed = repaired.text.replace(/<(\/?)(published|updated)\b/g, '<$1fw$2');
      repaired = {
        text: renamed,
        fixes: [...repaired.fixes, 'kept unreadable Atom dates away from rss-parser'],
      };
    }
    if (!repaired.fixes.length || repaired.text === text) {
      return { ok: false, error: `malformed feed: ${describe(first)}` };
    }
    try {
      feed = rssParseStringSync(repaired.text);
    } catch {
      return { ok: false, error: `malformed feed: ${describe(first)}` };
    }
    warnings.push(
      `recovered a malformed feed (${repaired.fixes.join(', ')}); first error: ${describe(first)}`,
    );
  }
  const items = (feed.items ?? []).map(toRawItem);
  return { ok: true, items, warnings };
}
