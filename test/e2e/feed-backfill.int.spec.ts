import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadConfig } from '@frictionwatch/config';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import {
  FEED_EVENTS,
  BackfillIncompleteError,
  FeedBackfillService,
  FeedRegistry,
  FeedRepository,
  feedsProjection,
  readSources,
  type BackfillProgress,
  type FeedRegistered,
  type FeedState,
} from '@frictionwatch/feeds';
import { ITEM_EVENTS, ItemIngestor, ItemRepository } from '@frictionwatch/items';
import { createFeedPipelinePorts, type FeedPipelinePorts } from '@frictionwatch/platform';
import { ProjectionEngine } from '@frictionwatch/projections';
import { createTestDatabase, type TestDatabase } from '@frictionwatch/testing';
import { FeedServer } from '../support/feed-server';

const FROM = 'conditions[publication_date][gte]';
const TO = 'conditions[publication_date][lte]';
const PER_PAGE = 10;
const MAX_RESULTS = 40;

interface FrDocument {
  document_number: string;
  title: string;
  abstract: string;
  html_url: string;
  publication_date: string;
  type: string;
  agencies: { name: string }[];
  docket_ids: string[];
}

/** ~120 documents spread over 2024, one every three days, newest first (as the real API orders them). */
function documents(host: string, count = 120): FrDocument[] {
  const start = Date.UTC(2024, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const date = new Date(start + Math.floor((i * 366) / count) * 86400000).toISOString().slice(0, 10);
    const number = `2024-${String(i + 1).padStart(5, '0')}`;
    return {
      document_number: number,
      title: `Certain Steel Products From China ${i + 1}: Antidumping Duty Order`,
      abstract: `The Department of Commerce issues an antidumping duty order, document ${i + 1}.`,
      html_url: `https://${host}/documents/${date.replace(/-/g, '/')}/${number}/certain-steel-products`,
      publication_date: date,
      type: 'Notice',
      agencies: [{ name: 'International Trade Administration' }],
      docket_ids: [`A-570-${String(100 + i)}`],
    };
  }).reverse();
}

/**
 * A Federal-Register-like documents API: date conditions and `page`, `count` is the true total but
 * only the first MAX_RESULTS results can be paged to (the real API silently stops at 10,000).
 */
function federalRegisterApi(
  server: FeedServer,
  path: string,
  docs: FrDocument[],
  requests: string[],
  fail?: (from: string, to: string) => boolean,
) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', server.url('/'));
    requests.push(url.search);
    const from = url.searchParams.get(FROM) ?? '0000-00-00';
    const to = url.searchParams.get(TO) ?? '9999-99-99';
    if (fail?.(from, to)) {
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"status":500}');
      return;
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    const matching = docs.filter((d) => d.publication_date >= from && d.publication_date <= to);
    const reachable = matching.slice(0, MAX_RESULTS);
    const totalPages = Math.ceil(reachable.length / PER_PAGE);
    const results = reachable.slice((page - 1) * PER_PAGE, page * PER_PAGE);
    let nextPageUrl: string | null = null;
    if (page < totalPages) {
      const next = new URL(server.url(path));
      url.searchParams.forEach((value, key) => next.searchParams.set(key, value));
      next.searchParams.set('page', String(page + 1));
      nextPageUrl = next.toString();
    }
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(
      JSON.stringify({
        description: 'Documents matching your conditions',
        count: matching.length,
        total_pages: totalPages,
        next_page_url: nextPageUrl,
        results,
      }),
    );
  };
}

/**
 * FeedBackfillService against a fake Federal Register API on loopback and real Postgres: slices are
 * split until they fit under the cap, every page is read, every document is ingested exactly once.
 */
