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
import { itemIdFor, itemIdOfStream, itemStreamId } from './item-identity';
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

/** The appends one batch of items needs, read against the log, before anything is written. */
export interface IngestPlan {
  seen: number;
  unique: number;
  fresh: StreamAppend[];
  revised: StreamAppend[];
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
    return this.commit(await this.plan(source, batch, metadata));
  }

  /** Reads what the log holds of these items (one statement) and decides what to append. */
  async plan(
    source: IngestSource,
    batch: IngestibleItem[],
    metadata: EventMetadataInput,
  ): Promise<IngestPlan> {
    const unique = new Map<string, IngestibleItem>();
    for (const item of batch) {
      const itemId = itemIdFor(source.feedId, item);
      if (!unique.has(itemId)) unique.set(itemId, item);
    }
    const heads = await this.items.textHeads([...unique.keys()].map(itemStreamId));
    const fresh: StreamAppend[] = [];
    const revised: StreamAppend[] = [];
    for (const [itemId, item] of unique) {
      const streamId = itemStreamId(itemId);
      const head = heads.get(streamId);
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
      if (!head) {
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
      } else if (head.contentHash !== item.contentHash) {
        // The first sighting's date stands: a re-dated copy does not move the item.
        const data: ItemRevised = {
          ...content,
          publishedAt: head.publishedAt ?? item.publishedAt,
          previousContentHash: head.contentHash,
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
    return { seen: batch.length, unique: unique.size, fresh, revised };
  }

  /**
   * Appends a plan in one round trip and one transaction, together with the appends `alongside` makes
   * of the report (the feed's own events). When a concurrent fetch of another feed got to an item
   * first, falls back to one append per item, skipping the ones that now exist, then appends the rest
   * with the counts that turned out true.
   */
  async commit(
    plan: IngestPlan,
    alongside: (report: IngestReport) => StreamAppend[] = () => [],
  ): Promise<IngestReport> {
    const planned = this.report(plan, plan.fresh, plan.revised);
    const items = [...plan.fresh, ...plan.revised];
    const all = [...items, ...alongside(planned)];
    if (all.length === 0) return planned;
    try {
      await this.store.appendMany(all);
      return planned;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) && !(error instanceof PartialDuplicateAppendError))
        throw error;
    }
    const appendedNew = await this.appendOneByOne(plan.fresh);
    const appendedRevised = await this.appendOneByOne(plan.revised);
    const report = this.report(plan, appendedNew, appendedRevised);
    const rest = alongside(report);
    if (rest.length) await this.store.appendMany(rest);
    return report;
  }

  private report(
    plan: IngestPlan,
    appendedNew: StreamAppend[],
    appendedRevised: StreamAppend[],
  ): IngestReport {
    return {
      seen: plan.seen,
      newItems: appendedNew.length,
      revisedItems: appendedRevised.length,
      unchanged: plan.unique - appendedNew.length - appendedRevised.length,
      appendedItemIds: [...appendedNew, ...appendedRevised].map((a) => itemIdOfStream(a.streamId)),
    };
  }

  private async appendOneByOne(appends: StreamAppend[]): Promise<StreamAppend[]> {
    const appended: StreamAppend[] = [];
    for (const append of appends) {
      try {
        await this.store.append(append.streamId, append.events as NewEvent[], {
          expectedVersion: append.expectedVersion,
        });
        appended.push(append);
      } catch (error) {
        if (error instanceof WrongExpectedVersionError || error instanceof PartialDuplicateAppendError)
          continue;
        throw error;
      }
    }
    return appended;
  }
}
