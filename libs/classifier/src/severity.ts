import type { FrictionTypeId, JurisdictionCode, SectorId, StageId, Taxonomy } from '@frictionwatch/taxonomy';

/** Jurisdictions whose measures weigh most: the largest markets and China itself. */
const MAJOR_ACTORS: ReadonlySet<string> = new Set(['US', 'EU', 'CN']);
/** Stage factor when the text does not say. */
const UNKNOWN_STAGE = 0.6;
/** Sector weight when the item names no sector of the taxonomy (pork, brandy). */
const NO_SECTOR = 0.3;

export interface SeverityInput {
  friction: boolean;
  frictionTypes: readonly FrictionTypeId[];
  stage: StageId | null;
  sectors: readonly SectorId[];
  actors: readonly JurisdictionCode[];
}

/**
 * Severity, 0..100 (0 when no friction):
 *
 *   severity = round(100 × M × S × (0.6 + 0.4 × W) × A × (1 + 0.1 × (n − 1)))  capped at 100
 *
 *   M  measure: the highest base weight of the item's friction types (seeds/taxonomy/friction-types.yaml:
 *      export_control 0.85, tariff 0.8, anti_subsidy 0.75, security_restriction 0.75, anti_dumping 0.7,
 *      investment_restriction 0.7, safeguard 0.6, wto_dispute 0.5)
 *   S  stage factor (seeds/taxonomy/stages.yaml: final 1.0, preliminary 0.8, investigation_opened 0.6,
 *      review 0.6, proposed 0.55, removed 0.3; 0.6 when the stage is unknown)
 *   W  sector weight: the highest weight of the item's sectors (seeds/taxonomy/sectors.yaml: 1.0 for
 *      semiconductors, EVs and AI … 0.6 for traditional industries; 0.3 when no sector is named)
 *   A  actor: 1.0 when the US, the EU or China acts, 0.85 otherwise
 *   n  the number of friction types (several measures at once weigh more)
 */
export function severityOf(input: SeverityInput, taxonomy: Taxonomy): number {
  if (!input.friction || input.frictionTypes.length === 0) return 0;
  const w = weightsOf(taxonomy);
  const measure = Math.max(...input.frictionTypes.map((t) => w.types.get(t) ?? 0.5));
  const stage = input.stage === null ? UNKNOWN_STAGE : (w.stages.get(input.stage) ?? UNKNOWN_STAGE);
  const sector =
    input.sectors.length === 0
      ? NO_SECTOR
      : Math.max(...input.sectors.map((s) => w.sectors.get(s) ?? NO_SECTOR));
  const actor = input.actors.some((a) => MAJOR_ACTORS.has(a)) ? 1 : 0.85;
  const breadth = 1 + 0.1 * (input.frictionTypes.length - 1);
  return Math.min(100, Math.round(100 * measure * stage * (0.6 + 0.4 * sector) * actor * breadth));
}

interface Weights {
  types: Map<string, number>;
  stages: Map<string, number>;
  sectors: Map<string, number>;
}
const weightsCache = new WeakMap<Taxonomy, Weights>();

function weightsOf(taxonomy: Taxonomy): Weights {
  let w = weightsCache.get(taxonomy);
  if (!w) {
    w = {
      types: new Map(taxonomy.frictionTypes.map((n) => [n.id, n.severity])),
      stages: new Map(taxonomy.stages.map((n) => [n.id, n.severity])),
      sectors: new Map(taxonomy.sectors.map((n) => [n.id, n.weight])),
    };
    weightsCache.set(taxonomy, w);
  }
  return w;
}