describe('feed backfill', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let engine: ProjectionEngine;
  let registry: FeedRegistry;
  let repository: FeedRepository;
  let service: FeedBackfillService;
  let ports: FeedPipelinePorts;
  const server = new FeedServer();
  const FR_MAPPING = readSources().find((source) => source.feedId === 'fr-ita')?.json ?? null;

  const feed = (feedId: string, path: string): FeedRegistered => ({
    feedId,
    name: `Federal Register: ${feedId}`,
    url: `${server.url(path)}?per_page=${PER_PAGE}&order=newest&page=3`,
    kind: 'json',
    // The seeded Federal Register source's own mapping: the backfill reads what the seeds declare.
    json: FR_MAPPING,
    html: null,
    intervalMinutes: 60,
    jurisdictionHint: 'US',
    topics: ['anti_dumping'],
    publisher: 'Federal Register',
    backfill: {
      fromParam: FROM,
      toParam: TO,
      countPath: 'count',
      nextPagePath: 'next_page_url',
      maxResults: MAX_RESULTS,
    },
  });

  async function registered(spec: FeedRegistered): Promise<FeedState> {
    await registry.register(spec);
    await engine.catchUp('feeds', 1);
    const state = await repository.get(spec.feedId);
    if (!state) throw new Error(`feed ${spec.feedId} not in the projection`);
    return state;
  }

  async function ingested(feedId: string): Promise<{ n: number; urls: number; streams: number }> {
    const { rows } = await database.pool.query<{ n: number; urls: number; streams: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT data->>'url')::int AS urls,
              count(DISTINCT stream_id)::int AS streams
       FROM events WHERE event_type = 'ItemIngested' AND data->>'feedId' = $1`,
      [feedId],
    );
    return rows[0];
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
    repository = new FeedRepository(database.db, engine);
    ports = createFeedPipelinePorts(
      loadConfig({ FETCH_ALLOW_PRIVATE_NETWORKS: 'true', FETCH_TIMEOUT_MS: '5000' }),
    );
    service = new FeedBackfillService(
      ports.fetcher,
      ports.parser,
      new ItemIngestor(store, new ItemRepository(database.pool)),
    );
  });
  afterAll(async () => {
    await ports?.close();
    await server.stop();
    await database?.drop();
  });

  it('splits a year that exceeds the cap into slices and ingests every document exactly once', async () => {
    const docs = documents('www.federalregister.test');
    const requests: string[] = [];
    server.route(
      '/api/v1/documents.json',
      federalRegisterApi(server, '/api/v1/documents.json', docs, requests),
    );
    const state = await registered(feed('fr-ita', '/api/v1/documents.json'));
    expect(state.backfill).toMatchObject({ maxResults: MAX_RESULTS });

    const progress: BackfillProgress[] = [];
    const report = await service.backfill(
      state,
      { from: '2024-01-01', to: '2024-12-31' },
      { correlationId: 'test:backfill' },
      (p) => progress.push(p),
    );

    expect(report.slices).toBeGreaterThan(1);
    expect(report.newItems).toBe(docs.length);
    expect(report.itemsSeen).toBe(docs.length);
    expect(report.revisedItems).toBe(0);
    // Each slice holds fewer than 40 documents, so at most 4 pages each; every one of them was read.
    expect(report.pagesRead).toBeGreaterThanOrEqual(Math.ceil(docs.length / PER_PAGE));
    expect(report.pagesRead).toBeLessThanOrEqual(report.slices * (MAX_RESULTS / PER_PAGE));
    expect(await ingested('fr-ita')).toEqual({ n: docs.length, urls: docs.length, streams: docs.length });

    // The whole year was asked for first; the slices read cover every date once, in order.
    const sliceQueries = requests.map((search) => new URLSearchParams(search)).filter((q) => !q.has('page'));
    expect([sliceQueries[0].get(FROM), sliceQueries[0].get(TO)]).toEqual(['2024-01-01', '2024-12-31']);
    const read = [...new Map(progress.map((p) => [`${p.slice.from}|${p.slice.to}`, p.slice])).values()];
    expect(read).toHaveLength(report.slices);
    expect(read[0].from).toBe('2024-01-01');
    expect(read.at(-1)?.to).toBe('2024-12-31');
    for (let i = 1; i < read.length; i += 1) {
      const dayAfter = new Date(Date.parse(`${read[i - 1].to}T00:00:00Z`) + 86400000).toISOString();
      expect(read[i].from).toBe(dayAfter.slice(0, 10));
    }
    // Each split is one query more than the slices read (a binary tree), and the feed's own `page=3`
    // never leaks into a slice's first query; the other requests are the next pages.
    expect(sliceQueries).toHaveLength(2 * report.slices - 1);
    expect(requests).toHaveLength(sliceQueries.length + report.pagesRead - report.slices);

    expect(progress.at(-1)?.covered).toBe(1);
    const coveredSeries = progress.map((p) => p.covered);
    expect([...coveredSeries].sort((a, b) => a - b)).toEqual(coveredSeries);

    // The stored documents keep their dates and the mapped extras.
    const { rows } = await database.pool.query(
      "SELECT data FROM events WHERE event_type = 'ItemIngested' AND data->'extra'->>'documentNumber' = '2024-00001'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].data).toMatchObject({
      title: docs.at(-1)?.title,
      dateSource: 'feed',
      extra: { documentNumber: '2024-00001', agencies: ['International Trade Administration'] },
    });
    expect(rows[0].data.publishedAt).toMatch(/^2024-01-01/);

    // A second run reads everything again and appends nothing.
    const again = await service.backfill(state, { from: '2024-01-01', to: '2024-12-31' }, {});
    expect(again).toMatchObject({ newItems: 0, revisedItems: 0, itemsSeen: docs.length });
    expect(again.slices).toBe(report.slices);
    expect(await ingested('fr-ita')).toEqual({ n: docs.length, urls: docs.length, streams: docs.length });
  });

  it('a failing page makes backfill throw a clear error; what was already ingested stays', async () => {
    const docs = documents('failing.federalregister.test');
    const requests: string[] = [];
    const failFrom = '2024-07-02';
    server.route(
      '/failing/documents.json',
      federalRegisterApi(server, '/failing/documents.json', docs, requests, (from) => from >= failFrom),
    );
    const state = await registered(feed('fr-failing', '/failing/documents.json'));
    // The whole year (from 2024-01-01) answers, so the slice is split; the second half fails.
    const run = service.backfill(state, { from: '2024-01-01', to: '2024-12-31' }, {});
    await expect(run).rejects.toThrow(
      /^Backfill of fr-failing failed at http:\/\/127\.0\.0\.1:\d+\/failing\/documents\.json\?.*: http_status: HTTP 500/,
    );
    const before = docs.filter((d) => d.publication_date < failFrom).length;
    const after = await ingested('fr-failing');
    expect(after.n).toBe(before);
    expect(after.urls).toBe(before);
    // Nothing of the other feed was touched.
    expect((await ingested('fr-ita')).n).toBe(120);
  });

  it('a single day holding more results than the cap: ingests what the API gives, then fails loudly naming the day', async () => {
    // 50 documents all published on one day: the one-day slice cannot be split any further.
    const docs = documents('busy-day.federalregister.test', 50).map((d) => ({
      ...d,
      publication_date: '2024-03-15',
    }));
    server.route('/busy/documents.json', federalRegisterApi(server, '/busy/documents.json', docs, []));
    const state = await registered(feed('fr-busy', '/busy/documents.json'));
    const run = service.backfill(state, { from: '2024-03-15', to: '2024-03-15' }, {});
    await expect(run).rejects.toBeInstanceOf(BackfillIncompleteError);
    await expect(run).rejects.toThrow(
      /could not read every result of 2024-03-15 \(50 results, at most 40 readable\)/,
    );
    // Nothing that could be read is lost.
    expect((await ingested('fr-busy')).n).toBe(40);
  });

  it('refuses a feed without backfill settings and an inverted range', async () => {
    const spec = { ...feed('fr-plain', '/plain.json'), backfill: null };
    const state = await registered(spec);
    await expect(service.backfill(state, { from: '2024-01-01', to: '2024-12-31' }, {})).rejects.toThrow(
      'Feed fr-plain has no backfill settings',
    );
    const withBackfill = await registered(feed('fr-range', '/range.json'));
    await expect(
      service.backfill(withBackfill, { from: '2024-12-31', to: '2024-01-01' }, {}),
    ).rejects.toThrow('--from 2024-12-31 must be on or before --to 2024-01-01');
  });
});
