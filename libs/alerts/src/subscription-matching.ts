import type { SubscriptionFilters } from './alert.events';

/** The labels and text of one classified item, as the matcher sees them. */
export interface MatchableItem {
  title: string;
  summary: string;
  friction: boolean;
  frictionTypes: readonly string[];
  sectors: readonly string[];
  subsectors: readonly string[];
  actors: readonly string[];
  targets: readonly string[];
  stage: string | null;
  severity: number;
}

export type MatchResult = { matched: false } | { matched: true; reasons: string[] };

function overlap(wanted: readonly string[], have: readonly string[]): string[] {
  return wanted.filter((value) => have.includes(value));
}

/**
 * Whether an item matches a subscription's filters, and why (each reason names the filter and the
 * label that met it: the mail says so). Only friction items match; every non-empty filter must be met.
 * Pure and deterministic.
 */
export function matchSubscription(filters: SubscriptionFilters, item: MatchableItem): MatchResult {
  if (!item.friction) return { matched: false };
  const reasons: string[] = [];

  if (filters.frictionTypes.length) {
    const hit = overlap(filters.frictionTypes, item.frictionTypes);
    if (!hit.length) return { matched: false };
    reasons.push(`measure: ${hit.join(', ')}`);
  }
  if (filters.sectors.length) {
    // `semiconductors` takes every subsector of it; `semiconductors/equipment` only that one.
    const hit = filters.sectors.filter((s) =>
      s.includes('/') ? item.subsectors.includes(s) : item.sectors.includes(s),
    );
    if (!hit.length) return { matched: false };
    reasons.push(`sector: ${hit.join(', ')}`);
  }
  if (filters.actors.length) {
    const hit = overlap(filters.actors, item.actors);
    if (!hit.length) return { matched: false };
    reasons.push(`acting: ${hit.join(', ')}`);
  }
  if (filters.targets.length) {
    const hit = overlap(filters.targets, item.targets);
    if (!hit.length) return { matched: false };
    reasons.push(`targeted: ${hit.join(', ')}`);
  }
  if (filters.stages.length) {
    if (!item.stage || !(filters.stages as readonly string[]).includes(item.stage)) return { matched: false };
    reasons.push(`stage: ${item.stage}`);
  }
  if (filters.minSeverity > 0) {
    if (item.severity < filters.minSeverity) return { matched: false };
    reasons.push(`severity ${item.severity} ≥ ${filters.minSeverity}`);
  }
  if (filters.keywords.length) {
    const text = `${item.title}\n${item.summary}`.toLocaleLowerCase();
    const hit = filters.keywords.filter((k) => text.includes(k.toLocaleLowerCase()));
    if (!hit.length) return { matched: false };
    reasons.push(`keyword: ${hit.map((k) => `"${k}"`).join(', ')}`);
  }
  if (!reasons.length) reasons.push('every trade-friction item (no filters)');
  return { matched: true, reasons };
}
