import type { CaseRef } from '@frictionwatch/classifier';

/**
 * The labels of one `ItemClassified` event, read defensively: the event's `classification` is a free
 * record (the classifier's output), so an older or newer classifier may lack a field or add one.
 * Pure: no Nest, no Kysely.
 */
export interface ItemLabels {
  friction: boolean;
  frictionTypes: string[];
  sectors: string[];
  subsectors: string[];
  actors: string[];
  targets: string[];
  stage: string | null;
  /** 0..100, rounded to an integer. */
  severity: number;
  caseRefs: CaseRef[];
  hsCodes: string[];
  dutyRates: string[];
  evidence: unknown[];
  classifierVersion: string;
  taxonomyVersion: string;
}

/** What the case linking needs of the labels: small enough to keep per item. */
export type LinkLabels = Pick<
  ItemLabels,
  'friction' | 'frictionTypes' | 'sectors' | 'subsectors' | 'actors' | 'targets' | 'stage' | 'hsCodes'
> & { caseRefs: Pick<CaseRef, 'kind' | 'ref'>[] };

function strings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const entry of value)
    if (typeof entry === 'string' && entry !== '' && !out.includes(entry)) out.push(entry);
  return out;
}

function caseRefs(value: unknown): CaseRef[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (r): r is CaseRef =>
      typeof r === 'object' &&
      r !== null &&
      typeof (r as CaseRef).kind === 'string' &&
      typeof (r as CaseRef).ref === 'string',
  );
}

/** Reads the classification record of an `ItemClassified` event; versions fall back to the event's own. */
export function readLabels(
  classification: Record<string, unknown>,
  versions: { classifierVersion: string; taxonomyVersion: string },
): ItemLabels {
  const severity = Number(classification.severity);
  return {
    friction: classification.friction === true,
    frictionTypes: strings(classification.frictionTypes),
    sectors: strings(classification.sectors),
    subsectors: strings(classification.subsectors),
    actors: strings(classification.actors),
    targets: strings(classification.targets),
    stage:
      typeof classification.stage === 'string' && classification.stage !== '' ? classification.stage : null,
    severity: Number.isFinite(severity) ? Math.max(0, Math.min(100, Math.round(severity))) : 0,
    caseRefs: caseRefs(classification.caseRefs),
    hsCodes: strings(classification.hsCodes),
    dutyRates: strings(classification.dutyRates),
    evidence: Array.isArray(classification.evidence) ? classification.evidence : [],
    classifierVersion:
      typeof classification.classifierVersion === 'string'
        ? classification.classifierVersion
        : versions.classifierVersion,
    taxonomyVersion:
      typeof classification.taxonomyVersion === 'string'
        ? classification.taxonomyVersion
        : versions.taxonomyVersion,
  };
}

export function linkLabelsOf(labels: ItemLabels): LinkLabels {
  return {
    friction: labels.friction,
    frictionTypes: labels.frictionTypes,
    sectors: labels.sectors,
    subsectors: labels.subsectors,
    actors: labels.actors,
    targets: labels.targets,
    stage: labels.stage,
    hsCodes: labels.hsCodes,
    caseRefs: labels.caseRefs.map((r) => ({ kind: r.kind, ref: r.ref })),
  };
}

/** A valid ISO timestamp for `value`, else for `fallback` (a bad feed date must not fail a projection). */
export function isoTimestamp(value: string, fallback: string): string {
  const time = Date.parse(value);
  if (Number.isFinite(time)) return new Date(time).toISOString();
  const other = Date.parse(fallback);
  return new Date(Number.isFinite(other) ? other : 0).toISOString();
}

/** The UTC calendar day of an ISO timestamp, `YYYY-MM-DD`. */
export function utcDay(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

/** The Monday (UTC) of the ISO week that holds `iso`, as `YYYY-MM-DD`. */
export function isoWeekStart(iso: string): string {
  const date = new Date(iso);
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const offset = (day.getUTCDay() + 6) % 7; // Monday 0 .. Sunday 6
  day.setUTCDate(day.getUTCDate() - offset);
  return day.toISOString().slice(0, 10);
}

/** Stage order, for picking a case's current stage when two entries share a date. */
export const STAGE_RANK: Readonly<Record<string, number>> = {
  proposed: 1,
  investigation_opened: 2,
  preliminary: 3,
  final: 4,
  review: 5,
  removed: 6,
};

export function stageRank(stage: string | null): number {
  return stage === null ? 0 : (STAGE_RANK[stage] ?? 0);
}
