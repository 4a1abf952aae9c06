/**
 * Length-preserving normalisation, one UTF-16 code unit at a time, so that offsets found in the
 * normalised text are offsets in the original: lower case, curly quotes read as straight ones, hyphens,
 * dashes and every kind of space read as a plain space. Runs of spaces are collapsed by the matcher.
 */
export const SPACE = 0x20;

const table: Uint16Array = buildTable();

function buildTable(): Uint16Array {
  const t = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) {
      t[c] = c;
      continue;
    }
    const lower = String.fromCharCode(c).toLowerCase();
    t[c] = lower.length === 1 ? lower.charCodeAt(0) : c;
  }
  const toSpace = [
    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x2d, 0xa0, 0xad, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015,
  ];
  for (const c of [...toSpace, 0x2212, 0x3000, 0x2002, 0x2003, 0x2009, 0x200a, 0x202f, 0x205f, 0x1680])
    t[c] = SPACE;
  for (const c of [0x2018, 0x2019, 0x201b, 0x2032, 0x02bc, 0x0060, 0x00b4]) t[c] = 0x27; // '
  for (const c of [0x201c, 0x201d, 0x201f, 0x2033]) t[c] = 0x22; // "
  // Full-width ASCII (common in Chinese text) reads as ASCII.
  for (let c = 0xff01; c <= 0xff5e; c++) t[c] = t[c - 0xff01 + 0x21];
  return t;
}

/** The normalised code of one UTF-16 code unit. */
export function normalizeCode(code: number): number {
  return table[code];
}

/** Normalises a phrase the way the matcher reads text: mapped codes, spaces collapsed and trimmed. */
export function normalizePhrase(phrase: string): string {
  let out = '';
  let previousSpace = true;
  for (let i = 0; i < phrase.length; i++) {
    const c = table[phrase.charCodeAt(i)];
    if (c === SPACE) {
      if (previousSpace) continue;
      previousSpace = true;
    } else {
      previousSpace = false;
    }
    out += String.fromCharCode(c);
  }
  return out.endsWith(' ') ? out.slice(0, -1) : out;
}

/** Latin letters and digits (with Latin-1 and Latin Extended letters): what a word boundary separates. */
export function isWordCode(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7)
  );
}

/** CJK ideographs and punctuation: matched as substrings, without word boundaries. */
export function isCjkCode(code: number): boolean {
  return (
    (code >= 0x2e80 && code <= 0x9fff) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x3000 && code <= 0x303f)
  );
}
