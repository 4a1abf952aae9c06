import { loadConfig } from '@frictionwatch/config';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import {
  FEED_EVENTS,
  FeedFetchService,
  FeedRegistry,
  FeedRepository,
  feedsProjection,
} from '@frictionwatch/feeds';
import { ITEM_EVENTS, ItemIngestor, ItemRepository } from '@frictionwatch/items';
import { createFeedPipelinePorts, type FeedPipelinePorts } from '@frictionwatch/platform';
import { ProjectionEngine } from '@frictionwatch/projections';
import { createTestDatabase, feedSpec, type TestDatabase } from '@frictionwatch/testing';
import { FeedServer } from '../support/feed-server';

/**
 * The fetch pipeline against a real HTTP server on loopback, real Postgres: each outcome is recorded
 * as the right event, health follows failures, and a broken feed never stops the others.
 */
describe('feed fetch pipeline', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let engine: ProjectionEngine;
  let registry: FeedRegistry;
  let service: FeedFetchService;
  let ports: FeedPipelinePorts;
  const server = new FeedServer();
  const rss = (items: { title: string; link: string; guid?: string; date?: string }[]) =>
    `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>T</title><link>https://x.test/</link><description>d</description>${items
      .map(
        (i) =>
          `<item><title>${i.title}</title><link>${i.link}</link>${i.guid ? `<guid>${i.guid}</guid>` : ''}${i.date ? `<pubDate>${i.date}</pubDate>` : ''}<description>About ${i.title}.</description></item>`,
      )
      .join('')}</channel></rss>`;

  const feed = (feedId: string, path: string) =>
    feedSpec(feedId, { url: server.url(path), jurisdictionHint: 'EU' });

  async function fetchFeed(feedId: string) {
    await engine.catchUp('feeds', 1);
    const result = await service.fetchFeed(feedId, { correlationId: `test:${feedId}` });
    await engine.catchUp('feeds', 1);
    return result;
  }

  async function eventTypes(feedId: string): Promise<string[]> {
    return (await store.readStream(`feed-${feedId}`)).map((e) => e.type);
  }

  beforeAll(async () => {
    await server.start();
    database = await createTestDatabase();
    store = new PostgresEventStore(
      database.pool,
      new EventRegistry().register(...FEED_EVENTS, ...ITEM_EVENTS),
    );
    engine = new ProjectionEngine(database.db, store, [feedsProjection]);
    await engine.initialise();
    registry = new FeedRegistry(store);
    ports = createFeedPipelinePorts(
      loadConfig({ FETCH_ALLOW_PRIVATE_NETWORKS: 'true', FETCH_TIMEOUT_MS: '2000' }),
    );
    service = new FeedFetchService(
      store,
      new FeedRepository(database.db, engine),
      ports.fetcher,
      ports.parser,
      new ItemIngestor(store, new ItemRepository(database.pool)),
    );
  });
  afterAll(async () => {
    await ports.close();
    await server.stop();
    await database.drop();
  });

  it('ingests a feed, then answers 304 with the stored validators', async () => {
    const body = rss([
      {
        title: 'EU imposes duties on Chinese e-bikes',
        link: 'https://x.test/a',
        guid: 'a',
        date: 'Tue, 02 Jan 2024 10:00:00 CET',
      },
      {
        title: 'Commission opens probe into Chinese cranes',
        link: 'https://x.test/b?utm_source=rss',
        guid: 'b',
      },
    ]);
    server.route('/good.xml', (request, response) => {
      if (request.headers['if-none-match'] === '"v1"') response.writeHead(304).end();
      else response.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' }).end(body);
    });
    await registry.register(feed('good', '/good.xml'));
    expect(await fetchFeed('good')).toEqual({
      outcome: 'fetched',
      newItems: 2,
      revisedItems: 0,
      itemsSeen: 2,
    });
    expect(await fetchFeed('good')).toEqual({ outcome: 'not_modified' });
    expect(await eventTypes('good')).toEqual(['FeedRegistered', 'FeedFetched', 'FeedNotModified']);
    const { rows } = await database.pool.query(
      "SELECT data FROM events WHERE event_type = 'ItemIngested' ORDER BY data->>'url'",
    );
    expect(rows.map((r) => r.data.url)).toEqual(['https://x.test/a', 'https://x.test/b']);
    expect(rows[0].data.publishedAt).toBe('2024-01-02T09:00:00.000Z');
    expect(rows[1].data.dateSource).toBe('first_seen');
  });

  it('records failures with their reason, turns unhealthy after three, and recovers', async () => {
    let failing = true;
    server.route('/flaky.xml', (_request, response) => {
      if (failing) response.writeHead(500).end('boom');
      else
        response
          .writeHead(200, { 'content-type': 'application/rss+xml' })
          .end(rss([{ title: 'Back', link: 'https://x.test/back' }]));
    });
    await registry.register(feed('flaky', '/flaky.xml'));
    for (let i = 0; i < 3; i += 1)
      expect(await fetchFeed('flaky')).toMatchObject({ outcome: 'failed', reason: 'http_status' });
    failing = false;
    expect(await fetchFeed('flaky')).toMatchObject({ outcome: 'fetched', newItems: 1 });
    expect(await eventTypes('flaky')).toEqual([
      'FeedRegistered',
      'FeedFetchFailed',
      'FeedFetchFailed',
      'FeedFetchFailed',
      'FeedUnhealthy',
      'FeedFetched',
      'FeedRecovered',
    ]);
    const state = await new FeedRepository(database.db, engine).get('flaky');
    expect(state).toMatchObject({ healthy: true, consecutiveFailures: 0 });
  });

  it('records HTML instead of a feed, 429 with Retry-After, and 410 (which pauses the feed)', async () => {
    server.route('/html.xml', (_q, r) =>
      r.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><body>Error</body></html>'),
    );
    server.route('/limited.xml', (_q, r) => r.writeHead(429, { 'retry-after': '120' }).end());
    server.route('/gone.xml', (_q, r) => r.writeHead(410).end());
    await registry.register(feed('html', '/html.xml'));
    await registry.register(feed('limited', '/limited.xml'));
    await registry.register(feed('gone', '/gone.xml'));
    expect(await fetchFeed('html')).toMatchObject({ outcome: 'failed', reason: 'parse' });
    expect(await fetchFeed('limited')).toMatchObject({ outcome: 'failed', reason: 'rate_limited' });
    const limited = await store.readStream('feed-limited');
    expect(limited[1].data).toMatchObject({ reason: 'rate_limited', status: 429, retryAfterMs: 120000 });
    expect(await fetchFeed('gone')).toMatchObject({ outcome: 'failed', reason: 'gone' });
    expect((await new FeedRepository(database.db, engine).get('gone'))?.status).toBe('paused');
    // The broken feeds changed nothing already ingested.
    const { rows } = await database.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE event_type = 'ItemIngested'",
    );
    expect(rows[0].n).toBe(3);
  });

  it('moves a feed after the same permanent redirect three times in a row', async () => {
    server.route('/old.xml', (_q, r) => r.writeHead(301, { location: server.url('/new.xml') }).end());
    server.route('/new.xml', (_q, r) =>
      r.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([])),
    );
    await registry.register(feed('moving', '/old.xml'));
    for (let i = 0; i < 3; i += 1) expect(await fetchFeed('moving')).toMatchObject({ outcome: 'fetched' });
    expect((await new FeedRepository(database.db, engine).get('moving'))?.url).toBe(server.url('/new.xml'));
  });

  it('a feed that answers but has yielded nothing for far longer than usual turns unhealthy, and recovers with items', async () => {
    let body = rss([]);
    server.route('/silent.xml', (_q, r) =>
      r.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body),
    );
    const monthAgo = new Date(Date.now() - 30 * 24 * 3600 * 1000);
    await registry.register(feed('silent', '/silent.xml'), { occurredAt: monthAgo });
    expect(await fetchFeed('silent')).toMatchObject({ outcome: 'fetched', itemsSeen: 0 });
    const unhealthy = (await store.readStream('feed-silent')).at(-1);
    expect(unhealthy?.type).toBe('FeedUnhealthy');
    expect((unhealthy?.data as { reason: string }).reason).toContain(
      `silent: no items since ${monthAgo.toISOString()}`,
    );
    body = rss([{ title: 'Finally news', link: 'https://x.test/finally' }]);
    expect(await fetchFeed('silent')).toMatchObject({ outcome: 'fetched', newItems: 1 });
    expect((await store.readStream('feed-silent')).at(-1)?.type).toBe('FeedRecovered');
    // A feed registered today that is empty is not "silent".
    server.route('/empty.xml', (_q, r) =>
      r.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([])),
    );
    await registry.register(feed('empty', '/empty.xml'));
    await fetchFeed('empty');
    expect(await eventTypes('empty')).toEqual(['FeedRegistered', 'FeedFetched']);
  });
});
