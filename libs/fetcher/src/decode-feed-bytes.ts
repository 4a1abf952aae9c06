import * as iconv from 'iconv-lite';

export interface DecodedFeed {
  text: string;
  /** The charset the bytes were decoded with (canonical lower-case label). */
  charset: string;
  /** Set when a declared charset could not be used and UTF-8 was used instead. */
  note?: string;
}

/** Labels whose WHATWG decoder differs from the literal codec: browsers (and publishers) mean these. */
const charsetAliases: Record<string, string> = {
  'iso-8859-1': 'windows-1252',
  iso8859_1: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  'x-cp1252': 'windows-1252',
  cp1252: 'windows-1252',
  gb2312: 'gbk',
  'x-gbk': 'gbk',
  'x-euc-cn': 'gbk',
  cp936: 'gbk',
  'iso-8859-9': 'windows-1254',
  'iso-8859-11': 'windows-874',
  'tis-620': 'windows-874',
  'x-sjis': 'shift_jis',
  sjis: 'shift_jis',
  ms_kanji: 'shift_jis',
  'windows-31j': 'shift_jis',
  'x-mac-roman': 'macintosh',
  utf8: 'utf-8',
  unicode: 'utf-16le',
  'ucs-2': 'utf-16le',
};

const illegalXmlChars = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes characters that XML 1.0 does not allow (control characters, lone surrogates, U+FFFE/FFFF). */
export function stripIllegalXmlChars(text: string): string {
  return text.replace(illegalXmlChars, '');
}

function normaliseLabel(label: string): string {
  const trimmed = label
    .trim()
    .replace(/^["']|["']$/g, '')
    .toLowerCase();
  return charsetAliases[trimmed] ?? trimmed;
}

/** The `charset` parameter of a Content-Type header, if any. */
export function charsetFromContentType(contentType: string | null): string | null {
  if (!contentType) return null;
  const match = /;\s*charset\s*=\s*("([^"]*)"|[^;\s]*)/i.exec(contentType);
  const value = match ? (match[2] ?? match[1]) : null;
  return value ? value.trim() : null;
}

function sniffBom(body: Buffer): { charset: string; length: number } | null {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    return { charset: 'utf-8', length: 3 };
  }
  if (body.length >= 4 && body[0] === 0xff && body[1] === 0xfe && body[2] === 0 && body[3] === 0) {
    return { charset: 'utf-32le', length: 4 };
  }
  if (body.length >= 4 && body[0] === 0 && body[1] === 0 && body[2] === 0xfe && body[3] === 0xff) {
    return { charset: 'utf-32be', length: 4 };
  }
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  return null;
}

/** The encoding named in an XML declaration, or in an HTML `<meta charset>` / `http-equiv` tag. */
export function charsetFromMarkup(body: Buffer): string | null {
  // Read the head as latin1: every ASCII-compatible charset agrees on the bytes of the declaration.
  const head = body.subarray(0, 4096).toString('latin1');
  const xmlDecl = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  if (xmlDecl) return xmlDecl[1]!;
  if (/^\s*<\?xml\s/.test(head)) return null;
  const meta =
    /<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head) ??
    /<meta\s[^>]*?content\s*=\s*["'][^"']*?charset\s*=\s*([A-Za-z0-9._:-]+)/i.exec(head);
  return meta ? meta[1]! : null;
}

/**
 * Decodes a feed's bytes: byte-order mark, then the HTTP charset, then the XML declaration's encoding
 * (or an HTML `<meta charset>`), then UTF-8. An unknown charset falls back to UTF-8 with a note.
 * Characters illegal in XML 1.0 are stripped from the result.
 */
export function decodeFeedBytes(body: Buffer, contentTypeHeader: string | null): DecodedFeed {
  const bom = sniffBom(body);
  if (bom) {
    const text = iconv.decode(body.subarray(bom.length), bom.charset, { stripBOM: true });
    return { text: stripIllegalXmlChars(text), charset: bom.charset };
  }

  let note: string | undefined;
  const candidates: { label: string; source: string }[] = [];
  const fromHeader = charsetFromContentType(contentTypeHeader);
  if (fromHeader) candidates.push({ label: fromHeader, source: 'the Content-Type header' });
  const fromMarkup = charsetFromMarkup(body);
  if (fromMarkup) candidates.push({ label: fromMarkup, source: 'the document' });

  let charset = 'utf-8';
  for (const candidate of candidates) {
    const label = normaliseLabel(candidate.label);
    // Without a BOM, a UTF-16/32 declaration read from ASCII-compatible bytes is a mislabel.
    const asciiIncompatible = /^(utf-?16|utf-?32|ucs-?4)/.test(label) && candidate.source === 'the document';
    if (label && !asciiIncompatible && iconv.encodingExists(label)) {
      charset = label;
      break;
    }
    note ??= `unknown charset "${candidate.label}" in ${candidate.source}`;
  }

  const text = iconv.decode(body, charset, { stripBOM: true });
  const decoded: DecodedFeed = { text: stripIllegalXmlChars(text), charset };
  if (note !== undefined) decoded.note = `${note}; decoded as ${charset}`;
  return decoded;
}
