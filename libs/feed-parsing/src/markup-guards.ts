// Checks made on the decoded text before any parser sees it.

/** Nesting deeper than this is refused before parsing (real feeds nest < 20 levels, pages < 100). */
export const MAX_XML_DEPTH = 1_000;
export const MAX_HTML_DEPTH = 5_000;

const HTML_VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);

export type Root =
  | { kind: 'feed'; tag: string }
  | { kind: 'html'; tag: string }
  | { kind: 'xml'; tag: string }
  | { kind: 'doctype'; tag: string }
  | { kind: 'json' }
  | { kind: 'empty' }
  | { kind: 'text'; start: string };

/** Skips the BOM, whitespace, the XML declaration, comments and processing instructions. */
function prologEnd(text: string): number {
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return text.length;
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return text.length;
      i = end + 3;
    } else {
      return i;
    }
  }
}

/** What the document is, judged by its first element (or first character). */
export function sniffRoot(text: string): Root {
  const i = prologEnd(text);
  const rest = text.slice(i, i + 200);
  if (!rest.trim()) return { kind: 'empty' };
  if (/^<!doctype\s+html/i.test(rest)) return { kind: 'html', tag: '<!DOCTYPE html>' };
  if (/^<!doctype/i.test(rest)) return { kind: 'doctype', tag: '<!DOCTYPE>' };
  if (rest[0] === '{' || rest[0] === '[') return { kind: 'json' };
  const tag = /^<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)/.exec(rest);
  if (!tag) return { kind: 'text', start: rest.slice(0, 40).replace(/\s+/g, ' ') };
  const name = tag[1];
  const local = name.includes(':') ? name.split(':')[1] : name;
  if (/^(rss|feed|RDF)$/.test(local)) return { kind: 'feed', tag: `<${name}>` };
  if (/^(html|head|body)$/i.test(name)) return { kind: 'html', tag: `<${name.toLowerCase()}>` };
  return { kind: 'xml', tag: `<${name}>` };
}

/** A DOCTYPE or ENTITY declaration anywhere outside CDATA sections and comments. */
export function findDtd(text: string): string | null {
  const scrubbed = text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const m = /<!(DOCTYPE|ENTITY)\b/i.exec(scrubbed);
  return m ? m[1].toUpperCase() : null;
}

/**
 * The deepest element nesting, counted with a linear scan of the tags (CDATA, comments, declarations,
 * self-closing and, for HTML, void elements do not nest). Stops early once `limit` is passed.
 */
export function nestingDepth(text: string, html: boolean, limit: number): number {
  let depth = 0;
  let max = 0;
  const tag = /<(\/?)([A-Za-z][\w:.-]*)[^<>]*?(\/?)>|<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(text))) {
    if (m[2] === undefined) continue;
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (!m[3] && !(html && HTML_VOID.has(m[2].toLowerCase()))) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    }
  }
  return max;
}

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

/**
 * Textual repairs for the defects that make a strict XML parser reject a whole feed: a bare `&`,
 * an HTML named entity XML does not know (`&nbsp;`), characters illegal in XML.
 */
export function repairXml(
  text: string,
  decodeNamedEntity: (name: string) => string | null,
): { text: string; fixes: string[] } {
  let bare = 0;
  let named = 0;
  let illegal = 0;
  // eslint-disable-next-line no-control-regex -- removing characters illegal in XML is the point
  let out = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, () => {
    illegal++;
    return '';
  });
  out = out.replace(
    /<!\[CDATA\[[\s\S]*?\]\]>|&(#\d+;|#x[0-9a-fA-F]+;|([A-Za-z][A-Za-z0-9]*);)?/g,
    (match, ref, name) => {
      if (match.startsWith('<![CDATA[')) return match;
      if (!ref) {
        bare++;
        return '&amp;';
      }
      if (!name || XML_ENTITIES.has(name)) return match;
      const decoded = decodeNamedEntity(name);
      if (decoded === null) {
        bare++;
        return `&amp;${name};`;
      }
      named++;
      return [...decoded].map((c) => `&#${c.codePointAt(0)};`).join('');
    },
  );
  const fixes: string[] = [];
  if (bare) fixes.push(`escaped ${bare} bare '&'`);
  if (named) fixes.push(`replaced ${named} HTML entities`);
  if (illegal) fixes.push(`removed ${illegal} characters illegal in XML`);
  return { text: out, fixes };
}
