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
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@frictionwatch/testing';
import { readModelsSettled, startApiApp } from '../support/api-app';

/**
 * Revalidations answered before Nest (a Fastify hook): the same 304 and headers as the Nest path, never
 * a stale one, never to a client the read scope refuses. Told apart from the Nest path by the
 * rate-limit headers the Nest path adds and by a spent budget the early answer does not look at.
 */
describe('revalidation fast path', () => {
  let database: TestDatabase;
  let open: { app: INestApplication; base: string };
  let keyed: { app: INestApplication; base: string };
  const queues = [testQueuePrefix(), testQueuePrefix()];
  const PER_MINUTE = 10;
  let added = 0;

  const item = (n: number): IngestibleItem => ({
    key: `k${n}`,
    guid: null,
    url: `https://news.example/fast/${n}`,
    title: `European Commission imposes anti-dumping duties on Chinese solar panels ${n}`,
    summary: '',
    publishedAt: '2025-01-10T12:00:00.000Z',
    dateSource: 'feed',
    categories: [],
    extra: {},
    contentHash: `h${n}`,
  });

  async function addItem(): Promise<void> {
    const store = open.app.get(PostgresEventStore);
    const items = new ItemRepository(database.pool);
    const source = { feedId: 'press', name: 'Press', jurisdictionHint: null };
    added += 1;
    await new ItemIngestor(store, items).ingest(source, [item(added)], {});
    await new ItemClassificationService(store, items, new ItemClassifier()).classify(
      [itemIdFor('press', item(added))],
      {},
    );
    await readModelsSettled(database.pool, ['items']);
  }

  const get = (base: string, path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers });

  beforeAll(async () => {
    database = await createTestDatabase();
    const common = { DATABASE_URL: database.url, RATE_LIMIT_PER_MINUTE: String(PER_MINUTE) };
    // Only the open app follows the log; both serve the same read models.
    open = await startApiApp({
      ...common,
      QUEUE_PREFIX: queues[0].prefix,
      API_PUBLIC_READ: 'true',
      WORKER_PROJECTIONS: 'items',
    });
    keyed = await startApiApp({
      ...common,
      QUEUE_PREFIX: queues[1].prefix,
      API_PUBLIC_READ: 'false',
      WORKER_PROJECTIONS: 'items',
    });
    await addItem();
  });

  afterAll(async () => {
    await Promise.all([open.app.close(), keyed.app.close()]);
    await Promise.all(queues.map((queue) => queue.cleanup()));
    await database.drop();
  });

  it('answers a known URL early with the headers of the Nest path, without the rate limiter', async () => {
    const path = '/v1/items?sector=solar_pv&limit=5';
    const first = await get(open.base, path);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe(String(PER_MINUTE));
    const etag = first.headers.get('etag') as string;
    const early = await get(open.base, path, { 'if-none-match': etag });
    expect(early.status).toBe(304);
    for (const header of ['etag', 'cache-control', 'x-poll-interval', 'x-projection-position'])
      expect(early.headers.get(header)).toBe(first.headers.get(header));
    expect(early.headers.get('x-projection-updated-at')).toBe(first.headers.get('x-projection-updated-at'));
    expect(early.headers.get('x-request-id')).toBeTruthy();
    // The Nest path charges (and refunds) the limiter and says so; the early answer never reaches it.
    expect(early.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('a URL not answered before goes to Nest, which answers the same 304', async () => {
    const path = '/v1/items?sector=solar_pv&limit=6';
    // The second app has never answered it: its first revalidation takes the Nest path.
    const key = (await keyed.app.get(ApiKeys).create('fast path test', 'read')).key;
    const auth = { authorization: `Bearer ${key}` };
    const first = await get(open.base, path, {});
    const etag = first.headers.get('etag') as string;
    const throughNest = await get(keyed.base, path, { ...auth, 'if-none-match': etag });
    expect(throughNest.status).toBe(304);
    expect(throughNest.headers.get('x-ratelimit-limit')).toBe(String(PER_MINUTE));
    expect(throughNest.headers.get('etag')).toBe(etag);
    // Now known there too: the next one is answered early.
    const early = await get(keyed.base, path, { ...auth, 'if-none-match': etag });
    expect(early.status).toBe(304);
    expect(early.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('never answers 304 once the read model has moved', async () => {
    const path = '/v1/items?limit=10';
    const first = await get(open.base, path);
    const etag = first.headers.get('etag') as string;
    expect((await get(open.base, path, { 'if-none-match': etag })).status).toBe(304);
    await addItem();
    const after = await get(open.base, path, { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(((await after.json()) as { items: unknown[] }).items).toHaveLength(added);
  });

  it('refuses early exactly whom the read scope refuses: no key, a malformed or revoked key', async () => {
    const path = '/v1/items?limit=7';
    const keys = keyed.app.get(ApiKeys);
    const { key, keyId } = await keys.create('fast path revocation', 'read');
    const first = await get(keyed.base, path, { authorization: `Bearer ${key}` });
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag') as string;
    const revalidate = (authorization?: string) =>
      get(keyed.base, path, { 'if-none-match': etag, ...(authorization ? { authorization } : {}) });
    expect((await revalidate(`Bearer ${key}`)).status).toBe(304);
    const anonymous = await revalidate();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    expect((await revalidate('Basic abc')).status).toBe(401);
    expect((await revalidate('Bearer fw_nokey00000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')).status).toBe(401);
    await keys.revoke(keyId);
    expect((await revalidate(`Bearer ${key}`)).status).toBe(401);
  });

  it('answers early even when the client has spent its budget (a 304 does not count)', async () => {
    const path = '/v1/items?limit=8';
    const first = await get(open.base, path);
    const etag = first.headers.get('etag') as string;
    let status = 200;
    for (let i = 0; i <= PER_MINUTE && status !== 429; i += 1) status = (await get(open.base, path)).status;
    expect(status).toBe(429);
    expect((await get(open.base, path, { 'if-none-match': etag })).status).toBe(304);
  });
});
