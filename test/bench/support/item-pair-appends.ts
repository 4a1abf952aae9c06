import { createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { ItemClassifier } from '@frictionwatch/classifier';
import type { PostgresEventStore, StreamAppend } from '@frictionwatch/event-store';
import type { ItemClassified, ItemIngested } from '@frictionwatch/items';
import { BENCH_TEXT_VARIANTS, benchItemText } from './bench-item-text';
import { PostgresCpu } from './postgres-cpu';

const ITEMS_PER_FEED = 50;
const ITEMS_PER_CLASSIFY_JOB = 200;
const WRITERS = 4;

function ingested(n: number): ItemIngested {
  // The ingest bench's item texts, so that the classifications are real ones.
  const { title, summary } = benchItemText(n, n * 7, String(n));
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

/** One item's two events as the pipeline appends them. */
interface ItemPair {
  streamId: string;
  ingested: ItemIngested;
  classified: ItemClassified;
}

function itemPairs(items: number): ItemPair[] {
  const texts = Array.from({ length: BENCH_TEXT_VARIANTS }, (_, n) => ingested(n));
  const classifications = new ItemClassifier().classifyMany(
    texts.map((item) => ({
      id: item.itemId,
      title: item.title,
      summary: item.summary,
      source: item.source.name,
    })),
  );
  return Array.from({ length: items }, (_, n) => {
    const item = ingested(n);
    const classification = { ...classifications[n % classifications.length], id: item.itemId };
    return {
      streamId: `item-${item.itemId}`,
      ingested: item,
      classified: {
        itemId: item.itemId,
        sourceEventId: randomUUID(),
        contentHash: item.contentHash,
        classifierVersion: classification.classifierVersion,
        taxonomyVersion: classification.taxonomyVersion,
        classification: classification as unknown as Record<string, unknown>,
      },
    };
  });
}

type PairWriter = (pairs: ItemPair[], event: 'ItemIngested' | 'ItemClassified') => Promise<void>;

export interface ItemPairResult {
  itemsPerSec: number;
  postgresCpuSecondsPer10k: number | null;
}

/**
 * Writes every pair's ItemIngested (a feed's 50 items per statement), then its ItemClassified (200 per
 * statement, like a classify job), from 4 writers, and measures items/s and Postgres's CPU per item.
 */
async function measure(
  pool: Pool,
  database: string,
  pairs: ItemPair[],
  write: PairWriter,
): Promise<ItemPairResult> {
  const cpu = new PostgresCpu(pool, database);
  await cpu.start();
  const started = process.hrtime.bigint();
  for (const [event, batch] of [
    ['ItemIngested', ITEMS_PER_FEED],
    ['ItemClassified', ITEMS_PER_CLASSIFY_JOB],
  ] as const) {
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < pairs.length) {
          const from = next;
          next = Math.min(pairs.length, next + batch);
          await write(pairs.slice(from, next), event);
          await cpu.sample();
        }
      }),
    );
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await cpu.sample();
  const cpuSeconds = cpu.seconds();
  return {
    itemsPerSec: pairs.length / seconds,
    postgresCpuSecondsPer10k: cpuSeconds === null ? null : (cpuSeconds / pairs.length) * 1e4,
  };
}

const METADATA = { correlationId: 'bench.item-pairs', causationId: 'bench.item-pairs' };

/**
 * The ingest pipeline's appends alone, with its payloads: per item an `ItemIngested` to a new stream
 * and then an `ItemClassified` with a real classification and its evidence, through `appendMany`. The
 * baseline: the same rows (JSON text made the same way) inserted into `rawTable` (the events table's
 * columns, constraints and indexes) with one `unnest` statement each, no stream rows. What Postgres
 * spends on these is the floor of the ingest bench's Postgres CPU per item.
 */
export async function itemPairAppends(
  store: PostgresEventStore,
  pool: Pool,
  database: string,
  rawTable: string,
  items: number,
): Promise<{ store: ItemPairResult; rawInsert: ItemPairResult }> {
  const viaStore = await measure(pool, database, itemPairs(items), (pairs, event) =>
    store
      .appendMany(
        pairs.map((pair): StreamAppend => ({
          streamId: pair.streamId,
          expectedVersion: event === 'ItemIngested' ? 'no_stream' : 'any',
          events: [
            {
              type: event,
              data: event === 'ItemIngested' ? pair.ingested : pair.classified,
              metadata: METADATA,
            },
          ],
        })),
      )
      .then(() => undefined),
  );
  const rawInsert = await measure(pool, database, itemPairs(items), async (pairs, event) => {
    const now = new Date().toISOString();
    await pool.query({
      name: 'bench_item_pairs_raw',
      text: `INSERT INTO ${rawTable} (stream_id, stream_version, event_id, event_type, schema_version, data, metadata)
             SELECT s, v, id, t, 1, d, m
             FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[]) AS x(s, v, id, t, d, m)`,
      values: [
        pairs.map((pair) => `raw-${pair.streamId}`),
        pairs.map(() => (event === 'ItemIngested' ? 1 : 2)),
        pairs.map(() => randomUUID()),
        pairs.map(() => event),
        pairs.map((pair) => JSON.stringify(event === 'ItemIngested' ? pair.ingested : pair.classified)),
        pairs.map(() => JSON.stringify({ ...METADATA, occurredAt: now })),
      ],
    });
  });
  return { store: viaStore, rawInsert };
}
