import type { EventMetadataInput } from '@frictionwatch/event-store';
import type { ItemIngestor } from '@frictionwatch/items';
import type { BackfillSpec } from './feed.events';
import type { FetchPort, ParsePort } from './feed-ports';
import type { FeedState } from './feed-state';

export interface BackfillProgress {
  /** The slice being read, inclusive dates. */
  slice: { from: string; to: string };
  pagesRead: number;
  itemsSeen: number;
  newItems: number;
  /** Share of the whole date range already covered, 0..1. */
  covered: number;
}

export interface BackfillReport {
  slices: number;
  pagesRead: number;
  itemsSeen: number;
  newItems: number;
  revisedItems: number;
}

/** Some day held more results than one query may return: what could be read was ingested. */
export class BackfillIncompleteError extends Error {
  override name = 'BackfillIncompleteError';
  constructor(
    message: string,
    readonly report: BackfillReport,
  ) {
    super(message);
  }
}

const DAY = 86400000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function valueAt(document: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) =>
        value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
      document,
    );
}

/**
 * Pages a `json` source through history in date slices. A slice whose result count reaches the API's
 * cap is split in two until each fits, so nothing is silently cut off; each page goes through the same
 * parse, normalise and ingest path as a scheduled fetch (appends are idempotent).
 */
export class FeedBackfillService {
  constructor(
    private readonly fetcher: FetchPort,
    private readonly parser: ParsePort,
    private readonly ingestor: ItemIngestor,
  ) {}

  async backfill(
    feed: FeedState,
    range: { from: string; to: string },
    metadata: EventMetadataInput,
    onProgress?: (progress: BackfillProgress) => void,
  ): Promise<BackfillReport> {
    if (feed.kind !== 'json' || !feed.backfill)
      throw new Error(
        `Feed ${feed.feedId} has no backfill settings (json sources with a backfill block only)`,
      );
    const spec = feed.backfill;
    const start = Date.parse(`${range.from}T00:00:00Z`);
    const end = Date.parse(`${range.to}T00:00:00Z`);
    if (!(start <= end)) throw new Error(`--from ${range.from} must be on or before --to ${range.to}`);
    const report: BackfillReport = { slices: 0, pagesRead: 0, itemsSeen: 0, newItems: 0, revisedItems: 0 };
    const totalDays = (end - start) / DAY + 1;
    let coveredDays = 0;
    const progress = (from: number, to: number) =>
      onProgress?.({
        slice: { from: isoDay(from), to: isoDay(to) },
        pagesRead: report.pagesRead,
        itemsSeen: report.itemsSeen,
        newItems: report.newItems,
        covered: coveredDays / totalDays,
      });
    const pending: [number, number][] = [[start, end]];
    const truncated: string[] = [];
    while (pending.length) {
      const [from, to] = pending.shift() as [number, number];
      const first = await this.page(feed, this.sliceUrl(feed.url, spec, isoDay(from), isoDay(to)));
      const count = Number(valueAt(first.document, spec.countPath) ?? 0);
      if (count >= spec.maxResults && to === from) {
        // One day holds more than a query may return: read what the API gives, then fail loudly.
        truncated.push(`${isoDay(from)} (${count} results, at most ${spec.maxResults} readable)`);
      } else if (count >= spec.maxResults) {
        // Too many for one query: split the slice (earlier half first) and read both halves.
        const middle = from + Math.floor((to - from) / DAY / 2) * DAY;
        pending.unshift([from, middle], [middle + DAY, to]);
        continue;
      }
      report.slices += 1;
      let page: { document: unknown; items: Awaited<ReturnType<ParsePort['parse']>> } | null = first;
      while (page) {
        if (!page.items.ok)
          throw new Error(`Backfill of ${feed.feedId} could not parse a page: ${page.items.error}`);
        const ingested = await this.ingestor.ingest(
          { feedId: feed.feedId, name: feed.name, jurisdictionHint: feed.jurisdictionHint },
          page.items.items,
          metadata,
        );
        report.pagesRead += 1;
        report.itemsSeen += ingested.seen;
        report.newItems += ingested.newItems;
        report.revisedItems += ingested.revisedItems;
        progress(from, to);
        const next = valueAt(page.document, spec.nextPagePath);
        page = typeof next === 'string' && next ? await this.page(feed, next) : null;
      }
      coveredDays += (to - from) / DAY + 1;
      progress(from, to);
    }
    if (truncated.length) {
      throw new BackfillIncompleteError(
        `Backfill of ${feed.feedId} could not read every result of ${truncated.join(', ')}: ` +
          `the source caps a query and a day cannot be split further; ${report.newItems} new item(s) were ingested`,
        report,
      );
    }
    return report;
  }

  private sliceUrl(base: string, spec: BackfillSpec, from: string, to: string): string {
    const url = new URL(base);
    url.searchParams.delete('page');
    url.searchParams.set(spec.fromParam, from);
    url.searchParams.set(spec.toParam, to);
    return url.toString();
  }

  private async page(feed: FeedState, url: string) {
    const response = await this.fetcher.fetch({ url });
    if (response.kind !== 'ok') {
      const why = response.kind === 'failed' ? `${response.reason}: ${response.message}` : 'unexpected 304';
      throw new Error(`Backfill of ${feed.feedId} failed at ${url}: ${why}`);
    }
    let document: unknown;
    try {
      document = JSON.parse(response.text);
    } catch {
      throw new Error(`Backfill of ${feed.feedId}: ${url} did not answer JSON`);
    }
    const items = await this.parser.parse(
      response.text,
      { kind: 'json', json: feed.json ?? undefined },
      response.finalUrl,
    );
    return { document, items };
  }
}
