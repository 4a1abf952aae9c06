import { Parser } from 'htmlparser2';

const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'td',
  'th',
  'tr',
  'ul',
]);
const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'head']);

/**
 * Markup to plain text with an HTML parser (htmlparser2, streaming: no tree, no recursion): tags removed,
 * block elements separate words, script/style dropped, entities decoded, control characters removed,
 * whitespace folded to single spaces.
 */
export function htmlToText(html: string | null | undefined, maxLength = 20_000): string {
  if (!html) return '';
  // Text without markup or entities (most titles, many summaries) is what the parser would hand back
  // whole: fold it without running the parser.
  if (html.length <= maxLength * 2 && !html.includes('<') && !html.includes('&'))
    return foldWhitespace(html).slice(0, maxLength).trim();
  const parts: string[] = [];
  let skipping = 0;
  let length = 0;
  const parser = new Parser(
    {
      onopentagname(name) {
        if (SKIPPED.has(name)) skipping++;
        else if (BLOCK.has(name)) parts.push(' ');
      },
      onclosetag(name) {
        if (SKIPPED.has(name)) skipping = Math.max(0, skipping - 1);
        else if (BLOCK.has(name)) parts.push(' ');
      },
      ontext(text) {
        if (skipping === 0 && length <= maxLength * 2) {
          parts.push(text);
          length += text.length;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  return foldWhitespace(parts.join('')).slice(0, maxLength).trim();
}

export function foldWhitespace(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- removing characters illegal in XML is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/g, '')
      .replace(/[\s\u00a0\u200b\u3000]+/g, ' ')
      .trim()
  );
}
