/**
 * Tariff classification codes and duty rates mentioned in a text.
 * HS / HTSUS / CN codes: dotted (8703.80, 8541.43.0010, 8507.60.00) anywhere; undotted or spaced
 * (8703 80 10, 850760) only after "HS", "CN", "HTS", "TARIC", "heading", "subheading", "tariff code".
 * Duty rates: percentages ("100%", "17.4 per cent") near a duty word, in the canonical form "17.4%".
 */
const DOTTED_CODE = /(?<![\w.$€£¥,])(\d{4}\.\d{2}(?:\.\d{2}(?:\d{2})?)?)(?![\w.]*\d)/g;
const KEYWORD_CODE =
  /\b(?:HS|HTS|HTSUS|CN|TARIC|(?:sub)?headings?|tariff (?:codes?|lines?)|codes?)\s*(?:codes?\s*|Nos?\.?\s*|numbers?\s*)?(?:ex\s+)?((?:\d{4}(?:[ .]?\d{2}){0,3})(?:\s*(?:,|and|or)\s*(?:ex\s+)?\d{4}(?:[ .]?\d{2}){0,3})*)/g;
const RATE = /(?<![\w.])(\d{1,3}(?:[.,]\d{1,2})?)\s?(?:%|％|per\s?cent\b|percent\b)/g;

export function parseHsCodes(text: string): string[] {
  const codes: string[] = [];
  if (!/\d{4}/.test(text)) return codes;
  DOTTED_CODE.lastIndex = 0;
  for (let m = DOTTED_CODE.exec(text); m !== null; m = DOTTED_CODE.exec(text)) codes.push(m[1]);
  KEYWORD_CODE.lastIndex = 0;
  for (let m = KEYWORD_CODE.exec(text); m !== null; m = KEYWORD_CODE.exec(text)) {
    for (const listed of m[1].split(/\s*(?:,|and|or)\s*/)) {
      const code = listed.replace(/^ex\s+/, '');
      const digits = code.replace(/[ .]/g, '');
      if (digits.length < 4 || digits.length > 10 || /^(19|20)\d\d$/.test(digits)) continue;
      codes.push(code.includes('.') ? code : formatCode(digits));
    }
  }
  return [...new Set(codes)];
}

/** 870380 → 8703.80; 85414300 → 8541.43.00; 8541430010 → 8541.43.0010. */
function formatCode(digits: string): string {
  if (digits.length <= 4) return digits;
  if (digits.length <= 6) return `${digits.slice(0, 4)}.${digits.slice(4)}`;
  return `${digits.slice(0, 4)}.${digits.slice(4, 6)}.${digits.slice(6)}`;
}

export interface RateMention {
  rate: string;
  start: number;
  end: number;
}

/** Every percentage in `text`, canonical ("17.4%"). The classifier keeps those near a duty word. */
export function parseRates(text: string): RateMention[] {
  const rates: RateMention[] = [];
  if (!/\d/.test(text)) return rates;
  RATE.lastIndex = 0;
  for (let m = RATE.exec(text); m !== null; m = RATE.exec(text)) {
    const value = m[1].replace(',', '.');
    if (Number(value) > 1000) continue;
    rates.push({ rate: `${value}%`, start: m.index, end: m.index + m[0].length });
  }
  return rates;
}
