export { ItemClassifier, classify, CLASSIFIER_VERSION } from './item-classifier';
export { ClassifierPool, ClassifierUnavailableError, type ClassifierPoolOptions } from './classifier-pool';
export type {
  ClassifiableItem,
  Classification,
  Evidence,
  EvidenceField,
  EvidenceLabel,
} from './classification.types';
export { parseCaseRefs, type CaseRef, type CaseRefKind } from './case-refs';
export { parseHsCodes, parseRates } from './trade-figures';
export { PhraseMatcher } from './phrase-matcher';
