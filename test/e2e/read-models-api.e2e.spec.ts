import type { INestApplication } from '@nestjs/common';
import { ItemClassifier } from '@frictionwatch/classifier';
import { PostgresEventStore } from '@frictionwatch/event-store';
import { FeedRegistry } from '@frictionwatch/feeds';
import {
  ItemClassificationService,
  ItemIngestor,
  ItemRepository,
  itemIdFor,
  type IngestibleItem,
} from '@frictionwatch/items';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@frictionwatch/testing';
import { readModelsSettled, startApiApp } from '../support/api-app';

/** Cases, deadlines, activity and feed health over HTTP against the real api app. */
describe('read-model endpoints', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  const queue = testQueuePrefix();
  const source = { feedId: 'fr-ita', name: 'Federal Register', jurisdictionHint: 'US' };
  const inAMonth = new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10);

  const item = (
    n: number,
    title: string,
    day: string,
    extra: Record<string, unknown> = {},
  ): IngestibleItem => ({
    key: `k${n}`,
    guid: null,
    url: `https://www.federalregister.gov/d/2025-0${n}`,
    title,
    summary: '',
    publishedAt: `${day}T00:00:00.000Z`,
    dateSource: 'feed',
    categories: [],
    extra,
    contentHash: `h${n}`,
  });
  const items = [
    item(
      1,
      "Crystalline Silicon Photovoltaic Cells From the People's Republic of China: Initiation of Less-Than-Fair-Value Investigation",
      '2025-01-06',
      { docketIds: ['A-570-979'] },
    ),
    item(
      2,
      "Crystalline Silicon Photovoltaic Cells From the People's Republic of China: Preliminary Affirmative Determination of Sales at Less Than Fair Value",
      '2025-03-03',
      {
        docketIds: ['A-570-979'],
        commentsCloseOn: inAMonth,
      },
    ),
  ];

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

  const settled = (names: string[]) => readModelsSettled(database.pool, names);

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app, base } = await startApiApp({
      DATABASE_URL: database.url,
      QUEUE_PREFIX: queue.prefix,
      API_PUBLIC_READ: 'true',
      WORKER_PROJECTIONS: 'items,cases,activity,deadlines,feeds',
    }));
    const store = app.get(PostgresEventStore);
    const repository = new ItemRepository(database.pool);
    await new ItemIngestor(store, repository).ingest(source, items, {});
    await new ItemClassificationService(store, repository, new ItemClassifier()).classify(
      items.map((i) => itemIdFor('fr-ita', i)),
      {},
    );
    await new FeedRegistry(store).register({
      feedId: 'fr-ita',
      name: 'Federal Register: ITA',
      url: 'https://www.federalregister.gov/api/v1/documents.json',
      kind: 'json',
      json: { itemsPath: 'results', title: 'title', link: 'html_url' },
      html: null,
      intervalMinutes: 60,
      jurisdictionHint: 'US',
      topics: [],
      publisher: null,
    });
    await settled(['items', 'cases', 'activity', 'deadlines', 'feeds']);
  });

  afterAll(async () => {
    await app.close();
    await queue.cleanup();
    await database.drop();
  });

  it('lists the case both notices belong to, with its timeline of stages', async () => {
    const list = (await (await get('/v1/cases')).json()) as {
      cases: { case_id: string; reference: string; item_count: number; stage: string; targets: string[] }[];
    };
    expect(list.cases).toHaveLength(1);
    expect(list.cases[0]).toMatchObject({
      reference: 'A-570-979',
      item_count: 2,
      stage: 'preliminary',
      targets: ['CN'],
    });
    const detail = (await (await get(`/v1/cases/${list.cases[0].case_id}`)).json()) as {
      timeline: { stage: string; date: string }[];
    };
    expect(detail.timeline.map((t) => [t.stage, t.date])).toEqual([
      ['investigation_opened', '2025-01-06'],
      ['preliminary', '2025-03-03'],
    ]);
    expect((await (await get('/v1/cases?stage=final')).json()) as { cases: unknown[] }).toEqual({
      cases: [],
    });
  });

  it('lists comment deadlines ahead, with their item and case', async () => {
    const body = (await (await get('/v1/deadlines')).json()) as {
      deadlines: { kind: string; due_on: string; item_id: string; case_id: string }[];
    };
    expect(body.deadlines).toEqual([
      expect.objectContaining({
        kind: 'comments_close',
        due_on: inAMonth,
        item_id: itemIdFor('fr-ita', items[1]),
        case_id: expect.stringMatching(/^case_/),
      }),
    ]);
    expect(
      ((await (await get('/v1/deadlines?from=2000-01-01&to=2000-12-31')).json()) as { deadlines: unknown[] })
        .deadlines,
    ).toEqual([]);
  });

  it('serves activity series by week or month and the asked dimensions', async () => {
    const weekly = (await (
      await get('/v1/activity?from=2025-01-01&to=2025-12-31&groupBy=sector,actor')
    ).json()) as {
      series: { period: string; sector: string; actor: string; items: number }[];
    };
    expect(weekly.series).toEqual([
      { period: '2025-01-06', sector: 'solar_pv', actor: 'US', items: 1 },
      { period: '2025-03-03', sector: 'solar_pv', actor: 'US', items: 1 },
    ]);
    const monthly = (await (
      await get('/v1/activity?from=2025-01-01&to=2025-12-31&interval=month&groupBy=frictionType')
    ).json()) as {
      series: { period: string; friction_type: string; items: number }[];
    };
    expect(monthly.series.map((s) => [s.period, s.friction_type, s.items])).toEqual([
      ['2025-01-01', 'anti_dumping', 1],
      ['2025-03-01', 'anti_dumping', 1],
    ]);
  });

  it('shows feed health and revalidates every read model with 304', async () => {
    const feeds = await get('/v1/feeds');
    const body = (await feeds.json()) as { feeds: { feedId: string; healthy: boolean }[] };
    expect(body.feeds).toEqual([expect.objectContaining({ feedId: 'fr-ita', healthy: true })]);
    for (const path of ['/v1/feeds', '/v1/cases', '/v1/deadlines', '/v1/activity']) {
      const first = await get(path);
      const again = await get(path, { 'if-none-match': first.headers.get('etag') as string });
      expect({ path, status: again.status }).toEqual({ path, status: 304 });
    }
  });

  it('changes a polled answer as soon as its read model moves', async () => {
    const path = '/v1/activity?from=2025-01-01&to=2025-12-31&groupBy=sector';
    const before = await get(path);
    const etag = before.headers.get('etag') as string;
    expect((await get(path)).headers.get('etag')).toBe(etag);
    const third = item(
      3,
      "Crystalline Silicon Photovoltaic Cells From the People's Republic of China: Final Determination of Sales at Less Than Fair Value",
      '2025-05-05',
      { docketIds: ['A-570-979'] },
    );
    const store = app.get(PostgresEventStore);
    const repository = new ItemRepository(database.pool);
    await new ItemIngestor(store, repository).ingest(source, [third], {});
    await new ItemClassificationService(store, repository, new ItemClassifier()).classify(
      [itemIdFor('fr-ita', third)],
      {},
    );
    await settled(['activity']);
    const after = await get(path, { 'if-none-match': etag });
    expect(after.status).toBe(200);
    const body = (await after.json()) as { series: { period: string; items: number }[] };
    expect(body.series.map((s) => s.period)).toEqual(['2025-01-06', '2025-03-03', '2025-05-05']);
  });

  it('refuses bad parameters with problem+json', async () => {
    for (const path of [
      '/v1/activity?groupBy=colour',
      '/v1/deadlines?from=tomorrow',
      '/v1/cases?sector=foo',
      '/v1/cases/nope',
      '/v1/cases?limit=0',
    ]) {
      const response = await get(path);
      expect({ path, status: response.status, type: response.headers.get('content-type') }).toEqual({
        path,
        status: 400,
        type: expect.stringContaining('application/problem+json'),
      });
    }
    expect((await get(`/v1/cases/case_${'0'.repeat(24)}`)).status).toBe(404);
  });
});
