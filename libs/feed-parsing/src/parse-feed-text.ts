import { parseHtml } from './html-source';
import { parseJson } from './json-source';
import { parseRss } from './rss-source';
import type { ParseResult, SourceFormat } from './feed-parsing.types';

/**
 * Decoded text to raw items, in the calling thread. The feeds worker goes through `FeedParserPool`,
 * which runs this function off the main thread with a hard time limit.
 */
export function parseFeedText(text: string, format: SourceFormat, pageUrl: string): ParseResult {
  if (typeof text !== 'string') return { ok: false, error: 'expected decoded text' };
  try {
    switch (format?.kind) {
      case 'rss':
        return parseRss(text);
      case 'json':
        return parseJson(text, format.json, pageUrl);
      case 'html':
        return parseHtml(text, format.html, pageUrl);
      default:
        return { ok: false, error: `unknown source kind ${JSON.stringify(format?.kind)}` };
    }
  } catch (err) {
    if (err instanceof RangeError && /call stack/i.test(err.message)) {
      return { ok: false, error: 'markup nested too deeply (stack overflow while parsing)' };
    }
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: `parse failed: ${message.replace(/\s+/g, ' ').slice(0, 300)}` };
  }
}
