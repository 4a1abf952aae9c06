/**
 * Comment deadlines and effective dates of an item: from the source's structured fields
 * (`extra.commentsCloseOn`, `extra.effectiveOn`, YYYY-MM-DD, e.g. the Federal Register's
 * `comments_close_on` and `effective_on`) and from dates stated in the text ("comments must be received
 * by July 15, 2025", "effective on 1 January 2026", "with effect from …", "entre en vigueur le …",
 * "自2025年1月1日起"). Pure and deterministic: a date without a year takes the year of publication, or
 * the next one when that would put it before the publication day.
 */

export type DeadlineKind = 'comments_close' | 'effective';

export interface Deadline {
  kind: DeadlineKind;
  /** YYYY-MM-DD. */
  on: string;
  source: 'field' | 'text';
  /** The field name, or the words the date was read from. */
  evidence: string;
}

export interface DeadlineSource {
  title: string;
  summary: string;
  extra: Record<string, unknown>;
  /** ISO timestamp of publication: the year of a date stated without one. */
  publishedAt: string;
}

const MONTHS: Readonly<Record<string, number>> = {
  january: 1, jan: 1, janvier: 1,
  february: 2, feb: 2, février: 2, fevrier: 2,
  march: 3, mar: 3, mars: 3,
  april: 4, apr: 4, avril: 4,
  may: 5, mai: 5,
  june: 6, jun: 6, juin: 6,
  july: 7, jul: 7, juillet: 7,
  august: 8, aug: 8, août: 8, aout: 8,
  september: 9, sep: 9, sept: 9, septembre: 9,
  october: 10, oct: 10, octobre: 10,
  november: 11, nov: 11, novembre: 11,
  december: 12, dec: 12, décembre: 12, decembre: 12,
}; // prettier-ignore

const MONTH =
  '(?:january|february|march|april|may|june|july|august|september|october|november|december|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\\.?';
const DATE = `(?:\\d{4}-\\d{2}-\\d{2}|${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+\\d{4})?|\\d{1,2}(?:st|nd|rd|th|er)?\\s+(?:of\\s+)?${MONTH}(?:,?\\s+\\d{4})?)(?![\\w])`;
// "5 p.m. Eastern Time on", "11:59 pm ET,": a time of day between a trigger and its date.
const TIME =
  '(?:\\d{1,2}(?::\\d{2})?\\s*(?:a\\.m\\.|p\\.m\\.|am|pm)(?:\\s+(?:eastern|central|pacific|brussels|local|[A-Z]{2,4})(?:\\s+(?:standard|daylight))?(?:\\s+time)?)?,?\\s+)';
const FILLER = `\\s*:?\\s*(?:(?:on|from|as of|as from|or before|or after|by|the|le|du|à compter du|${TIME})\\s*)*`;

const TRIGGERS: readonly { kind: DeadlineKind; pattern: string; needles: readonly string[] }[] = [
  {
    kind: 'comments_close',
    pattern:
      '\\b(?:comments?|submissions?|responses?|written views)\\b[^.;]{0,120}?\\b(?:must|should|are to|is to|shall|will|may)\\s+be\\s+(?:received|submitted|filed|made|sent)\\b[^.;]{0,60}?\\b(?:by|on or before|no later than|before|until)',
    needles: ['comment', 'submission', 'response', 'written views'],
  },
  {
    kind: 'comments_close',
    pattern: '\\bcomments?\\s+(?:are\\s+|is\\s+)?due(?:\\s+(?:by|on or before|no later than))?',
    needles: ['comment'],
  },
  {
    kind: 'comments_close',
    pattern: '\\bcomment period\\s+(?:closes|ends|will close|will end|expires|runs until|runs through)',
    needles: ['comment period'],
  },
  {
    kind: 'comments_close',
    pattern:
      '\\b(?:deadline|closing date|due date) for (?:written |public )?(?:comments|submissions|responses)\\s+(?:is|will be)',
    needles: ['deadline for', 'closing date for', 'due date for'],
  },
  {
    kind: 'comments_close',
    pattern:
      '\\bsubmit (?:written |public )?comments\\b[^.;]{0,60}?\\b(?:by|on or before|no later than|before)',
    needles: ['submit '],
  },
  {
    kind: 'comments_close',
    pattern:
      '\\bcomments (?:will be accepted|are accepted|are invited|are requested|may be submitted)[^.;]{0,40}?\\b(?:until|through|by)',
    needles: ['comments '],
  },
  {
    kind: 'effective',
    pattern: '\\beffective(?:\\s+date)?(?:\\s+(?:on|as of|from|beginning|starting))?',
    needles: ['effective'],
  },
  { kind: 'effective', pattern: '\\bwith effect (?:from|as of|on)', needles: ['with effect '] },
  {
    kind: 'effective',
    pattern: '\\b(?:takes?|took|will take|shall take|to take)\\s+effect(?:\\s+(?:on|from|as of))?',
    needles: ['effect'],
  },
  {
    kind: 'effective',
    pattern: '\\b(?:enters?|entered|will enter|shall enter|entry)\\s+into force(?:\\s+(?:on|from|as of))?',
    needles: ['into force'],
  },
  {
    kind: 'effective',
    pattern: '\\b(?:shall apply|applies|will apply|apply|applicable) (?:from|as of|as from)',
    needles: ['appl'],
  },
  {
    kind: 'effective',
    pattern: '\\b(?:entre|entrera|entrent|entreront|est entré|entré)e?s? en vigueur',
    needles: [' en vigueur'],
  },
  { kind: 'effective', pattern: '\\bà compter du', needles: ['à compter du'] },
];

