import type { INestApplication } from '@nestjs/common';
import { ItemClassifier } from '@frictionwatch/classifier';
import { PostgresEventStore } from '@frictionwatch/event-store';
import {
  ItemClassificationService,
  ItemIngestor,
  ItemRepository,
  itemIdFor,
  type IngestibleItem,
} from '@frictionwatch/items';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@frictionwatch/testing';
import { readModelsSettled, startApiApp } from '../support/api-app';

/** GET /v1/items over HTTP against the real api app (Fastify), Postgres and Redis. */
describe('items API', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  let ingestor: ItemIngestor;
  let classification: ItemClassificationService;
  const queue = testQueuePrefix();
  const source = { feedId: 'press', name: 'Press', jurisdictionHint: null };

  const item = (n: number, title: string, day: string): IngestibleItem => ({
    key: `k${n}`,
    guid: null,
    url: `https://news.example/${n}`,
    title,
    summary: '',
    publishedAt: `${day}T12:00:00.000Z`,
    dateSource: 'feed',
    categories: [],
    extra: {},
    contentHash: `h${n}`,
  });

  async function add(items: IngestibleItem[]): Promise<void> {
    await ingestor.ingest(source, items, {});
    await classification.classify(
      items.map((i) => itemIdFor('press', i)),
      {},
    );
  }

  const settled = () => readModelsSettled(database.pool, ['items']);

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app, base } = await startApiApp({
      DATABASE_URL: database.url,
      QUEUE_PREFIX: queue.prefix,
      API_PUBLIC_READ: 'true',
      WORKER_PROJECTIONS: 'items',
    }));
    const store = app.get(PostgresEventStore);
    const items = new ItemRepository(database.pool);
    ingestor = new ItemIngestor(store, items);
    classification = new ItemClassificationService(store, items, new ItemClassifier());
    await add([
      item(1, 'European Commission imposes anti-dumping duties on Chinese solar panels', '2025-01-10'),
      item(2, 'US adds Chinese chipmakers to the Entity List over advanced semiconductors', '2025-01-11'),
      item(3, 'China launches anti-dumping probe into EU pork', '2025-01-12'),
      item(4, 'BYD opens electric vehicle factory in Hungary', '2025-01-13'),
      item(5, 'Canada imposes 100% surtax on Chinese electric vehicles', '2025-01-14'),
    ]);
    await settled();
  });

  afterAll(async () => {
    await app.close();
    await queue.cleanup();
    await database.drop();
  });

  it('lists items newest first with their labels', async () => {
    const response = await get('/v1/items');
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      items: { title: string; friction: boolean; sectors: string[] }[];
      nextCursor: string | null;
    };
    expect(body.items.map((i) => i.title.slice(0, 12))).toEqual([
      'Canada impos',
      'BYD opens el',
      'China launch',
      'US adds Chin',
      'European Com',
    ]);
    expect(body.nextCursor).toBeNull();
    expect(body.items[0]).toMatchObject({
      friction: true,
      sectors: ['electric_vehicles'],
      actors: ['CA'],
      targets: ['CN'],
    });
  });

  it('filters by every vocabulary dimension, free text and dates', async () => {
    const titles = async (query: string) =>
      (
        (await (await get(`/v1/items?${query}`)).json()) as { items: { item_id: string; title: string }[] }
      ).items.map((i) => i.title.split(' ').slice(0, 2).join(' '));
    expect(await titles('sector=solar_pv')).toEqual(['European Commission']);
    expect(await titles('frictionType=export_control')).toEqual(['US adds']);
    expect(await titles('actor=CN')).toEqual(['China launches']);
    expect(await titles('target=EU')).toEqual(['China launches']);
    expect(await titles('friction=false')).toEqual(['BYD opens']);
    expect(await titles('q=pork')).toEqual(['China launches']);
    expect(await titles('publishedFrom=2025-01-11&publishedTo=2025-01-12T23:59:59Z')).toEqual([
      'China launches',
      'US adds',
    ]);
    expect((await titles('sort=severity&friction=true')).length).toBe(4);
  });

  it('pages with an opaque cursor that stays stable while newer items arrive', async () => {
    const first = (await (await get('/v1/items?limit=2')).json()) as {
      items: { item_id: string }[];
      nextCursor: string;
    };
    await add([item(6, 'EU opens anti-subsidy investigation into Chinese wind turbines', '2025-02-01')]);
    await settled();
    const seen = first.items.map((i) => i.item_id);
    let cursor: string | null = first.nextCursor;
    while (cursor) {
      const page = (await (await get(`/v1/items?limit=2&cursor=${cursor}`)).json()) as {
        items: { item_id: string }[];
        nextCursor: string | null;
      };
      seen.push(...page.items.map((i) => i.item_id));
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it('answers 304 to a matching If-None-Match until the read model moves, with freshness headers', async () => {
    const first = await get('/v1/items?sector=electric_vehicles');
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^W\/"/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(first.headers.get('x-poll-interval')).toBe('15');
    expect(first.headers.get('x-projection-position')).toMatch(/^\d+:\d+$/);
    const again = await get('/v1/items?sector=electric_vehicles', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect((await get('/v1/items?sector=solar_pv', { 'if-none-match': etag })).status).toBe(200);
    await add([item(7, 'Turkey raises tariffs on Chinese electric cars', '2025-02-02')]);
    await settled();
    const moved = await get('/v1/items?sector=electric_vehicles', { 'if-none-match': etag });
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).not.toBe(etag);
  });

  it('gives one query spelled two ways the same answer and ETag', async () => {
    const a = await get('/v1/items?sector=electric_vehicles&limit=50&sort=published');
    const b = await get('/v1/items?sort=published&sector=electric_vehicles');
    expect(a.status).toBe(200);
    expect(a.headers.get('content-type')).toContain('application/json');
    expect(b.headers.get('etag')).toBe(a.headers.get('etag'));
    expect(await b.text()).toBe(await a.text());
    const other = await get('/v1/items?sector=electric_vehicles&limit=1');
    expect(other.headers.get('etag')).not.toBe(a.headers.get('etag'));
  });

  it('answers bad input with problem+json, listing the valid values', async () => {
    const unknown = await get('/v1/items?sector=foo');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    const body = (await unknown.json()) as { detail: string; validValues: string[]; status: number };
    expect(body.status).toBe(400);
    expect(body.detail).toContain('unknown sector foo');
    expect(body.validValues).toContain('semiconductors');
    expect((await get('/v1/items?frictionType=embargo')).status).toBe(400);
    expect((await get('/v1/items?limit=500')).status).toBe(400);
    expect((await get('/v1/items?cursor=garbage')).status).toBe(400);
    expect((await get('/v1/items?colour=red')).status).toBe(400);
    expect((await get('/v1/items/not-an-id')).status).toBe(400);
    const missing = await get(`/v1/items/${'0'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { title: string }).title).toBe('Not found');
  });

  it('shows one item with every classification it has had', async () => {
    const id = itemIdFor('press', item(3, '', ''));
    const response = await get(`/v1/items/${id}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      item_id: string;
      evidence: unknown[];
      classifications: { classifier_version: string }[];
    };
    expect(body.item_id).toBe(id);
    expect(body.evidence.length).toBeGreaterThan(0);
    expect(body.classifications).toHaveLength(1);
  });
});
