export {
  ITEM_EVENTS,
  ItemIngestedSchema,
  ItemRevisedSchema,
  ItemClassifiedSchema,
  type ItemIngested,
  type ItemRevised,
  type ItemClassified,
} from './item.events';
export { itemIdFor, itemStreamId, itemIdOfStream, titleDayKey } from './item-identity';
export { ItemRepository, type ItemState } from './item.repository';
export { ItemIngestor, type IngestibleItem, type IngestSource, type IngestReport } from './item-ingestor';
export {
  ItemClassificationService,
  type Classifier,
  type ClassifyReport,
} from './item-classification.service';
export { classificationTrigger, CLASSIFY_BATCH } from './classification-trigger.reactor';
export { Reclassification, type ClassifierVersions } from './reclassification';
export { itemDuplicatesProjection, type ItemDuplicatesTables } from './item-duplicates.projection';
