// Published dates parsed by our own code, never by `new Date(string)` (whose reading of zone-less and
// non-ISO text depends on the engine and the process's zone). A date without a zone is taken as UTC.

const ZONES: Record<string, number> = {
  // minutes east of UTC
  Z: 0,
  UT: 0,
  UTC: 0,
  GMT: 0,
  WET: 0,
  WEST: 60,
  BST: 60,
  CET: 60,
  CEST: 120,
  MET: 60,
  MEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  EST: -300,
  EDT: -240,
  CST: -360, // RFC 822: US Central
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
  JST: 540,
  KST: 540,
  HKT: 480,
  SGT: 480,
  AEST: 600,
  AEDT: 660,
};

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

const MONTH_NAMES = Object.keys(MONTHS).join('|');
const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:\s*([AaPp])\.?[Mm]\.?)?`;
const ZONE = String.raw`(Z|[A-Za-z]{1,5}|(?:GMT|UTC)?\s*[+-]\d{1,2}(?::?\d{2})?)`;

const ISO = new RegExp(String.raw`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T\s]+${TIME})?\s*${ZONE}?$`);
const DAY_MONTH_YEAR = new RegExp(
  String.raw`^(?:[A-Za-z]+\.?,?\s+)?(\d{1,2})(?:st|nd|rd|th)?[\s-]+(${MONTH_NAMES})[a-z]*\.?[\s-]+(\d{2}|\d{4})(?:,?\s+(?:at\s+)?${TIME})?\s*${ZONE}?$`,
  'i',
);
const MONTH_DAY_YEAR = new RegExp(
  String.raw`^(?:[A-Za-z]+\.?,?\s+)?(${MONTH_NAMES})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:,?\s+(?:at\s+)?${TIME})?\s*${ZONE}?$`,
  'i',
);
const CHINESE = new RegExp(
  String.raw`^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?\s*秒?)?$`,
);

function zoneOffset(zone: string | undefined): number | null {
  if (!zone) return 0;
  const z = zone.replace(/\s+/g, '').toUpperCase();
  if (z in ZONES) return ZONES[z];
  const numeric = /^(?:GMT|UTC)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(z);
  if (!numeric) return null;
  const hours = Number(numeric[2]);
  const minutes = Number(numeric[3] ?? 0);
  if (hours > 14 || minutes > 59) return null;
  return (numeric[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour?: string;
  minute?: string;
  second?: string;
  fraction?: string;
  meridiem?: string;
  zone?: string;
}

function build(p: Parts): Date | null {
  let hour = Number(p.hour ?? 0);
  const minute = Number(p.minute ?? 0);
  const second = Number(p.second ?? 0);
  const ms = p.fraction ? Math.floor(Number(`0.${p.fraction}`) * 1000) : 0;
  if (p.meridiem) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (p.meridiem.toLowerCase() === 'p' ? 12 : 0);
  }
  if (p.month < 1 || p.month > 12 || p.day < 1 || hour > 24 || minute > 59 || second > 60) return null;
  if (hour === 24 && (minute > 0 || second > 0)) return null;
  if (p.year < 1900 || p.year > 2200) return null;
  const daysInMonth = new Date(Date.UTC(p.year, p.month, 0)).getUTCDate();
  if (p.day > daysInMonth) return null;
  const offset = zoneOffset(p.zone);
  if (offset === null) return null;
  const utc = Date.UTC(p.year, p.month - 1, p.day, hour, minute, Math.min(second, 59), ms) - offset * 60_000;
  return new Date(utc);
}

function twoDigitYear(year: string): number {
  const y = Number(year);
  return year.length === 2 ? (y < 70 ? 2000 + y : 1900 + y) : y;
}

/**
 * Parses the date forms that feeds and listing pages use: RFC 822/1123 (with zone abbreviations such as
 * EST/EDT/CET/CEST/BST/GMT/UTC/Z or numeric offsets), ISO 8601, "4 July 2024", "July 4, 2024", Unix times
 * in seconds or milliseconds, and Chinese dates (2024年7月4日). No zone means UTC. Returns null when the
 * text is not a date we can read with confidence.
 */
export function parsePublishedDate(text: string): Date | null {
  if (typeof text !== 'string') return null;
  const s = text
    .replace(/[\u00a0\u2000-\u200b\u3000]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\s*\([^()]{0,40}\)$/, ''); // "… +0000 (UTC)"
  if (!s || s.length > 100) return null;

  if (/^\d{9,10}(\.\d+)?$/.test(s)) return checked(new Date(Math.round(Number(s) * 1000)));
  if (/^\d{12,13}$/.test(s)) return checked(new Date(Number(s)));

  let m = ISO.exec(s);
  if (m) {
    return build({
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: m[4],
      minute: m[5],
      second: m[6],
      fraction: m[7],
      meridiem: m[8],
      zone: m[9],
    });
  }
  m = CHINESE.exec(s);
  if (m) {
    return build({
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: m[4],
      minute: m[5],
      second: m[6],
    });
  }
  m = DAY_MONTH_YEAR.exec(s);
  if (m) {
    return build({
      year: twoDigitYear(m[3]),
      month: MONTHS[m[2].toLowerCase().slice(0, m[2].toLowerCase().startsWith('sept') ? 4 : 3)],
      day: Number(m[1]),
      hour: m[4],
      minute: m[5],
      second: m[6],
      fraction: m[7],
      meridiem: m[8],
      zone: m[9],
    });
  }
  m = MONTH_DAY_YEAR.exec(s);
  if (m) {
    return build({
      year: Number(m[3]),
      month: MONTHS[m[1].toLowerCase().slice(0, m[1].toLowerCase().startsWith('sept') ? 4 : 3)],
      day: Number(m[2]),
      hour: m[4],
      minute: m[5],
      second: m[6],
      fraction: m[7],
      meridiem: m[8],
      zone: m[9],
    });
  }
  return null;
}

function checked(date: Date): Date | null {
  const year = date.getUTCFullYear();
  return Number.isNaN(date.getTime()) || year < 1970 || year > 2200 ? null : date;
}
