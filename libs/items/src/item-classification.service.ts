import {
  deterministicEventId,
  type EventMetadataInput,
  type PostgresEventStore,
  type StreamAppend,
} from '@frictionwatch/event-store';
import type { ItemClassified } from './item.events';
import { itemStreamId } from './item-identity';
import type { ItemRepository } from './item.repository';

/** The classifier as this service needs it (`@frictionwatch/classifier`'s ItemClassifier fits). */
export interface Classifier {
  classify(item: {
    id: string;
    title: string;
    summary: string;
    source: string;
    jurisdictionHint: string | null;
  }): {
    classifierVersion: string;
    taxonomyVersion: string;
  };
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

  async classify(itemIds: string[], metadata: EventMetadataInput): Promise<ClassifyReport> {
    const streamIds = [...new Set(itemIds)].map(itemStreamId);
    const states = await this.items.states(streamIds);
    const appends: StreamAppend[] = [];
    const ids: string[] = [];
    for (const streamId of streamIds) {
      const state = states.get(streamId);
      if (!state) continue;
      const current = state.current as { itemId: string; title: string; summary: string };
      const classification = this.classifier.classify({
        id: current.itemId,
        title: current.title,
        summary: current.summary,
        source: state.source.name,
        jurisdictionHint: state.source.jurisdictionHint,
      });
      const eventId = deterministicEventId(
        `ItemClassified:${current.itemId}:${state.contentHash}:${classification.classifierVersion}:${classification.taxonomyVersion}`,
      );
      const data: ItemClassified = {
        itemId: current.itemId,
        sourceEventId: state.currentEventId,
        contentHash: state.contentHash,
        classifierVersion: classification.classifierVersion,
        taxonomyVersion: classification.taxonomyVersion,
        classification: classification as unknown as Record<string, unknown>,
      };
      ids.push(eventId);
      appends.push({
        streamId,
        expectedVersion: 'any',
        events: [{ type: 'ItemClassified', data, eventId, metadata }],
      });
    }
    const stored = await this.items.storedEventIds(ids);
    const todo = appends.filter((append) => !stored.has(append.events[0].eventId as string));
    if (todo.length) await this.store.appendMany(todo);
    return {
      classified: todo.length,
      alreadyClassified: appends.length - todo.length,
      missing: streamIds.length - appends.length,
    };
  }
}
