import { z } from 'zod';
import type { EventDefinition } from '@frictionwatch/event-store';

const itemContent = {
  itemId: z.string().min(1),
  feedId: z.string().min(1),
  url: z.string().nullable(),
  guid: z.string().nullable(),
  title: z.string(),
  summary: z.string(),
  publishedAt: z.string(),
  dateSource: z.enum(['feed', 'first_seen']),
  categories: z.array(z.string()),
  extra: z.record(z.string(), z.unknown()),
  contentHash: z.string().min(1),
};

export const ItemIngestedSchema = z.object({
  ...itemContent,
  source: z.object({ name: z.string(), jurisdictionHint: z.string().nullable() }),
});

export const ItemRevisedSchema = z.object({
  ...itemContent,
  previousContentHash: z.string(),
});

export const ItemClassifiedSchema = z.object({
  itemId: z.string().min(1),
  /** The ItemIngested or ItemRevised event whose text was classified. */
  sourceEventId: z.string().uuid(),
  contentHash: z.string(),
  classifierVersion: z.string(),
  taxonomyVersion: z.string(),
  classification: z.record(z.string(), z.unknown()),
});

export type ItemIngested = z.infer<typeof ItemIngestedSchema>;
export type ItemRevised = z.infer<typeof ItemRevisedSchema>;
export type ItemClassified = z.infer<typeof ItemClassifiedSchema>;

export const ITEM_EVENTS: EventDefinition[] = [
  { type: 'ItemIngested', schemaVersion: 1, schema: ItemIngestedSchema },
  { type: 'ItemRevised', schemaVersion: 1, schema: ItemRevisedSchema },
  { type: 'ItemClassified', schemaVersion: 1, schema: ItemClassifiedSchema },
];
