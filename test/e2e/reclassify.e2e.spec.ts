import { createHash } from 'node:crypto';
import { ItemClassifier } from '@frictionwatch/classifier';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { FEED_EVENTS } from '@frictionwatch/feeds';
import {
  ITEM_EVENTS,
  itemIdFor,
  ItemIngestor,
  ItemRepository,
  itemStreamId,
  type IngestibleItem,
} from '@frictionwatch/items';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@frictionwatch/testing';
import { finished, runTs, waitForOutput } from '../support/processes';

/**
 * `npm run cli -- reclassify` as its own process against real Postgres and Redis, with a worker
 * process that consumes the classify queue but runs no classification trigger (WORKER_PROJECTIONS=feeds):
 * every item whose latest classification is from an old classifier version (or that has none) is
 * classified again by the current one, once.
 */
describe('reclassify end to end', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let worker: ReturnType<typeof runTs> | null = null;
  const queue = testQueuePrefix();
  const current = new ItemClassifier();
  const ITEMS = 12;
  const OLD_CLASSIFIED = 5;

  const env = () => ({
    DATABASE_URL: database.url,
    QUEUE_PREFIX: queue.prefix,
    PROJECTION_POLL_INTERVAL_MS: '100',
    LOG_LEVEL: 'info',
  });

  function item(i: number): IngestibleItem {
    const title = `European Commission imposes anti-dumping duties on Chinese steel wire ${i}`;
    const summary = `Definitive duties on imports of steel wire originating in the People's Republic of China (${i}).`;
    return {
      key: `guid:reclassify-${i}`,
      guid: `reclassify-${i}`,
      url: `https://trade.example.test/news/${i}`,
      title,
      summary,
      publishedAt: '2025-01-06T10:00:00.000Z',
      dateSource: 'feed',
      categories: [],
      extra: {},
      contentHash: createHash('sha256').update(`${title}\n${summary}`).digest('hex'),
    };
  }

  async function classifiedBy(): Promise<{ item: string; version: string; n: number }[]> {
    const { rows } = await database.pool.query<{ item: string; version: string; n: number }>(
      `SELECT stream_id AS item, data->>'classifierVersion' AS version, count(*)::int AS n
       FROM events WHERE event_type = 'ItemClassified' GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    return rows;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore(
      database.pool,
      new EventRegistry().register(...FEED_EVENTS, ...ITEM_EVENTS),
    );
    const ingestor = new ItemIngestor(store, new ItemRepository(database.pool));
    const report = await ingestor.ingest(
      { feedId: 'ec-trade', name: 'EC trade news', jurisdictionHint: 'EU' },
      Array.from({ length: ITEMS }, (_, i) => item(i)),
      { correlationId: 'test:reclassify' },
    );
    expect(report.newItems).toBe(ITEMS);
    // Some items were classified long ago by an old classifier version.
    const { rows } = await database.pool.query<{
      stream_id: string;
      event_id: string;
      data: { contentHash: string; itemId: string };
    }>(
      "SELECT stream_id, event_id, data FROM events WHERE event_type = 'ItemIngested' ORDER BY stream_id LIMIT $1",
      [OLD_CLASSIFIED],
    );
    for (const row of rows)
      await store.append(row.stream_id, [
        {
          type: 'ItemClassified',
          data: {
            itemId: row.data.itemId,
            sourceEventId: row.event_id,
            contentHash: row.data.contentHash,
            classifierVersion: '0.0.1',
            taxonomyVersion: current.taxonomyVersion,
            classification: { friction: false },
          },
        },
      ]);
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await queue.cleanup();
    await database?.drop();
  });

  it('re-classifies every outdated item through the worker, then finds nothing to do', async () => {
    expect(current.classifierVersion).not.toBe('0.0.1');
    worker = runTs('apps/worker/src/main.ts', [], { ...env(), WORKER_PROJECTIONS: 'feeds' });
    const running = worker;
    await waitForOutput(running, 'consuming queues: fetch, classify', 30000);
    // Without the classification trigger the worker classifies nothing by itself.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await classifiedBy()).map((r) => r.version)).toEqual(Array(OLD_CLASSIFIED).fill('0.0.1'));

    const first = await finished(runTs('apps/cli/src/main.ts', ['reclassify', '--timeout', '60'], env()));
    expect(first.stderr).not.toMatch(/\n\s+at /);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Enqueued ${ITEMS} item(s) in `);
    expect(first.stdout).toContain(`Reclassified ${ITEMS} item(s)`);

    // Every item has exactly one classification by the current versions; the old ones stay in the log.
    const rows = await classifiedBy();
    const currentRows = rows.filter((r) => r.version === current.classifierVersion);
    expect(currentRows).toHaveLength(ITEMS);
    expect(currentRows.every((r) => r.n === 1)).toBe(true);
    expect(rows.filter((r) => r.version === '0.0.1')).toHaveLength(OLD_CLASSIFIED);
    const { rows: sample } = await database.pool.query(
      `SELECT e.data, i.event_id AS ingested FROM events e
       JOIN events i ON i.stream_id = e.stream_id AND i.event_type = 'ItemIngested'
       WHERE e.event_type = 'ItemClassified' AND e.data->>'classifierVersion' = $1`,
      [current.classifierVersion],
    );
    expect(sample).toHaveLength(ITEMS);
    for (const row of sample) {
      expect(row.data.taxonomyVersion).toBe(current.taxonomyVersion);
      expect(row.data.sourceEventId).toBe(row.ingested);
      expect(row.data.classification).toMatchObject({ friction: true, actors: ['EU'], targets: ['CN'] });
    }
    const ids = Array.from({ length: ITEMS }, (_, i) => itemStreamId(itemIdFor('ec-trade', item(i))));
    expect(new Set(currentRows.map((r) => r.item))).toEqual(new Set(ids));

    const second = await finished(runTs('apps/cli/src/main.ts', ['reclassify', '--timeout', '60'], env()));
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      `Every item is classified by ${current.classifierVersion} / taxonomy ${current.taxonomyVersion}`,
    );
    expect(await classifiedBy()).toEqual(rows);

    running.kill('SIGTERM');
    const stopped = await finished(running);
    worker = null;
    expect(stopped.code).toBe(0);
  }, 90000);
});
