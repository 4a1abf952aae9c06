export {
  SECTOR_IDS,
  FRICTION_TYPE_IDS,
  STAGE_IDS,
  isSectorId,
  isFrictionTypeId,
  isStageId,
  type SectorId,
  type FrictionTypeId,
  type StageId,
  type JurisdictionCode,
} from './vocabulary';
export type {
  Provenance,
  TaxonomyNode,
  SectorNode,
  FrictionTypeNode,
  StageNode,
  MentionKind,
  Jurisdiction,
  Taxonomy,
} from './taxonomy.types';
export {
  loadTaxonomy,
  parseTaxonomy,
  taxonomyVersionOf,
  TaxonomyError,
  SEED_FILES,
  type TaxonomySources,
} from './load-taxonomy';
