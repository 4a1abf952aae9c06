import type { INestApplication } from '@nestjs/common';
import { ItemClassifier } from '@frictionwatch/classifier';
import { PostgresEventStore } from '@frictionwatch/event-store';
import { ApiKeys } from '@frictionwatch/http-api';
import {
  ItemClassificationService,
  ItemIngestor,
  ItemRepository,
  itemIdFor,
  type IngestibleItem,
} from '@frictionwatch/items';
import { ProjectionEngine } from '@frictionwatch/projections';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@frictionwatch/testing';
import { readModelsSettled, startApiApp } from '../support/api-app';

/**
 * POST /v1/projections/:name/rebuild against the real api app: the generation it builds from the log
 * holds exactly the rows of the generation that was live, and the API answers the same.
 */
describe('rebuild through the API', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  let adminKey: string;
  const queue = testQueuePrefix();
  const source = { feedId: 'press', name: 'Trade press', jurisdictionHint: null };

  const titles = [
    'European Commission imposes anti-dumping duties on Chinese solar panels',
    'US adds Chinese chipmakers to the Entity List over advanced semiconductors',
    'China launches anti-dumping probe into EU pork',
    'Canada imposes 100% surtax on Chinese electric vehicles',
    'EU opens anti-subsidy investigation into battery electric vehicles from China',
    'Netherlands tightens export controls on lithography equipment',
    'BYD opens electric vehicle factory in Hungary',
    'Turkey imposes safeguard duties on steel imports',
  ];
  const item = (n: number, title: string): IngestibleItem => ({
    key: `k${n}`,
    guid: null,
    url: `https://press.example/${n}`,
    title,
    summary: `Report ${n}`,
    publishedAt: `2025-02-${String(n + 1).padStart(2, '0')}T08:00:00.000Z`,
    dateSource: 'feed',
    categories: [],
    extra: {},
    contentHash: `h${n}-${title.length}`,
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app, base } = await startApiApp({
      DATABASE_URL: database.url,
      QUEUE_PREFIX: queue.prefix,
      WORKER_PROJECTIONS: 'items,cases',
    }));
    adminKey = (await app.get(ApiKeys).create('rebuild test', 'admin')).key;
    const store = app.get(PostgresEventStore);
    const repository = new ItemRepository(database.pool);
    const ingestor = new ItemIngestor(store, repository);
    const classification = new ItemClassificationService(store, repository, new ItemClassifier());
    const first = titles.map((title, n) => item(n, title));
    await ingestor.ingest(source, first, {});
    await classification.classify(
      first.map((i) => itemIdFor('press', i)),
      {},
    );
    // Revisions and their re-classification: the live rows carry more than one event per item.
    const revised = [item(2, `${titles[2]} and beef`), item(5, `${titles[5]} and their servicing`)];
    await ingestor.ingest(source, revised, {});
    await classification.classify(
      revised.map((i) => itemIdFor('press', i)),
      {},
    );
    await readModelsSettled(database.pool, ['items', 'cases']);
  });

  afterAll(async () => {
    await app.close();
    await queue.cleanup();
    await database.drop();
  });

  const admin = (path: string, method = 'GET') =>
    fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${adminKey}` } });

  /** Every row of every table of the projection's generation, as JSON, in one order. */
  async function generationRows(name: string, generation: number): Promise<Record<string, string[]>> {
    const engine = app.get(ProjectionEngine);
    const out: Record<string, string[]> = {};
    for (const table of engine.projection(name).tables) {
      const { rows } = await database.pool.query<{ row: string }>(
        `SELECT row_to_json(t)::text AS row FROM "proj_${name}_g${generation}"."${table}" t ORDER BY 1`,
      );
      out[table] = rows.map((r) => r.row);
    }
    return out;
  }

  async function rebuiltGeneration(name: string, previous: number): Promise<number> {
    const engine = app.get(ProjectionEngine);
    const deadline = Date.now() + 30000;
    for (;;) {
      const generation = await engine.repository.activeGeneration(name);
      if (generation !== null && generation > previous) return generation;
      if (Date.now() > deadline) throw new Error(`${name} was not rebuilt`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it.each(['items', 'cases'])('a rebuild of %s equals the live generation row for row', async (name) => {
    const engine = app.get(ProjectionEngine);
    const live = (await engine.repository.activeGeneration(name)) as number;
    const liveRows = await generationRows(name, live);
    expect(Object.values(liveRows).every((rows) => rows.length > 0)).toBe(true);
    const path = name === 'items' ? '/v1/items?limit=200' : '/v1/cases';
    const before = await admin(path);

    const started = await admin(`/v1/projections/${name}/rebuild`, 'POST');
    expect(started.status).toBe(202);
    expect(await started.json()).toEqual({ projection: name, status: 'rebuilding' });
    const rebuilt = await rebuiltGeneration(name, live);

    expect(rebuilt).toBeGreaterThan(live);
    expect(await generationRows(name, rebuilt)).toEqual(liveRows);
    const after = await admin(path);
    expect(await after.json()).toEqual(await before.json());
    // Same rows, but another generation: a client's cached ETag is not reused across it.
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
  });

  it('drops the generations that were live after the grace period', async () => {
    const deadline = Date.now() + 20000;
    let schemas: string[] = [];
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      ({ rows: schemas } = await database.pool
        .query<{ nspname: string }>(
          "SELECT nspname FROM pg_namespace WHERE nspname ~ '^proj_(items|cases)_g' ORDER BY 1",
        )
        .then((r) => ({ rows: r.rows.map((row) => row.nspname) })));
    } while (schemas.length > 2 && Date.now() < deadline);
    const engine = app.get(ProjectionEngine);
    expect(schemas).toEqual([await engine.activeSchema('cases'), await engine.activeSchema('items')]);
  });

  it('counts item rows and classifications as the events say', async () => {
    const engine = app.get(ProjectionEngine);
    const rows = await generationRows('items', (await engine.repository.activeGeneration('items')) as number);
    expect(rows.items).toHaveLength(titles.length);
    expect(rows.item_classifications.length).toBe(titles.length + 2);
  });
});
