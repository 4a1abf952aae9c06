import { createHash } from 'node:crypto';
import { parseCaseRefs, type CaseRefKind } from '@frictionwatch/classifier';
import type { LinkLabels } from './item-labels';

/**
 * How items are linked into trade cases (DESIGN.md, "Cases"). Pure and deterministic: a case id is a
 * function of one item's own text and latest classification, so every projection that needs it (items,
 * cases, deadlines) computes the same id, and better rules are replayed over history by a rebuild.
 *
 * Rules, in order (only friction items make cases):
 * 1. Case numbers. The item's case numbers are the classifier's `caseRefs` of the kinds below plus
 *    those found in the source's structured fields (`extra.docketIds`, e.g. Federal Register
 *    "A-570-979"). The case is the item's primary case number: the first kind in
 *    `CASE_NUMBER_KINDS` order (US Commerce, USITC, EU case, WTO dispute), then one whose measure
 *    matches the item's friction types (A-/731-TA-/AD for anti-dumping, C-/701-TA-/AS for
 *    anti-subsidy), then the smallest in code-point order. A USITC range (731-TA-1690-1692) links by
 *    its first number.
 * 2. Otherwise a deterministic key: actor | target | friction type | sector | product, where actor,
 *    target and sector are the smallest of the item's labels ('' when none), the friction type is the
 *    most specific one in `FRICTION_TYPE_PRIORITY`, and the product is derived from the title by
 *    `productFromTitle` (else the first HS heading, `hs8541`; else the smallest subsector; else '').
 *
 * Document references (Federal Register document numbers and citations, EU regulation numbers, MOFCOM
 * announcements; also `extra.documentNumber` and `extra.citation`) name a document, not a case: they are
 * returned in `references` but never decide the case (the cases projection keeps EU regulations and
 * MOFCOM announcements in a case's `refs`; Federal Register numbers, one per notice, stay on the items).
 */

/** Kinds of case numbers, in the order a primary one is chosen. */
export const CASE_NUMBER_KINDS: readonly CaseRefKind[] = ['us_commerce', 'usitc', 'eu_case', 'wto'];

/** The most specific measure first: it names the case better than a generic tariff does. */
export const FRICTION_TYPE_PRIORITY: readonly string[] = [
  'anti_dumping',
  'anti_subsidy',
  'safeguard',
  'wto_dispute',
  'export_control',
  'investment_restriction',
  'security_restriction',
  'tariff',
];

export interface CaseLinkInput {
  title: string;
  /** References from the source's structured fields, as `kind:ref` (see `structuredRefs`). */
  structuredRefs: readonly string[];
  /** The latest classification's labels, null while the item is unclassified. */
  labels: LinkLabels | null;
}

export interface CaseLink {
  caseId: string;
  basis: 'reference' | 'key';
  /** What the case id is derived from: `ref:us_commerce:A-570-979` or `key:US|CN|anti_dumping|solar_pv|…`. */
  key: string;
  /** The primary case number (`A-570-979`), for a case linked by reference. */
  reference: string | null;
  /** Every reference of the item, `kind:ref`, sorted: case numbers and document references. */
  references: string[];
  /** The product derived for the item ('' when none). */
  product: string;
  /** A short title for the case derived from this item's title. */
  title: string;
}

