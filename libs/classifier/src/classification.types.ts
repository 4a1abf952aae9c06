import type { FrictionTypeId, JurisdictionCode, SectorId, StageId } from '@frictionwatch/taxonomy';
import type { CaseRef } from './case-refs';

/** An item to classify: a feed entry's text and what the publisher says about itself. */
export interface ClassifiableItem {
  id?: string | null;
  title: string;
  summary?: string | null;
  /** The publisher's short name ("Federal Register", "MOFCOM", "Reuters"). */
  source?: string | null;
  /** The publisher's jurisdiction (ISO code or EU): the actor when the text does not say. */
  jurisdictionHint?: string | null;
}

export type EvidenceField = 'title' | 'summary' | 'source' | 'jurisdictionHint';

export type EvidenceLabel =
  'friction' | 'frictionTypes' | 'sectors' | 'subsectors' | 'actors' | 'targets' | 'stage';

/** Why a label was given: the rule and the matched span. */
export interface Evidence {
  label: EvidenceLabel;
  value: string | boolean;
  rule: string;
  field: EvidenceField;
  start: number;
  end: number;
  text: string;
}

export interface Classification {
  id: string | null;
  friction: boolean;
  frictionTypes: FrictionTypeId[];
  sectors: SectorId[];
  /** Child nodes of the taxonomy (`semiconductors/equipment`), when named. */
  subsectors: string[];
  actors: JurisdictionCode[];
  targets: JurisdictionCode[];
  stage: StageId | null;
  /** 0..100, see libs/classifier/README.md. */
  severity: number;
  caseRefs: CaseRef[];
  hsCodes: string[];
  dutyRates: string[];
  evidence: Evidence[];
  classifierVersion: string;
  taxonomyVersion: string;
}
