import {
  deterministicEventId,
  PartialDuplicateAppendError,
  type EventMetadataInput,
  type PostgresEventStore,
  type StreamAppend,
} from '@frictionwatch/event-store';
import type { ItemClassified } from './item.events';
import { itemStreamId } from './item-identity';
import type { ItemClassifiable, ItemRepository } from './item.repository';
import type { ClassifierVersions } from './reclassification';

/** What the classifier reads of an item. */
export interface ClassifierInput {
  id: string;
  title: string;
  summary: string;
  source: string;
  jurisdictionHint: string | null;
}

/**
 * The classifier as this service needs it (`@frictionwatch/classifier`'s ItemClassifier, in process,
 * and ClassifierPool, in worker threads, fit). One classification per item, in order.
 */
export interface Classifier {
  classifyMany(items: ClassifierInput[]): ClassifierVersions[] | Promise<ClassifierVersions[]>;
  /** The versions its classifications carry, when known before classifying: already-classified items are then skipped in the read. */
  readonly classifierVersion?: string;
  readonly taxonomyVersion?: string;
  /** Readies the classifier (a pool starts its threads) before the first job. */
  warm?(): Promise<void>;
}

export interface ClassifyReport {
  classified: number;
  alreadyClassified: number;
  missing: number;
}

/**
 * Runs the classifier on items' current text and appends `ItemClassified` with the classifier and
 * taxonomy versions, every label and the evidence. Idempotent per item text and classifier version:
 * the event id is derived from them, so a redelivered job appends nothing twice.
 */
export class ItemClassificationService {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly items: ItemRepository,
    private readonly classifier: Classifier,
  ) {}

  /** Readies the classifier before the first classify job is taken. */
  async warm(): Promise<void> {
    await this.classifier.warm?.();
  }

  async classify(itemIds: string[], metadata: EventMetadataInput): Promise<ClassifyReport> {
    const streamIds = [...new Set(itemIds)].map(itemStreamId);
    const versions = classifierVersionsOf(this.classifier);
    // One read: each item's current text, and whether these versions classified it already.
    const items = await this.items.classifiable(streamIds, versions);
    let already = 0;
    const todo: ItemClassifiable[] = [];
    for (const streamId of streamIds) {
      const item = items.get(streamId);
      if (!item) continue;
      if (item.classified) already += 1;
      else todo.push(item);
    }
    const classifications = await this.classifier.classifyMany(
      todo.map((item) => ({
        id: item.itemId,
        title: item.title,
        summary: item.summary,
        source: item.source.name,
        jurisdictionHint: item.source.jurisdictionHint,
      })),
    );
    const appends: StreamAppend[] = todo.map((item, index) => {
      const classification = classifications[index];
      const eventId = deterministicEventId(
        `ItemClassified:${item.itemId}:${item.contentHash}:${classification.classifierVersion}:${classification.taxonomyVersion}`,
      );
      const data: ItemClassified = {
        itemId: item.itemId,
        sourceEventId: item.currentEventId,
        contentHash: item.contentHash,
        classifierVersion: classification.classifierVersion,
        taxonomyVersion: classification.taxonomyVersion,
        classification: classification as unknown as Record<string, unknown>,
      };
      return {
        streamId: item.streamId,
        expectedVersion: 'any',
        events: [{ type: 'ItemClassified', data, eventId, metadata }],
      };
    });
    const appended = await this.appendNew(appends);
    return {
      classified: appended,
      alreadyClassified: already + appends.length - appended,
      missing: streamIds.length - items.size,
    };
  }

  /**
   * One round trip when nothing is stored yet. A classifier without declared versions, or a job racing
   * another over the same items, asks which event ids are stored and appends the rest.
   */
  private async appendNew(appends: StreamAppend[]): Promise<number> {
    if (appends.length === 0) return 0;
    if (classifierVersionsOf(this.classifier)) {
      try {
        await this.store.appendMany(appends);
        return appends.length;
      } catch (error) {
        if (!(error instanceof PartialDuplicateAppendError)) throw error;
      }
    }
    const stored = await this.items.storedEventIds(appends.map((a) => a.events[0].eventId as string));
    const todo = appends.filter((append) => !stored.has(append.events[0].eventId as string));
    if (todo.length) await this.store.appendMany(todo);
    return todo.length;
  }
}

/** The versions a classifier declares up front (ItemClassifier does), if it does. */
function classifierVersionsOf(classifier: Classifier): ClassifierVersions | undefined {
  const { classifierVersion, taxonomyVersion } = classifier;
  return classifierVersion && taxonomyVersion ? { classifierVersion, taxonomyVersion } : undefined;
}
