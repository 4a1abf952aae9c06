import type { INestApplication } from '@nestjs/common';
import { ApiKeys } from '@frictionwatch/http-api';
import { JobQueue } from '@frictionwatch/queues';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@frictionwatch/testing';
import { startApiApp } from '../support/api-app';

const basic = (password: string, user = 'ops') =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The api role's queue UI behind admin keys, and its /metrics (open, or behind METRICS_TOKEN). */
describe('queue UI and metrics of the api', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  let guarded: INestApplication;
  let guardedBase: string;
  const queue = testQueuePrefix();
  const METRICS_TOKEN = 'metrics-token-0123456789';
  let adminKey: string;
  let readKey: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, QUEUE_PREFIX: queue.prefix, WORKER_PROJECTIONS: 'feeds' };
    ({ app, base } = await startApiApp(env));
    ({ app: guarded, base: guardedBase } = await startApiApp({ ...env, METRICS_TOKEN }));
    adminKey = (await app.get(ApiKeys).create('ops', 'admin')).key;
    readKey = (await app.get(ApiKeys).create('dashboard', 'read')).key;
    await app.get(JobQueue).enqueue([
      {
        name: 'fetch-feed',
        data: { feedId: 'board-feed', slot: 's', correlationId: 'c' },
        jobId: 'board-1',
      },
    ]);
  });

  afterAll(async () => {
    await Promise.all([app.close(), guarded.close()]);
    await queue.cleanup();
    await database.drop();
  });

  const get = (path: string, authorization?: string, at = base) =>
    fetch(`${at}${path}`, { headers: authorization ? { authorization } : {} });

  it('asks for credentials without a key: 401 with a Basic challenge a browser can answer', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const response = await get(path);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="frictionwatch queues"/);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('refuses an unknown key (401), a malformed header (401) and a read key (403)', async () => {
    expect((await get('/admin/queues', 'Bearer fw_abcdefghij_00000000000000000000000000000000')).status).toBe(
      401,
    );
    expect((await get('/admin/queues', 'Digest whatever')).status).toBe(401);
    expect((await get('/admin/queues', basic('not-a-key'))).status).toBe(401);
    const read = await get('/admin/queues', `Bearer ${readKey}`);
    expect(read.status).toBe(403);
    expect(await read.json()).toMatchObject({ status: 403, detail: 'The queue UI needs an admin key' });
    expect((await get('/admin/queues/api/queues', basic(readKey))).status).toBe(403);
  });

  it('serves the UI and its JSON API listing every queue to an admin key, bearer or Basic', async () => {
    const page = await get('/admin/queues', `Bearer ${adminKey}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('frictionwatch');
    expect((await get('/admin/queues', basic(adminKey))).status).toBe(200);

    const api = await get('/admin/queues/api/queues', basic(adminKey));
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string; counts: Record<string, number> }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['classify', 'email', 'fetch']);
    expect(body.queues.find((q) => q.name === 'fetch')?.counts.waiting).toBe(1);
  });

  it('times requests by route template, method and status, with a request id on every answer', async () => {
    const answer = await get('/v1/items?limit=5', `Bearer ${readKey}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await fetch(`${base}/health/live`, { headers: { 'x-request-id': 'trace-abc.1' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-abc.1');
    expect((await get('/v1/items/nope', `Bearer ${readKey}`)).status).toBe(400);
    expect((await get('/no/such/path/123')).status).toBe(404);

    const text = await (await get('/metrics')).text();
    expect(text).toMatch(
      /^fw_http_request_duration_seconds_count\{method="GET",route="\/v1\/items",status="200"\} 1$/m,
    );
    expect(text).toMatch(
      /^fw_http_request_duration_seconds_count\{method="GET",route="\/v1\/items\/:id",status="400"\} 1$/m,
    );
    // Unknown paths share one label: a scanner cannot grow the series.
    expect(text).toMatch(
      /^fw_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1$/m,
    );
    expect(text).not.toContain('/v1/items/nope');
    expect(text).not.toContain('/no/such/path');
  });

  it('with METRICS_TOKEN, /metrics needs that bearer token', async () => {
    const refused = await get('/metrics', undefined, guardedBase);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('Bearer');
    expect((await get('/metrics', `Bearer ${adminKey}`, guardedBase)).status).toBe(401);
    const scraped = await get('/metrics', `Bearer ${METRICS_TOKEN}`, guardedBase);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('# TYPE fw_jobs_completed_total counter');
  });
});
