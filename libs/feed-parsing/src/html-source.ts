import { load } from 'cheerio';
import { MAX_HTML_DEPTH, nestingDepth, sniffRoot } from './markup-guards';
import type { HtmlMapping, ParseResult, RawItem } from './feed-parsing.types';

/** An HTML listing page read with CSS selectors (relative to each item; '' or ':scope' is the item itself). */
export function parseHtml(body: string, mapping: HtmlMapping | undefined, pageUrl: string): ParseResult {
  if (!mapping) return { ok: false, error: 'an html source needs a mapping (format.html)' };
  const root = sniffRoot(body);
  if (root.kind === 'empty') return { ok: false, error: 'expected an HTML page, got an empty document' };
  if (root.kind === 'json') return { ok: false, error: 'expected an HTML page, got JSON' };
  if (root.kind === 'feed') return { ok: false, error: `expected an HTML page, got a feed (${root.tag})` };
  if (nestingDepth(body, true, MAX_HTML_DEPTH) > MAX_HTML_DEPTH) {
    return { ok: false, error: `refused: markup nested deeper than ${MAX_HTML_DEPTH} levels` };
  }
  const $ = load(body);
  const warnings: string[] = [];
  const items: RawItem[] = [];
  const within = (element: Parameters<typeof $>[0], selector: string | undefined) =>
    selector === undefined
      ? null
      : !selector || selector === ':scope'
        ? $(element)
        : $(element).find(selector).first();
  $(mapping.item).each((index, element) => {
    const titleNode = within(element, mapping.title);
    const linkNode = within(element, mapping.link);
    const title =
      (titleNode?.attr('title') && !titleNode.text().trim() ? titleNode.attr('title') : titleNode?.text()) ??
      '';
    let href = linkNode?.attr('href');
    if (href === undefined && linkNode) href = linkNode.find('a[href]').first().attr('href');
    let link: string | null = null;
    if (href?.trim()) {
      try {
        link = new URL(href.trim(), pageUrl).toString();
      } catch {
        warnings.push(`item ${index}: unusable link ${JSON.stringify(href.slice(0, 100))}`);
      }
    }
    if (!title.trim() && !link) return;
    const date = mapping.date ? within(element, mapping.date)?.text().trim() : undefined;
    items.push({
      guid: null,
      title,
      link,
      summary: mapping.summary ? (within(element, mapping.summary)?.text() ?? '') : '',
      published: date || null,
      categories: [],
      extra: {},
    });
  });
  if (!items.length) warnings.push(`no item matched the selector ${JSON.stringify(mapping.item)}`);
  return { ok: true, items, warnings };
}