const MATCHERS = TRIGGERS.map((t) => ({
  kind: t.kind,
  regex: new RegExp(`${t.pattern}${FILLER}(${DATE})`, 'giu'),
  // A word every match contains: most texts have none, and a failed search for it costs far less
  // than the full pattern (same flags, so the same letters match).
  needle: new RegExp(t.needles.join('|'), 'iu'),
}));
const CHINESE_FROM = /自?\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*起/gu;
const CHINESE_COMMENTS =
  /(?:意见|评论)[^。；]{0,30}?截止(?:时间|日期)?(?:为|是|至)?\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日/gu;
const CHINESE_MATCHERS = [
  [CHINESE_FROM, 'effective'],
  [CHINESE_COMMENTS, 'comments_close'],
] as const;

function validDay(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1900 || year > 2200) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** A stated date as YYYY-MM-DD; a date without a year takes one from `publishedAt` (never before it). */
export function parseStatedDate(text: string, publishedAt: string): string | null {
  const cleaned = text.toLowerCase().replace(/\s+/g, ' ').trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(cleaned);
  if (m) return validDay(Number(m[1]), Number(m[2]), Number(m[3]));
  let year: number | null = null;
  let month: number | undefined;
  let day: number;
  m = /^([a-zéûè]+)\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?$/.exec(cleaned);
  if (m) {
    month = MONTHS[m[1]];
    day = Number(m[2]);
    year = m[3] ? Number(m[3]) : null;
  } else {
    m = /^(\d{1,2})(?:st|nd|rd|th|er)? (?:of )?([a-zéûè]+)\.?(?:,? (\d{4}))?$/.exec(cleaned);
    if (!m) return null;
    day = Number(m[1]);
    month = MONTHS[m[2]];
    year = m[3] ? Number(m[3]) : null;
  }
  if (month === undefined) return null;
  if (year !== null) return validDay(year, month, day);
  const published = new Date(publishedAt);
  if (Number.isNaN(published.getTime())) return null;
  const publishedDay = published.toISOString().slice(0, 10);
  const sameYear = validDay(published.getUTCFullYear(), month, day);
  if (sameYear && sameYear >= publishedDay) return sameYear;
  return validDay(published.getUTCFullYear() + 1, month, day);
}

function fieldDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  return m ? validDay(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

function evidenceOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** Dates stated in one text, in order of appearance. */
export function datesInText(text: string, publishedAt: string): Deadline[] {
  const found: { at: number; deadline: Deadline }[] = [];
  for (const matcher of MATCHERS) {
    if (!matcher.needle.test(text)) continue;
    matcher.regex.lastIndex = 0;
    for (let m = matcher.regex.exec(text); m !== null; m = matcher.regex.exec(text)) {
      const on = parseStatedDate(m[1], publishedAt);
      if (on)
        found.push({
          at: m.index,
          deadline: { kind: matcher.kind, on, source: 'text', evidence: evidenceOf(m[0]) },
        });
    }
  }
  // Both Chinese patterns need 年 (year).
  const chinese = text.includes('年') ? CHINESE_MATCHERS : [];
  for (const [regex, kind] of chinese) {
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      const on = validDay(Number(m[1]), Number(m[2]), Number(m[3]));
      if (on) found.push({ at: m.index, deadline: { kind, on, source: 'text', evidence: evidenceOf(m[0]) } });
    }
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.deadline);
}

/**
 * Every deadline of an item, each (kind, date) once: a structured field wins over the text; then the
 * title's words over the summary's. Sorted by kind, then date.
 */
export function extractDeadlines(source: DeadlineSource): Deadline[] {
  const byKey = new Map<string, Deadline>();
  const add = (deadline: Deadline) => {
    const key = `${deadline.kind}|${deadline.on}`;
    if (!byKey.has(key)) byKey.set(key, deadline);
  };
  const comments = fieldDate(source.extra.commentsCloseOn);
  if (comments) add({ kind: 'comments_close', on: comments, source: 'field', evidence: 'commentsCloseOn' });
  const effective = fieldDate(source.extra.effectiveOn);
  if (effective) add({ kind: 'effective', on: effective, source: 'field', evidence: 'effectiveOn' });
  for (const text of [source.title, source.summary]) {
    for (const deadline of datesInText(text, source.publishedAt)) add(deadline);
  }
  return [...byKey.values()].sort((a, b) =>
    a.kind !== b.kind ? (a.kind < b.kind ? -1 : 1) : a.on < b.on ? -1 : a.on > b.on ? 1 : 0,
  );
}
