import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { ApiKeys } from '@frictionwatch/http-api';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  testQueuePrefix,
  type TestDatabase,
} from '@frictionwatch/testing';
import { readModelsSettled, startApiApp } from '../support/api-app';

/** Rate limits over HTTP: two api app instances sharing one Redis, as two replicas would. */
describe('rate limiting', () => {
  let database: TestDatabase;
  const apps: INestApplication[] = [];
  const bases: string[] = [];
  const queue = testQueuePrefix();
  const PER_MINUTE = 5;
  const ADMIN_PER_MINUTE = 2;

  beforeAll(async () => {
    database = await createTestDatabase();
    for (const projections of ['items', 'feeds']) {
      const { app, base } = await startApiApp({
        DATABASE_URL: database.url,
        QUEUE_PREFIX: queue.prefix,
        WORKER_PROJECTIONS: projections,
        RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
        RATE_LIMIT_ADMIN_PER_MINUTE: String(ADMIN_PER_MINUTE),
      });
      apps.push(app);
      bases.push(base);
    }
    await readModelsSettled(database.pool, ['items', 'feeds']);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await queue.cleanup();
    await database.drop();
  });

  const newKey = async (scope: 'read' | 'admin' = 'read') =>
    (await apps[0].get(ApiKeys).create(`rate limit test ${scope}`, scope)).key;
  const get = (path: string, key?: string, headers: Record<string, string> = {}, instance = 0) =>
    fetch(`${bases[instance]}${path}`, {
      headers: { ...headers, ...(key ? { authorization: `Bearer ${key}` } : {}) },
    });

  it('answers 429 as problem+json with Retry-After once a key has used its budget', async () => {
    const key = await newKey();
    const remaining: (string | null)[] = [];
    for (let i = 0; i < PER_MINUTE; i += 1) {
      const response = await get('/v1/items', key);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit')).toBe(String(PER_MINUTE));
      remaining.push(response.headers.get('x-ratelimit-remaining'));
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);
    const refused = await get('/v1/cases', key); // one budget across every endpoint
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(await refused.json()).toMatchObject({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: expect.stringContaining(`${PER_MINUTE} requests per 60 s`),
      instance: '/v1/cases',
      retryAfter,
    });
  });

  it('shares one budget between two api instances on the same Redis', async () => {
    const key = await newKey();
    const statuses: number[] = [];
    for (let i = 0; i < PER_MINUTE + 2; i += 1)
      statuses.push((await get('/v1/items', key, {}, i % 2)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });

  it('gives every key its own budget', async () => {
    const [first, second] = [await newKey(), await newKey()];
    for (let i = 0; i < PER_MINUTE; i += 1) expect((await get('/v1/items', first)).status).toBe(200);
    expect((await get('/v1/items', first)).status).toBe(429);
    expect((await get('/v1/items', second)).status).toBe(200);
    expect((await get('/v1/items', second, {}, 1)).status).toBe(200);
  });

  it('does not count a 304 revalidation against the budget', async () => {
    const key = await newKey();
    const first = await get('/v1/items', key);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag') as string;
    for (let i = 0; i < PER_MINUTE * 4; i += 1) {
      const revalidated = await get('/v1/items', key, { 'if-none-match': etag }, i % 2);
      expect(revalidated.status).toBe(304);
    }
    // The 20 revalidations left the budget as the one 200 had: four more 200s, then 429.
    const statuses: number[] = [];
    for (let i = 0; i < PER_MINUTE; i += 1) statuses.push((await get('/v1/items', key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it('limits requests without a valid key per address; health and the document stay open', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_MINUTE + 1; i += 1)
      statuses.push((await get('/v1/items', 'fw_nokey00000_x')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await get('/v1/items')).status).toBe(429); // no key at all: the same address budget
    expect((await get('/health/live')).status).toBe(200);
    expect((await get('/openapi.json')).status).toBe(200);
    expect((await get('/docs')).status).toBe(200);
  });

  it('gives admin endpoints a smaller budget of their own on top', async () => {
    const key = await newKey('admin');
    expect((await get('/v1/events', key)).status).toBe(200);
    expect((await get('/v1/events', key, {}, 1)).status).toBe(200);
    const refused = await get('/v1/events', key);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { detail: string }).detail).toContain(
      `${ADMIN_PER_MINUTE} requests per 60 s (admin endpoints)`,
    );
    expect((await get('/v1/items', key)).status).toBe(200); // the read budget has 5 - 3 = 2 left
  });

  it('keeps its counters under the queue prefix', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const keys = await redis.keys(`${queue.prefix}:ratelimit:*`);
      expect(keys.some((k) => k.startsWith(`${queue.prefix}:ratelimit:default:key:`))).toBe(true);
      expect(keys.some((k) => k.startsWith(`${queue.prefix}:ratelimit:admin:key:`))).toBe(true);
      expect(keys.some((k) => k.startsWith(`${queue.prefix}:ratelimit:default:ip:`))).toBe(true);
    } finally {
      redis.disconnect();
    }
  });
});
