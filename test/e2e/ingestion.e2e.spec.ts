import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@frictionwatch/testing';
import { FeedServer } from '../support/feed-server';
import { finished, runTs, waitForOutput } from '../support/processes';

/**
 * The apps as separate processes (two schedulers, a worker) against real Postgres, Redis and a feed
 * server on loopback: from a scheduler tick to ItemClassified events, once per item.
 */
describe('ingestion end to end', () => {
  let database: TestDatabase;
  const queue = testQueuePrefix();
  const server = new FeedServer();
  const children: ReturnType<typeof runTs>[] = [];

  function rss(n: number, count: number): string {
    const items = Array.from(
      { length: count },
      (_, i) =>
        `<item><title>European Commission imposes anti-dumping duties on Chinese solar panels ${n}-${i}</title><link>https://feeds.example.test/${n}/${i}</link><guid>g-${n}-${i}</guid><pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate><description>Duties on imports of photovoltaic modules originating in the People's Republic of China.</description></item>`,
    ).join('');
    return `<?xml version="1.0"?><rss version="2.0"><channel><title>F${n}</title><link>https://feeds.example.test/</link><description>d</description>${items}</channel></rss>`;
  }

  async function count(type: string): Promise<number> {
    const { rows } = await database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE event_type = $1',
      [type],
    );
    return rows[0].n;
  }

  async function waitUntil(check: () => Promise<boolean>, timeoutMs = 60000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline)
        throw new Error(
          `not reached in time; worker output:\n${children
            .map((c) => c.output.stdout + c.output.stderr)
            .join('\n')
            .slice(-3000)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  function start(entry: string, extra: Record<string, string> = {}) {
    const child = runTs(entry, [], {
      DATABASE_URL: database.url,
      QUEUE_PREFIX: queue.prefix,
      FETCH_ALLOW_PRIVATE_NETWORKS: 'true',
      SCHEDULER_TICK_SECONDS: '1',
      PROJECTION_POLL_INTERVAL_MS: '100',
      WORKER_LOCK_MS: '2000',
      ...extra,
    });
    children.push(child);
    return child;
  }

  beforeAll(async () => {
    await server.start();
    database = await createTestDatabase();
    for (let n = 0; n < 3; n += 1)
      server.route(`/feed-${n}.xml`, (_q, r) =>
        r.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(n, 20)),
      );
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await server.stop();
    await queue.cleanup();
    await database.drop();
  });

  it('two schedulers and a worker: each feed fetched once per slot, every item ingested and classified once', async () => {
    for (let n = 0; n < 3; n += 1) {
      const result = await finished(
        runTs(
          'apps/cli/src/main.ts',
          ['feeds', 'add', server.url(`/feed-${n}.xml`), '--id', `feed-${n}`, '--jurisdiction', 'EU'],
          { DATABASE_URL: database.url, QUEUE_PREFIX: queue.prefix },
        ),
      );
      expect(result.stdout).toContain(`Registered feed feed-${n}`);
    }
    const worker = start('apps/worker/src/main.ts');
    start('apps/scheduler/src/main.ts');
    start('apps/scheduler/src/main.ts');
    await waitForOutput(worker, 'consuming queues: fetch, classify', 60000);
    await waitUntil(async () => (await count('ItemClassified')) === 60, 40000);
    expect(await count('ItemIngested')).toBe(60);
    expect(await count('FeedFetched')).toBe(3);
    expect(server.hits.get('/feed-0.xml')).toBe(1);
    // Classification is idempotent per item: no item has two classifications of one text.
    const { rows } = await database.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM (SELECT stream_id FROM events WHERE event_type = 'ItemClassified' GROUP BY stream_id HAVING count(*) > 1) t",
    );
    expect(rows[0].n).toBe(0);
    const { rows: sample } = await database.pool.query(
      "SELECT data FROM events WHERE event_type = 'ItemClassified' LIMIT 1",
    );
    expect(sample[0].data.classification).toMatchObject({ friction: true, actors: ['EU'], targets: ['CN'] });
    for (const child of children.splice(0)) {
      child.kill('SIGTERM');
      expect((await finished(child)).code).toBe(0);
    }
    // Three CLI runs and three role processes booting on a shared machine: more than the default 60 s.
  }, 180000);

  it('a worker killed in the middle of its work: after a restart each item is ingested exactly once', async () => {
    // A feed slow enough that the worker is killed while fetching it.
    server.route('/slow.xml', (_q, r) => {
      setTimeout(() => r.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(9, 40)), 1500);
    });
    await finished(
      runTs('apps/cli/src/main.ts', ['feeds', 'add', server.url('/slow.xml'), '--id', 'slow'], {
        DATABASE_URL: database.url,
        QUEUE_PREFIX: queue.prefix,
      }),
    );
    const doomed = start('apps/worker/src/main.ts');
    start('apps/scheduler/src/main.ts');
    await waitUntil(async () => (server.hits.get('/slow.xml') ?? 0) >= 1);
    doomed.kill('SIGKILL');
    await finished(doomed);
    start('apps/worker/src/main.ts');
    await waitUntil(async () => (await count('ItemClassified')) === 100, 45000);
    const { rows } = await database.pool.query<{ n: number; d: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT stream_id)::int AS d FROM events WHERE event_type = 'ItemIngested'",
    );
    expect(rows[0]).toEqual({ n: 100, d: 100 });
  }, 120000);
});
