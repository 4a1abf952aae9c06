import { ItemClassifier } from '@frictionwatch/classifier';
import { loadConfig } from '@frictionwatch/config';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import {
  FEED_EVENTS,
  FeedFetchService,
  FeedRegistry,
  FeedRepository,
  FeedScheduler,
  feedsProjection,
  readSources,
} from '@frictionwatch/feeds';
import {
  classificationTrigger,
  ITEM_EVENTS,
  ItemClassificationService,
  ItemIngestor,
  ItemRepository,
} from '@frictionwatch/items';
import { createFeedPipelinePorts, type FeedPipelinePorts } from '@frictionwatch/platform';
import { ProjectionEngine } from '@frictionwatch/projections';
import { closeWorker, createRedisConnection, JobQueue, startQueueWorker } from '@frictionwatch/queues';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  testQueuePrefix,
  type TestDatabase,
} from '@frictionwatch/testing';
import type { Worker } from 'bullmq';
import { FeedServer } from '../support/feed-server';

/**
 * From a scheduler tick to ItemClassified for each kind of source, with the seeded sources' own
 * settings (mappings, selectors) over recorded snapshots of those publishers, served on loopback.
 */
describe('ingestion of every source kind, tick to ItemClassified', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let engine: ProjectionEngine;
  let ports: FeedPipelinePorts;
  const server = new FeedServer();
  const queue = testQueuePrefix();
  const redis = createRedisConnection(TEST_REDIS_URL, 'test-kinds');
  const jobs = new JobQueue(redis, queue.prefix);
  const workers: Worker[] = [];

  const sources = readSources();
  const seeded = (id: string) => {
    const source = sources.find((s) => s.feedId === id);
    if (!source) throw new Error(`no seeded source ${id}`);
    return source;
  };
  const cases = [
    { feedId: 'fr-ita', fixture: 'federal-register-documents.json', type: 'application/json' },
    { feedId: 'govuk-tra', fixture: 'gov-uk-trade-remedies-search.json', type: 'application/json' },
    {
      feedId: 'mofcom-announcements',
      fixture: 'mofcom-announcements.html',
      type: 'text/html; charset=utf-8',
    },
    { feedId: 'cbsa-sima', fixture: 'cbsa-sima-investigations.html', type: 'text/html; charset=utf-8' },
    { feedId: 'ec-trade-news', fixture: 'ec-trade-news.rss.xml', type: 'application/rss+xml' },
    { feedId: 'eurlex-oj-l', fixture: 'eurlex-oj-l.rdf.xml', type: 'application/rdf+xml' },
    { feedId: 'wto-news', fixture: 'wto-news.atom.xml', type: 'application/atom+xml' },
  ];

  async function count(type: string, feedId?: string): Promise<number> {
    const { rows } = await database.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events WHERE event_type = $1 AND ($2::text IS NULL OR data->>'feedId' = $2)`,
      [type, feedId ?? null],
    );
    return rows[0].n;
  }

  beforeAll(async () => {
    await server.start();
    database = await createTestDatabase({ poolMax: 12 });
    store = new PostgresEventStore(
      database.pool,
      new EventRegistry().register(...FEED_EVENTS, ...ITEM_EVENTS),
    );
    engine = new ProjectionEngine(database.db, store, [feedsProjection, classificationTrigger(jobs)], {
      pollIntervalMs: 50,
    });
    ports = createFeedPipelinePorts(loadConfig({ FETCH_ALLOW_PRIVATE_NETWORKS: 'true' }));
    const items = new ItemRepository(database.pool);
    const feeds = new FeedRepository(database.db, engine);
    const fetch = new FeedFetchService(
      store,
      feeds,
      ports.fetcher,
      ports.parser,
      new ItemIngestor(store, items),
    );
    const classification = new ItemClassificationService(store, items, new ItemClassifier());
    const handlers = {
      'fetch-feed': (data: { feedId: string; correlationId: string }) =>
        fetch.fetchFeed(data.feedId, { correlationId: data.correlationId }),
      'classify-items': (data: { items: { itemId: string }[]; correlationId: string }) =>
        classification.classify(
          data.items.map((i) => i.itemId),
          { correlationId: data.correlationId },
        ),
    };
    workers.push(
      startQueueWorker('fetch', handlers, { connection: redis, prefix: queue.prefix, concurrency: 4 }),
    );
    workers.push(
      startQueueWorker('classify', handlers, { connection: redis, prefix: queue.prefix, concurrency: 2 }),
    );

    const registry = new FeedRegistry(store);
    for (const { feedId, fixture, type } of cases) {
      server.fixture(`/${feedId}`, fixture, type);
      await registry.register({ ...seeded(feedId), url: server.url(`/${feedId}`) });
    }
    await engine.start();
  });

  afterAll(async () => {
    await engine.stop();
    await Promise.all(workers.map((w) => closeWorker(w, 5000)));
    await jobs.close();
    redis.disconnect();
    await ports.close();
    await server.stop();
    await queue.cleanup();
    await database.drop();
  });

  it('fetches each source once, ingests its items and classifies every one', async () => {
    await engine.catchUp('feeds', 1);
    const { enqueued } = await new FeedScheduler(new FeedRepository(database.db, engine), jobs).tick();
    expect(enqueued).toBe(cases.length);
    const deadline = Date.now() + 30000;
    for (;;) {
      const [fetched, ingested, classified] = [
        await count('FeedFetched'),
        await count('ItemIngested'),
        await count('ItemClassified'),
      ];
      if (fetched === cases.length && ingested > 0 && classified === ingested) break;
      if (Date.now() > deadline) {
        const { rows } = await database.pool.query(
          "SELECT event_type, data FROM events WHERE event_type = 'FeedFetchFailed'",
        );
        throw new Error(
          `fetched ${fetched}/${cases.length}, ingested ${ingested}, classified ${classified}; failures: ${JSON.stringify(rows)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const { feedId } of cases) {
      expect({ feedId, items: await count('ItemIngested', feedId) }).toEqual({
        feedId,
        items: expect.any(Number),
      });
      expect(await count('ItemIngested', feedId)).toBeGreaterThan(0);
    }
    expect(await count('FeedFetchFailed')).toBe(0);
  });

  it('keeps what the Federal Register API provides beside the text (docket ids carry the Commerce case number)', async () => {
    const { rows } = await database.pool.query(
      "SELECT data FROM events WHERE event_type = 'ItemIngested' AND data->>'feedId' = 'fr-ita' ORDER BY data->>'url'",
    );
    const withDocket = rows
      .map((r) => r.data)
      .find((d) => JSON.stringify(d.extra.docketIds ?? []).includes('A-570-'));
    expect(withDocket).toBeDefined();
    expect(withDocket.extra).toMatchObject({ documentNumber: expect.any(String) });
    expect(withDocket.source).toEqual({ name: seeded('fr-ita').name, jurisdictionHint: 'US' });
  });

  it('classifies Chinese MOFCOM announcements with China as the actor', async () => {
    const { rows } = await database.pool.query(
      `SELECT c.data->'classification' AS classification FROM events c
       JOIN events i ON i.stream_id = c.stream_id AND i.event_type = 'ItemIngested'
       WHERE c.event_type = 'ItemClassified' AND i.data->>'feedId' = 'mofcom-announcements' AND i.data->>'title' LIKE '%反倾销%'`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0].classification).toMatchObject({
      friction: true,
      actors: ['CN'],
      frictionTypes: expect.arrayContaining(['anti_dumping']),
    });
  });

  it('a second tick in the same slot enqueues nothing new; the next fetch is a conditional 304', async () => {
    await engine.catchUp('feeds', 1);
    const feeds = new FeedRepository(database.db, engine);
    expect(await new FeedScheduler(feeds, jobs).tick()).toEqual({ enqueued: 0 });
    const before = server.hits.get('/wto-news') ?? 0;
    const fetch = new FeedFetchService(
      store,
      feeds,
      ports.fetcher,
      ports.parser,
      new ItemIngestor(store, new ItemRepository(database.pool)),
    );
    expect(await fetch.fetchFeed('wto-news', {})).toEqual({ outcome: 'not_modified' });
    expect(server.hits.get('/wto-news')).toBe(before + 1);
  });
});
