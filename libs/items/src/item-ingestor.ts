import {
  deterministicEventId,
  PartialDuplicateAppendError,
  WrongExpectedVersionError,
  type EventMetadataInput,
  type NewEvent,
  type PostgresEventStore,
  type StreamAppend,
} from '@frictionwatch/event-store';
import type { ItemIngested, ItemRevised } from './item.events';
import { itemIdFor, itemStreamId } from './item-identity';
import type { ItemRepository } from './item.repository';

/** A normalised item as the feed parser gives it. */
export interface IngestibleItem {
  key: string;
  guid: string | null;
  url: string | null;
  title: string;
  summary: string;
  publishedAt: string;
  dateSource: 'feed' | 'first_seen';
  categories: string[];
  extra: Record<string, unknown>;
  contentHash: string;
}

export interface IngestSource {
  feedId: string;
  name: string;
  jurisdictionHint: string | null;
}

export interface IngestReport {
  seen: number;
  newItems: number;
  revisedItems: number;
  unchanged: number;
  /** Item ids appended (new or revised), for logs and tests. */
  appendedItemIds: string[];
}

/**
 * Turns a feed's items into events: a new item is `ItemIngested` (expected version no_stream, so an item
 * seen again in this or another feed is ingested once); a changed title or summary is `ItemRevised`;
 * anything else writes nothing. Event ids are deterministic, so a retried fetch job is a no-op.
 */
export class ItemIngestor {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly items: ItemRepository,
  ) {}

  async ingest(
    source: IngestSource,
    batch: IngestibleItem[],
    metadata: EventMetadataInput,
  ): Promise<IngestReport> {
    const unique = new Map<string, IngestibleItem>();
    for (const item of batch) {
      const itemId = itemIdFor(source.feedId, item);
      if (!unique.has(itemId)) unique.set(itemId, item);
    }
    const states = await this.items.states([...unique.keys()].map(itemStreamId));
    const fresh: StreamAppend[] = [];
    const revised: StreamAppend[] = [];
    for (const [itemId, item] of unique) {
      const streamId = itemStreamId(itemId);
      const state = states.get(streamId);
      const content = {
        itemId,
        feedId: source.feedId,
        url: item.url,
        guid: item.guid,
        title: item.title,
        summary: item.summary,
        publishedAt: item.publishedAt,
        dateSource: item.dateSource,
        categories: item.categories,
        extra: item.extra,
        contentHash: item.contentHash,
      };
      if (!state) {
        const data: ItemIngested = {
          ...content,
          source: { name: source.name, jurisdictionHint: source.jurisdictionHint },
        };
        fresh.push({
          streamId,
          expectedVersion: 'no_stream',
          events: [
            { type: 'ItemIngested', data, eventId: deterministicEventId(`ItemIngested:${itemId}`), metadata },
          ],
        });
      } else if (state.contentHash !== item.contentHash) {
        // The first sighting's date stands: a re-dated copy does not move the item.
        const data: ItemRevised = {
          ...content,
          publishedAt: String(state.current.publishedAt ?? item.publishedAt),
          previousContentHash: state.contentHash,
        };
        revised.push({
          streamId,
          expectedVersion: 'any',
          events: [
            {
              type: 'ItemRevised',
              data,
              eventId: deterministicEventId(`ItemRevised:${itemId}:${item.contentHash}`),
              metadata,
            },
          ],
        });
      }
    }
    const appendedNew = await this.appendTolerant(fresh);
    const appendedRevised = await this.appendTolerant(revised);
    return {
      seen: batch.length,
      newItems: appendedNew.length,
      revisedItems: appendedRevised.length,
      unchanged: unique.size - appendedNew.length - appendedRevised.length,
      appendedItemIds: [...appendedNew, ...appendedRevised].map((streamId) => streamId.slice('item-'.length)),
    };
  }

  /**
   * One round trip for the whole batch; when a concurrent fetch of another feed got to an item first,
   * fall back to one append per item and skip the ones that now exist.
   */
  private async appendTolerant(appends: StreamAppend[]): Promise<string[]> {
    if (appends.length === 0) return [];
    try {
      await this.store.appendMany(appends);
      return appends.map((a) => a.streamId);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) && !(error instanceof PartialDuplicateAppendError))
        throw error;
    }
    const appended: string[] = [];
    for (const append of appends) {
      try {
        await this.store.append(append.streamId, append.events as NewEvent[], {
          expectedVersion: append.expectedVersion,
        });
        appended.push(append.streamId);
      } catch (error) {
        if (error instanceof WrongExpectedVersionError || error instanceof PartialDuplicateAppendError)
          continue;
        throw error;
      }
    }
    return appended;
  }
}
