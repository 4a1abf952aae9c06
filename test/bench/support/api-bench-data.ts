// The api benchmark's data set: items whose texts are the labelled classifier corpus
// (test/fixtures/classifier), each text classified once by the real classifier, spread over feeds and
// over the last DAYS days of publication dates. Deterministic for a given seed and clock day.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify, type ClassifiableItem, type Classification } from '@frictionwatch/classifier';
import { deterministicEventId, type StreamAppend } from '@frictionwatch/event-store';
import { itemStreamId, type ItemClassified, type ItemIngested } from '@frictionwatch/items';

/** Publication dates span a year and a bit, so "a year by week" reads a full year of weeks. */
export const DAYS = 400;
const FEEDS = 40;
const TAXONOMY_FALLBACK = 'tx-bench';

interface CorpusText {
  title: string;
  summary: string;
  source: string;
  jurisdictionHint: string | null;
  classification: Classification;
}

/** Every corpus text with its real classification. */
export function corpusTexts(): CorpusText[] {
  const dir = join(__dirname, '..', '..', 'fixtures', 'classifier');
  const texts: CorpusText[] = [];
  for (const file of ['dev.jsonl', 'test.jsonl']) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const item = JSON.parse(line) as ClassifiableItem;
      texts.push({
        title: item.title,
        summary: item.summary ?? '',
        source: item.source ?? 'Unknown',
        jurisdictionHint: item.jurisdictionHint ?? null,
        classification: classify(item),
      });
    }
  }
  return texts;
}

/** mulberry32: a small seeded generator, so two runs load the same data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (text: string, length: number) =>
  createHash('sha256').update(text).digest('hex').slice(0, length);

/**
 * The appends of items [from, to): one stream per item with its ItemIngested and its ItemClassified,
 * as the ingestion and classification paths write them (ids, content hash, metadata).
 */
export function itemAppends(
  texts: readonly CorpusText[],
  from: number,
  to: number,
  now: number,
): StreamAppend[] {
  const appends: StreamAppend[] = [];
  for (let n = from; n < to; n += 1) {
    const next = random(n * 2654435761 + 1);
    const text = texts[Math.floor(next() * texts.length)];
    const feedId = `bench-feed-${Math.floor(next() * FEEDS)}`;
    const url = `https://bench.example.test/${feedId}/items/${n}`;
    const itemId = hex(`url:${url}`, 32);
    const published = now - Math.floor(next() * DAYS * 86400000);
    const publishedAt = new Date(published).toISOString();
    const ingestedAt = new Date(published + Math.floor(next() * 3600000)).toISOString();
    const classifiedAt = new Date(Date.parse(ingestedAt) + 2000).toISOString();
    const contentHash = createHash('sha256')
      .update(JSON.stringify([text.title, text.summary, url]))
      .digest('hex');
    const ingestedId = deterministicEventId(`ItemIngested:${itemId}`);
    const ingested: ItemIngested = {
      itemId,
      feedId,
      url,
      guid: url,
      title: text.title,
      summary: text.summary,
      publishedAt,
      dateSource: 'feed',
      categories: [],
      extra: {},
      contentHash,
      source: { name: text.source, jurisdictionHint: text.jurisdictionHint },
    };
    const classified: ItemClassified = {
      itemId,
      sourceEventId: ingestedId,
      contentHash,
      classifierVersion: text.classification.classifierVersion,
      taxonomyVersion: text.classification.taxonomyVersion || TAXONOMY_FALLBACK,
      classification: { ...text.classification, id: itemId },
    };
    appends.push({
      streamId: itemStreamId(itemId),
      expectedVersion: 'no_stream',
      events: [
        {
          type: 'ItemIngested',
          data: ingested,
          eventId: ingestedId,
          metadata: { occurredAt: ingestedAt, fetchStartedAt: ingestedAt },
        },
        {
          type: 'ItemClassified',
          data: classified,
          eventId: deterministicEventId(`ItemClassified:${itemId}:${contentHash}`),
          metadata: { occurredAt: classifiedAt, causationId: ingestedId },
        },
      ],
    });
  }
  return appends;
}
