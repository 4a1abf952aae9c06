import type { FrictionTypeId, JurisdictionCode, SectorId, StageId } from './vocabulary';

/** Where a node comes from: a seed document and the phrase in it, or why it is implied. */
export type Provenance = { document: string; phrase: string } | { implied: string };

export interface TaxonomyNode<TopId extends string> {
  /** Node id: a top-level vocabulary id, or a child `parent/child`. */
  id: string;
  /** The top-level vocabulary id this node reports as. */
  topId: TopId;
  label: string;
  parent: string | null;
  description: string;
  /** Strong terms (see the term syntax in seeds/taxonomy/sectors.yaml). */
  terms: readonly string[];
  /** Terms that only count alongside stronger evidence. */
  weakTerms: readonly string[];
  /** Still weaker terms (generic verbs such as "announces"): used when nothing else decides. */
  genericTerms: readonly string[];
  provenance: readonly Provenance[];
}

export interface SectorNode extends TaxonomyNode<SectorId> {
  kind: 'emerging' | 'future' | 'traditional';
  /** Weight of the sector in the severity formula, 0..1 (children inherit their parent's). */
  weight: number;
}

export interface FrictionTypeNode extends TaxonomyNode<FrictionTypeId> {
  /** Base weight of the measure in the severity formula, 0..1. */
  severity: number;
}

export interface StageNode extends TaxonomyNode<StageId> {
  /** When several stages are cued, the higher precedence wins. */
  precedence: number;
  /** Stage factor in the severity formula, 0..1. */
  severity: number;
}

/**
 * How a text names a jurisdiction: its name, a demonym, an origin phrase ("Chinese-made"), its capital,
 * one of its institutions, or one of its well-known firms (the object of measures, never the actor).
 */
export type MentionKind = 'name' | 'demonym' | 'origin' | 'capital' | 'institution' | 'firm';

export interface Jurisdiction {
  code: JurisdictionCode;
  name: string;
  /** An EU member state. */
  eu: boolean;
  mentions: Readonly<Record<MentionKind, readonly string[]>>;
}

export interface Taxonomy {
  /** Changes whenever the content changes: `<date-free content hash>`. */
  version: string;
  sectors: readonly SectorNode[];
  frictionTypes: readonly FrictionTypeNode[];
  stages: readonly StageNode[];
  jurisdictions: readonly Jurisdiction[];
  /** Phrases that look like jurisdiction mentions but are not ("e-commerce"). */
  jurisdictionBlockers: readonly string[];
}
