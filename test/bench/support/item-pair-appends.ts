import { createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ItemClassifier } from '@frictionwatch/classifier';
import type { PostgresEventStore, StreamAppend } from '@frictionwatch/event-store';
import type { ItemClassified, ItemIngested } from '@frictionwatch/items';
import { PostgresCpu } from './postgres-cpu';

const ITEMS_PER_FEED = 50;
const ITEMS_PER_CLASSIFY_JOB = 200;
const WRITERS = 4;

/** The ingest bench's item texts (generated-feeds-server.ts), so the classifications are real ones. */
const TOPICS = [
  'anti-dumping duties on crystalline silicon photovoltaic cells',
  'export controls on advanced computing semiconductors',
  'countervailing duties on battery electric vehicles',
  'export licence requirements for gallium and germanium',
  'tariff increases on lithium-ion batteries under Section 301',
];
const ACTORS = [
  'The European Commission',
  'The U.S. Department of Commerce',
  'Canada',
  'MOFCOM',
  'The United Kingdom',
];

function ingested(n: number): ItemIngested {
  const topic = TOPICS[n % TOPICS.length];
  const actor = ACTORS[(n * 7) % ACTORS.length];
  const title = `${actor} announces ${topic} from China (${n})`;
  const summary = `${actor} published a notice on ${topic} originating in the People's Republic of China. Interested parties may comment within 30 days; the measure applies to imports of the product concerned and follows an investigation opened earlier this year. Case ${n}.`;
  return {
    itemId: createHash('sha256').update(`item-${n}`).digest('hex').slice(0, 32),
    feedId: `bench-${Math.floor(n / ITEMS_PER_FEED)}`,
    url: `https://feeds.example.test/items/${n}`,
    guid: `urn:bench:${n}`,
    title,
    summary,
    publishedAt: '2025-01-20T00:00:00.000Z',
    dateSource: 'feed',
    categories: [],
    extra: {},
    contentHash: createHash('sha256').update(`${title}\n${summary}`).digest('hex'),
    source: { name: `Bench feed ${Math.floor(n / ITEMS_PER_FEED)}`, jurisdictionHint: null },
  };
}

/**
 * The ingest pipeline's appends alone, with its payloads: per item an `ItemIngested` to a new stream
 * (a feed's 50 items per append) and then an `ItemClassified` with a real classification and its
 * evidence (200 per append, like a classify job), from 4 writers. What Postgres spends on these is the
 * floor of the ingest bench's Postgres CPU per item.
 */
export async function itemPairAppends(
  store: PostgresEventStore,
  pool: Pool,
  database: string,
  items: number,
): Promise<{ itemsPerSec: number; postgresCpuSecondsPer10k: number | null }> {
  const classifier = new ItemClassifier();
  const texts = Array.from({ length: TOPICS.length * ACTORS.length }, (_, n) => ingested(n));
  const classifications = classifier.classifyMany(
    texts.map((item) => ({
      id: item.itemId,
      title: item.title,
      summary: item.summary,
      source: item.source.name,
    })),
  );
  const classified = (item: ItemIngested, n: number): ItemClassified => {
    const classification = { ...classifications[n % classifications.length], id: item.itemId };
    return {
      itemId: item.itemId,
      sourceEventId: randomUUID(),
      contentHash: item.contentHash,
      classifierVersion: classification.classifierVersion,
      taxonomyVersion: classification.taxonomyVersion,
      classification: classification as unknown as Record<string, unknown>,
    };
  };
  const payloads = Array.from({ length: items }, (_, n) => ingested(n));
  const metadata = { correlationId: 'bench.item-pairs', causationId: 'bench.item-pairs' };

  const cpu = new PostgresCpu(pool, database);
  await cpu.start();
  const started = process.hrtime.bigint();
  const inParallel = async (batch: number, append: (from: number, to: number) => StreamAppend[]) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < items) {
          const from = next;
          next = Math.min(items, next + batch);
          await store.appendMany(append(from, next));
          await cpu.sample();
        }
      }),
    );
  };
  const streams = (from: number, to: number) => payloads.slice(from, to).map((item) => `item-${item.itemId}`);
  await inParallel(ITEMS_PER_FEED, (from, to) =>
    streams(from, to).map((streamId, k) => ({
      streamId,
      expectedVersion: 'no_stream',
      events: [{ type: 'ItemIngested', data: payloads[from + k], metadata }],
    })),
  );
  await inParallel(ITEMS_PER_CLASSIFY_JOB, (from, to) =>
    streams(from, to).map((streamId, k) => ({
      streamId,
      expectedVersion: 'any',
      events: [{ type: 'ItemClassified', data: classified(payloads[from + k], from + k), metadata }],
    })),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await cpu.sample();
  const cpuSeconds = cpu.seconds();
  return {
    itemsPerSec: items / seconds,
    postgresCpuSecondsPer10k: cpuSeconds === null ? null : (cpuSeconds / items) * 1e4,
  };
}
