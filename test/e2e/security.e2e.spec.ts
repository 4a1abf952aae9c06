import type { INestApplication } from '@nestjs/common';
import { ApiKeys } from '@frictionwatch/http-api';
import { createRedisConnection, JobQueue } from '@frictionwatch/queues';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  testQueuePrefix,
  type TestDatabase,
} from '@frictionwatch/testing';
import { startApiApp } from '../support/api-app';
import { runTs, waitForOutput } from '../support/processes';
import { registeredRoutes } from '../support/registered-routes';
import { freePort } from '../support/free-port';

/**
 * The security review's tests: every route Nest registers answers with its scope (so a new endpoint
 * cannot escape), feed URLs that point at private networks are refused at the admin API, hostile
 * input is a 4xx problem+json (never a 500), and no secret reaches a log line or an error body.
 */
describe('security review', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  const queue = testQueuePrefix();
  const keys: Record<'read' | 'admin' | 'revoked', string> = { read: '', admin: '', revoked: '' };

  /** Routes open to anyone: the signed links of alert mail (their token is the credential). */
  const PUBLIC = [
    'GET /v1/unsubscribe',
    'POST /v1/unsubscribe',
    'GET /v1/subscriptions/confirm',
    'POST /v1/subscriptions/confirm',
    'GET /health/live',
    'GET /health/ready',
  ];
  /** Read endpoints; every other /v1 route needs an admin key. */
  const READ = [
    'GET /v1/items',
    'GET /v1/items/:id',
    'GET /v1/cases',
    'GET /v1/cases/:id',
    'GET /v1/deadlines',
    'GET /v1/activity',
    'GET /v1/feeds',
    'GET /v1/taxonomy',
  ];

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app, base } = await startApiApp({
      DATABASE_URL: database.url,
      QUEUE_PREFIX: queue.prefix,
      WORKER_PROJECTIONS: 'items',
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_ADMIN_PER_MINUTE: '0',
    }));
    const apiKeys = app.get(ApiKeys);
    keys.read = (await apiKeys.create('security read', 'read')).key;
    keys.admin = (await apiKeys.create('security admin', 'admin')).key;
    const revoked = await apiKeys.create('security revoked', 'admin');
    await apiKeys.revoke(revoked.keyId);
    keys.revoked = revoked.key;
  });

  afterAll(async () => {
    await app?.close();
    await queue.cleanup();
    await database?.drop();
  });

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer) =>
    fetch(`${base}${path}`, { method, headers, body });
  const concrete = (path: string) => path.replace(/:[a-z]+/gi, 'x');
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  async function expectProblem(response: Response, status?: number): Promise<Record<string, unknown>> {
    const text = await response.text();
    const summary = `${response.status} ${response.headers.get('content-type')} ${text.slice(0, 300)}`;
    expect(response.status >= 400 && response.status < 500 ? 'a 4xx' : summary).toBe('a 4xx');
    if (status !== undefined) expect(response.status === status ? status : summary).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(body.status).toBe(response.status);
    return body;
  }

  it('answers every registered route with its scope: no key, a read key, a revoked key, malformed headers', async () => {
    const routes = registeredRoutes(app)
      .filter((r) => !['/openapi.json', '/docs'].includes(r.path))
      .map((r) => `${r.method} ${r.path}`);
    expect(routes.length).toBeGreaterThanOrEqual(25);
    for (const known of [...PUBLIC, ...READ]) expect(routes).toContain(known);
    const malformed = [
      'Bearer',
      `Bearer ${keys.admin} extra`,
      `Token ${keys.admin}`,
      `Basic ${Buffer.from(`admin:${keys.admin}`).toString('base64')}`,
      'Bearer fw_notakey',
      `Bearer ${keys.admin.slice(0, -4)}AAAA`, // right id, wrong secret
    ];
    const seen: Record<string, Record<string, number>> = {};
    for (const route of routes) {
      const [method, path] = route.split(' ');
      const url = concrete(path);
      const send = async (headers: Record<string, string>) => {
        const json = ['POST', 'PATCH', 'PUT'].includes(method);
        const response = await call(
          method,
          url,
          { ...headers, ...(json ? { 'content-type': 'application/json' } : {}) },
          json ? '{}' : undefined,
        );
        expect(response.status === 500 ? `${route} answered 500` : 'no 500').toBe('no 500');
        return response;
      };
      const scope = PUBLIC.includes(route) ? 'public' : READ.includes(route) ? 'read' : 'admin';
      const none = await send({});
      const read = await send(bearer(keys.read));
      const admin = await send(bearer(keys.admin));
      const revoked = await send(bearer(keys.revoked));
      seen[route] = { none: none.status, read: read.status, admin: admin.status, revoked: revoked.status };
      if (scope === 'public') {
        for (const r of [none, read, admin, revoked]) expect([route, r.status]).not.toEqual([route, 401]);
        continue;
      }
      expect([route, (await expectProblem(none, 401)).detail]).toEqual([
        route,
        'This endpoint needs an API key: Authorization: Bearer <key>',
      ]);
      expect([route, (await expectProblem(revoked, 401)).detail]).toEqual([
        route,
        'Unknown or revoked API key',
      ]);
      if (scope === 'admin') expect([route, (await expectProblem(read, 403)).status]).toEqual([route, 403]);
      else expect([route, read.status]).not.toEqual([route, 403]);
      expect([route, [401, 403].includes(admin.status)]).toEqual([route, false]);
      for (const header of malformed) {
        const body = await expectProblem(await send({ authorization: header }), 401);
        expect(JSON.stringify(body)).not.toContain(secretOf(keys.admin));
      }
    }
    // What it saw, for the record: every admin route refused the read key.
    const adminRoutes = Object.entries(seen).filter(([r]) => !PUBLIC.includes(r) && !READ.includes(r));
    expect(adminRoutes.length).toBeGreaterThanOrEqual(12);
    expect(adminRoutes.every(([, s]) => s.read === 403 && s.none === 401)).toBe(true);
  });

  it('refuses feeds at loopback, private, link-local and metadata addresses through the admin API', async () => {
    const add = (feedId: string, url: string) =>
      call(
        'POST',
        '/v1/feeds',
        { ...bearer(keys.admin), 'content-type': 'application/json' },
        JSON.stringify({ feedId, name: 'probe', url, kind: 'rss', intervalMinutes: 30 }),
      );
    const hostile = [
      'http://127.0.0.1:3000/feed.xml',
      'http://2130706433/feed.xml',
      'http://0x7f000001/feed.xml',
      'http://0177.0.0.1/feed.xml',
      'http://127.1/feed.xml',
      'http://[::ffff:127.0.0.1]/feed.xml',
      'http://[::1]/feed.xml',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://10.0.0.1/feed.xml',
      'http://172.16.0.1/feed.xml',
      'http://192.168.0.1/feed.xml',
      'http://[fe80::1]/feed.xml',
      'http://localhost:3000/feed.xml', // a name that resolves to loopback
      'https://user:secret@example.org/feed.xml',
    ];
    for (const [n, url] of hostile.entries()) {
      const body = await expectProblem(await add(`hostile-${n}`, url), 400);
      expect([url, String(body.detail)]).toEqual([
        url,
        expect.stringMatching(/^url: (points at|names|must not carry credentials)/),
      ]);
    }
    expect((await add('public-feed', 'https://example.org/feed.xml')).status).toBe(201);
    const moved = await call(
      'PATCH',
      '/v1/feeds/public-feed',
      { ...bearer(keys.admin), 'content-type': 'application/json' },
      JSON.stringify({ url: 'http://169.254.169.254/latest/meta-data/' }),
    );
    expect((await expectProblem(moved, 400)).detail).toMatch(/^url: points at 169\.254\.169\.254/);
    // Nothing hostile was recorded.
    const { rows } = await database.pool.query<{ url: string }>(
      "SELECT data->>'url' AS url FROM events WHERE event_type IN ('FeedRegistered', 'FeedUpdated')",
    );
    expect(rows.map((r) => r.url)).toEqual(['https://example.org/feed.xml']);
  });

  it('answers hostile input with a 4xx problem+json, never a 500', async () => {
    const admin = { ...bearer(keys.admin), 'content-type': 'application/json' };
    let deep = '0';
    for (let i = 0; i < 100000; i += 1) deep = `[${deep}]`;
    const cases: [string, () => Promise<Response>, number][] = [
      [
        'an oversized body',
        () => call('POST', '/v1/subscriptions', admin, `{"name":"${'x'.repeat(1100000)}"}`),
        413,
      ],
      [
        'deeply nested JSON',
        () => call('POST', '/v1/subscriptions', admin, `{"filters":{"keywords":${deep}}}`),
        400,
      ],
      [
        'a deeply nested object',
        () => call('POST', '/v1/feeds', admin, `${'{"a":'.repeat(50000)}1${'}'.repeat(50000)}`),
        400,
      ],
      ['a long query value', () => call('GET', `/v1/items?q=${'a'.repeat(8000)}`, bearer(keys.read)), 400],
      ['a URL over 16 KiB', () => call('GET', `/v1/items?q=${'a'.repeat(20000)}`, bearer(keys.read)), 431],
      ['a garbage cursor', () => call('GET', '/v1/items?cursor=garbage', bearer(keys.read)), 400],
      [
        'a cursor of the wrong shape',
        () =>
          call(
            'GET',
            `/v1/items?cursor=${Buffer.from('{"p":[1,2]}').toString('base64url')}`,
            bearer(keys.read),
          ),
        400,
      ],
      ['an unknown parameter', () => call('GET', '/v1/cases?cursor=abc', bearer(keys.read)), 400],
      ['a bad change-feed checkpoint', () => call('GET', '/v1/events?after=1:2:3', bearer(keys.admin)), 400],
      ['a huge limit', () => call('GET', '/v1/items?limit=99999999999999999999999', bearer(keys.read)), 400],
      ['a repeated parameter', () => call('GET', '/v1/items?limit=1&limit=2', bearer(keys.read)), 400],
      ['bad UTF-8 in the query', () => call('GET', '/v1/items?q=%ff%fe', bearer(keys.read)), 400],
      ['a broken percent-escape in the query', () => call('GET', '/v1/items?q=%zz', bearer(keys.read)), 400],
      ['bad UTF-8 in the path', () => call('GET', '/v1/items/%ff%fe', bearer(keys.read)), 400],
      [
        'bad UTF-8 in a JSON body',
        () =>
          call(
            'POST',
            '/v1/feeds',
            admin,
            Buffer.concat([
              Buffer.from('{"feedId":"utf","name":"'),
              Buffer.from([0xff, 0xfe, 0xc3]),
              Buffer.from('","url":"https://example.org/u","kind":"rss","intervalMinutes":5}'),
            ]),
          ),
        400,
      ],
      ['malformed JSON', () => call('POST', '/v1/subscriptions', admin, '{"recipient":'), 400],
      [
        'a __proto__ key',
        () => call('POST', '/v1/subscriptions', admin, '{"__proto__":{"admin":true}}'),
        400,
      ],
      ['an empty JSON body', () => call('POST', '/v1/subscriptions', admin), 400],
      [
        'an XML body',
        () =>
          call(
            'POST',
            '/v1/subscriptions',
            { ...bearer(keys.admin), 'content-type': 'application/xml' },
            '<a/>',
          ),
        415,
      ],
      [
        'a multipart body',
        () =>
          call(
            'POST',
            '/v1/feeds',
            { ...bearer(keys.admin), 'content-type': 'multipart/form-data; boundary=x' },
            '--x\r\n\r\n--x--',
          ),
        415,
      ],
      [
        'a text body',
        () => call('POST', '/v1/feeds', { ...bearer(keys.admin), 'content-type': 'text/plain' }, 'feed'),
        400,
      ],
    ];
    for (const [name, request, status] of cases) {
      const response = await request();
      const body = await expectProblem(response);
      expect([name, response.status]).toEqual([name, status]);
      expect([name, typeof body.detail]).toEqual([name, 'string']);
    }
    // The bad UTF-8 feed was not registered with replacement characters.
    const { rows } = await database.pool.query("SELECT 1 FROM events WHERE stream_id = 'feed-utf'");
    expect(rows).toEqual([]);
  });

  it('prints no secret: database and SMTP passwords, API keys (used, failing, revoked) stay out of logs and bodies', async () => {
    const DB_PASSWORD = 'DbSecretPw4711';
    const SMTP_PASSWORD = 'SmtpSecretPw0815';
    const dbUrl = new URL(database.url);
    dbUrl.username = 'root';
    dbUrl.password = DB_PASSWORD; // the server trusts local connections: the password is carried, unused
    const deadPort = await freePort();
    const port = await freePort();
    const env = {
      DATABASE_URL: dbUrl.toString(),
      SMTP_URL: `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:${deadPort}`,
      QUEUE_PREFIX: queue.prefix,
      REDIS_URL: TEST_REDIS_URL,
      LOG_LEVEL: 'debug',
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKER_QUEUES: 'email',
      WORKER_PROJECTIONS: 'subscriptions',
      ALERTS_DOUBLE_OPT_IN: 'true',
    };
    const api = runTs('apps/api/src/main.ts', [], env);
    // Every role serves HTTP on PORT: the worker takes an ephemeral one.
    const worker = runTs('apps/worker/src/main.ts', [], { ...env, PORT: '0' });
    const redis = createRedisConnection(TEST_REDIS_URL, 'security-test');
    const jobs = new JobQueue(redis, queue.prefix);
    const bodies: string[] = [];
    try {
      await waitForOutput(api, 'API listening', 60000);
      await waitForOutput(worker, 'consuming queues: email', 60000);
      const at = `http://127.0.0.1:${port}`;
      const requests: [string, string, Record<string, string>, string?][] = [
        ['GET', '/v1/items', bearer(keys.read)],
        ['GET', '/v1/events', bearer(keys.read)], // 403
        ['GET', '/v1/items', bearer(keys.revoked)], // 401
        ['GET', '/v1/items', { authorization: `Token ${keys.admin}` }], // malformed
        ['GET', '/v1/items', bearer(`${keys.admin}x`)], // unknown
        ['GET', `/v1/items?cursor=${keys.admin}`, bearer(keys.admin)], // a key in a bad parameter
        [
          'POST',
          '/v1/feeds',
          { ...bearer(keys.admin), 'content-type': 'application/json' },
          `{"url":"${keys.admin}"}`,
        ],
        [
          'POST',
          '/v1/subscriptions',
          { ...bearer(keys.admin), 'content-type': 'application/json' },
          JSON.stringify({ recipient: 'ops@example.org', name: 'security probe', delivery: 'immediate' }),
        ],
      ];
      for (const [method, path, headers, body] of requests) {
        const response = await fetch(`${at}${path}`, { method, headers, body });
        bodies.push(`${response.status} ${await response.text()}`);
      }
      // Double opt-in: the api enqueued a confirmation mail; the worker fails to reach the SMTP
      // server (nothing listens there), with the password in SMTP_URL, and logs the failure.
      await waitForOutput(worker, '"job":"send-confirmation"', 60000);
    } finally {
      await jobs.close();
      redis.disconnect();
      for (const child of [api, worker]) child.kill('SIGTERM');
      await Promise.all(
        [api, worker].map((child) =>
          new Promise((resolve) => child.once('close', resolve)).catch(() => undefined),
        ),
      );
    }
    const output = [api, worker].map((c) => c.output.stdout + c.output.stderr).join('\n');
    expect(output).toContain('API listening');
    expect(bodies.slice(0, 7).map((b) => b.slice(0, 3))).toEqual([
      '200',
      '403',
      '401',
      '401',
      '401',
      '400',
      '400',
    ]);
    const secrets = [DB_PASSWORD, SMTP_PASSWORD, ...Object.values(keys).map(secretOf)];
    for (const secret of secrets) {
      expect(output.includes(secret) ? `log has ${secret.slice(0, 6)}…` : 'clean').toBe('clean');
      for (const body of bodies)
        expect(body.includes(secret) ? `body has ${secret.slice(0, 6)}…` : 'clean').toBe('clean');
    }
    const { rows } = await database.pool.query<{ dump: string }>(
      'SELECT data::text || metadata::text AS dump FROM events',
    );
    for (const row of rows) for (const secret of secrets) expect(row.dump).not.toContain(secret);
  }, 180000);
});

/** The secret part of a key `fw_<10-character id>_<secret>`. */
function secretOf(key: string): string {
  return key.slice('fw_'.length + 11);
}
