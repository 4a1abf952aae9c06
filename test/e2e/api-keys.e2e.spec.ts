import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@frictionwatch/testing';
import { startApiApp } from '../support/api-app';
import { finished, runTs } from '../support/processes';

/** Scopes of every kind of endpoint: no key, a read key, an admin key, a revoked key, a malformed header. */
describe('API keys and scopes', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  const queue = testQueuePrefix();
  const keys: Record<string, string> = {};

  async function cli(...args: string[]) {
    return finished(
      runTs('apps/cli/src/main.ts', args, { DATABASE_URL: database.url, QUEUE_PREFIX: queue.prefix }),
    );
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    for (const scope of ['read', 'admin']) {
      const result = await cli('keys', 'create', '--scope', scope, '--name', `test ${scope}`);
      expect(result.code).toBe(0);
      keys[scope] = result.stdout.trim().split('\n').at(-1) as string;
    }
    const revoked = await cli('keys', 'create', '--scope', 'admin', '--name', 'old');
    keys.revoked = revoked.stdout.trim().split('\n').at(-1) as string;
    expect((await cli('keys', 'revoke', keys.revoked.split('_')[1])).stdout).toContain('Revoked key');
    ({ app, base } = await startApiApp({
      DATABASE_URL: database.url,
      QUEUE_PREFIX: queue.prefix,
      WORKER_PROJECTIONS: 'items',
    }));
  });

  afterAll(async () => {
    await app.close();
    await queue.cleanup();
    await database.drop();
  });

  const status = async (path: string, authorization?: string) =>
    (await fetch(`${base}${path}`, { headers: authorization ? { authorization } : {} })).status;

  it('stores only a hash of each key and prints the key alone on the last line', async () => {
    expect(keys.read).toMatch(/^fw_[a-z0-9]{10}_[A-Za-z0-9_-]{43}$/);
    const { rows } = await database.pool.query<{ dump: string }>(
      'SELECT row_to_json(k)::text AS dump FROM api_keys k',
    );
    for (const row of rows)
      for (const key of Object.values(keys)) expect(row.dump).not.toContain(key.slice('fw_'.length + 11)); // the secret after fw_<id>_
  });

  it('read endpoints need a key (API_PUBLIC_READ is off); admin endpoints need an admin key', async () => {
    for (const path of [
      '/v1/items',
      '/v1/cases',
      '/v1/activity',
      '/v1/deadlines',
      '/v1/feeds',
      '/v1/taxonomy',
    ]) {
      expect({
        path,
        none: await status(path),
        read: await status(path, `Bearer ${keys.read}`),
        admin: await status(path, `Bearer ${keys.admin}`),
      }).toEqual({
        path,
        none: 401,
        read: 200,
        admin: 200,
      });
    }
    expect(await status('/v1/events')).toBe(401);
    expect(await status('/v1/events', `Bearer ${keys.read}`)).toBe(403);
    expect(await status('/v1/events', `Bearer ${keys.admin}`)).toBe(200);
    expect(await status('/health/ready')).toBe(200);
  });

  it('refuses a revoked key, an unknown key and a malformed header with problem+json', async () => {
    expect(await status('/v1/items', `Bearer ${keys.revoked}`)).toBe(401);
    expect(await status('/v1/items', `Bearer ${keys.read.slice(0, -3)}xyz`)).toBe(401);
    expect(await status('/v1/items', `Basic ${Buffer.from('a:b').toString('base64')}`)).toBe(401);
    const response = await fetch(`${base}/v1/items`, { headers: { authorization: 'Bearer not-a-key' } });
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(await response.json())).not.toContain('not-a-key');
  });

  it('serves the raw change feed to admins with a resumable checkpoint', async () => {
    const response = await fetch(`${base}/v1/events?limit=5`, {
      headers: { authorization: `Bearer ${keys.admin}` },
    });
    const body = (await response.json()) as { events: unknown[]; next: string; caughtUp: boolean };
    expect(body.next).toMatch(/^\d+:\d+$/);
    expect(body.caughtUp).toBe(true);
    expect(
      (await fetch(`${base}/v1/events?after=bad`, { headers: { authorization: `Bearer ${keys.admin}` } }))
        .status,
    ).toBe(400);
  });

  it('admin endpoints change feeds, start rebuilds and re-classification; a read key may not', async () => {
    const send = (method: string, path: string, body?: unknown, key = keys.admin) =>
      fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const feed = {
      feedId: 'api-feed',
      name: 'API feed',
      url: 'https://example.org/feed.xml',
      kind: 'rss',
      intervalMinutes: 30,
    };
    expect((await send('POST', '/v1/feeds', feed, keys.read)).status).toBe(403);
    expect((await send('POST', '/v1/feeds', feed)).status).toBe(201);
    expect((await send('POST', '/v1/feeds', feed)).status).toBe(409);
    const invalid = await send('POST', '/v1/feeds', { ...feed, feedId: 'Bad Id!', url: 'nope' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { detail: string }).detail).toMatch(/feedId|url/);
    expect(
      (await send('PATCH', '/v1/feeds/api-feed', { status: 'paused', intervalMinutes: 90 })).status,
    ).toBe(200);
    expect((await send('PATCH', '/v1/feeds/api-feed', { colour: 'red' })).status).toBe(400);
    expect((await send('PATCH', '/v1/feeds/missing', { status: 'paused' })).status).toBe(404);
    expect((await send('DELETE', '/v1/feeds/missing')).status).toBe(404);
    expect((await send('DELETE', '/v1/feeds/api-feed')).status).toBe(204);
    const { rows } = await database.pool.query(
      "SELECT event_type FROM events WHERE stream_id = 'feed-api-feed' ORDER BY stream_version",
    );
    expect(rows.map((r) => r.event_type)).toEqual([
      'FeedRegistered',
      'FeedUpdated',
      'FeedPaused',
      'FeedRemoved',
    ]);

    expect((await send('POST', '/v1/projections/items/rebuild')).status).toBe(202);
    const unknown = await send('POST', '/v1/projections/nope/rebuild');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { validValues: string[] }).validValues).toContain('items');
    expect((await send('POST', '/v1/projections/classification_trigger/rebuild')).status).toBe(409);
    const reclassify = await send('POST', '/v1/reclassify');
    expect(reclassify.status).toBe(202);
    expect(await reclassify.json()).toMatchObject({ items: 0, jobs: 0 });
  });

  it('refuses an oversized body with a 4xx problem, never a 500', async () => {
    const response = await fetch(`${base}/v1/feeds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(response.status).toBe(413);
  });
});