/** `case_` + 24 hex digits of the SHA-256 of the link key: deterministic, URL-safe. */
export function caseIdFor(key: string): string {
  return `case_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * References in a source's structured fields: case numbers in `docketIds` (or `docketId`), the Federal
 * Register `documentNumber` and `citation`. Sorted, each once, as `kind:ref`.
 */
export function structuredRefs(extra: Record<string, unknown>): string[] {
  const refs = new Set<string>();
  for (const docket of [...stringsOf(extra.docketIds), ...stringsOf(extra.docketId)]) {
    for (const ref of parseCaseRefs(docket)) refs.add(`${ref.kind}:${ref.ref}`);
  }
  for (const number of stringsOf(extra.documentNumber)) {
    if (/^(?:19|20)\d{2}-\d{5}$/.test(number.trim())) refs.add(`fr_document:${number.trim()}`);
  }
  for (const citation of stringsOf(extra.citation)) {
    const m = /^(\d{2,3})\s*FR\s*(\d{3,6})$/.exec(citation.trim());
    if (m) refs.add(`fr_citation:${m[1]} FR ${m[2]}`);
  }
  return [...refs].sort();
}

function measureOf(kind: string, ref: string): string | null {
  if (kind === 'us_commerce') return ref.startsWith('A-') ? 'anti_dumping' : 'anti_subsidy';
  if (kind === 'usitc')
    return ref.startsWith('731-') ? 'anti_dumping' : ref.startsWith('701-') ? 'anti_subsidy' : null;
  if (kind === 'eu_case')
    return ref.startsWith('AD') ? 'anti_dumping' : ref.startsWith('AS') ? 'anti_subsidy' : null;
  return null;
}

/** A USITC range links by its first investigation number. */
function linkingRef(kind: string, ref: string): string {
  if (kind === 'usitc') {
    const m = /^(701|731)-TA-(\d+)-\d+$/.exec(ref);
    if (m) return `${m[1]}-TA-${m[2]}`;
  }
  return ref;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function smallest(values: readonly string[]): string {
  return [...values].sort(byCodePoint)[0] ?? '';
}

function primaryFrictionType(types: readonly string[]): string {
  for (const type of FRICTION_TYPE_PRIORITY) if (types.includes(type)) return type;
  return smallest(types);
}

const LEADING_WORDS = /^(?:certain|the|a|an|some|new|chinese|china's|china-made|imported)\s+/;
const SINGULAR_EXCEPTIONS = /(?:ss|us|is|ics|ies)$/;

/** Lower case, letters and digits only, no leading "certain"/"the", last word singular, at most 8 words. */
export function normaliseProduct(text: string): string {
  let product = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’']s\b/g, 's')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  while (LEADING_WORDS.test(product)) product = product.replace(LEADING_WORDS, '');
  const words = product.split(' ').filter(Boolean).slice(0, 8);
  const last = words.length - 1;
  if (
    last >= 0 &&
    words[last].length > 3 &&
    words[last].endsWith('s') &&
    !SINGULAR_EXCEPTIONS.test(words[last])
  ) {
    words[last] = words[last].slice(0, -1);
  }
  return words.join(' ');
}

// "… duties on (imports of) X from|originating in …", "… investigation into X from …".
const MEASURE_ON_PRODUCT =
  /\b(?:imports? of|dut(?:y|ies) on|tariffs? on|surtax(?:es)? on|investigations? (?:into|on|of)|probe into|probes into|measures? on|quotas? on|restrictions? on|bans? on|controls? on)\s+(?:imports? of\s+)?(.+?)\s+(?:from|originating in|made in|produced in)\s/i;
// Federal Register style: "<Product>, Whether or Not …, From the People's Republic of China: Final Results".
const PRODUCT_FROM_COUNTRY = /^(.+?)\s+[Ff]rom\s+(?:[Tt]he\s+)?\p{Lu}/u;

/**
 * The product an item is about, from its title, or '' when the title does not say in a recognised way:
 * 1. "… duties on / imports of / investigation into <product> from|originating in …" anywhere;
 * 2. else the first ':'-separated part of the title that starts with "<product> From <Country>" (Federal
 *    Register titles, "Correction: <product> From <Country>");
 * then cut at the first ',' or '(' and normalised by `normaliseProduct`.
 */
export function productFromTitle(title: string): string {
  const text = title.normalize('NFKC').replace(/\s+/g, ' ').trim();
  let match = MEASURE_ON_PRODUCT.exec(`${text} `);
  for (const segment of text.split(':')) {
    if (match) break;
    match = PRODUCT_FROM_COUNTRY.exec(segment.trim());
  }
  if (!match) return '';
  return normaliseProduct(match[1].split(/[,(;]/)[0]);
}

/** A case title from an item title: the part before ':' when it says enough (three words or more). */
export function caseTitleFrom(title: string): string {
  const text = title.replace(/\s+/g, ' ').trim();
  const colon = text.indexOf(':');
  if (colon > 0) {
    const head = text.slice(0, colon).trim();
    if (head.split(' ').length >= 3) return head;
  }
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function keyProduct(title: string, labels: LinkLabels): string {
  const product = productFromTitle(title);
  if (product) return product;
  const heading = [...labels.hsCodes]
    .map((code) => code.replace(/\D/g, ''))
    .filter((digits) => digits.length >= 4)
    .sort(byCodePoint)[0];
  if (heading) return `hs${heading.slice(0, 4)}`;
  return smallest(labels.subsectors);
}

/** The case an item belongs to, or null when it makes none (unclassified, or not a friction). */
export function linkCase(input: CaseLinkInput): CaseLink | null {
  const labels = input.labels;
  if (!labels || !labels.friction) return null;
  const references = new Set<string>(input.structuredRefs);
  for (const ref of labels.caseRefs) references.add(`${ref.kind}:${ref.ref}`);
  const sortedRefs = [...references].sort(byCodePoint);

  const numbers = sortedRefs
    .map((entry) => {
      const colon = entry.indexOf(':');
      return { kind: entry.slice(0, colon), ref: entry.slice(colon + 1) };
    })
    .filter((r) => CASE_NUMBER_KINDS.includes(r.kind as CaseRefKind))
    .map((r) => ({ kind: r.kind, ref: linkingRef(r.kind, r.ref), measure: measureOf(r.kind, r.ref) }));
  const product = productFromTitle(input.title);
  const title = caseTitleFrom(input.title);

  if (numbers.length > 0) {
    const rank = (r: (typeof numbers)[number]) =>
      CASE_NUMBER_KINDS.indexOf(r.kind as CaseRefKind) * 2 +
      (r.measure !== null && labels.frictionTypes.includes(r.measure) ? 0 : 1);
    const primary = [...numbers].sort((a, b) => rank(a) - rank(b) || byCodePoint(a.ref, b.ref))[0];
    const key = `ref:${primary.kind}:${primary.ref}`;
    return {
      caseId: caseIdFor(key),
      basis: 'reference',
      key,
      reference: primary.ref,
      references: sortedRefs,
      product,
      title,
    };
  }

  const parts = [
    smallest(labels.actors),
    smallest(labels.targets),
    primaryFrictionType(labels.frictionTypes),
    smallest(labels.sectors),
    keyProduct(input.title, labels),
  ];
  const key = `key:${parts.join('|')}`;
  return {
    caseId: caseIdFor(key),
    basis: 'key',
    key,
    reference: null,
    references: sortedRefs,
    product: parts[4],
    title,
  };
}
