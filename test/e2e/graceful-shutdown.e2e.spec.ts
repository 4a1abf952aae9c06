import type { ServerResponse } from 'node:http';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { FeedRegistry } from '@frictionwatch/feeds';
import { registerEventTypes } from '@frictionwatch/platform';
import { createRedisConnection, JobQueue } from '@frictionwatch/queues';
import {
  createTestDatabase,
  feedSpec,
  TEST_REDIS_URL,
  testQueuePrefix,
  type TestDatabase,
  pollUntil,
} from '@frictionwatch/testing';
import { readModelsSettled } from '../support/api-app';
import { FeedServer } from '../support/feed-server';
import { finished, listeningOn, runTs, waitForOutput } from '../support/processes';

const FEEDS = 6;
const ITEMS = 15;
const CONCURRENCY = 3;

function rss(feed: number): string {
  const items = Array.from(
    { length: ITEMS },
    (_, i) =>
      `<item><title>United States imposes tariffs on Chinese lithium-ion batteries ${feed}-${i}</title><link>https://feeds.example.test/${feed}/${i}</link><guid>g-${feed}-${i}</guid><pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate><description>Section 301 tariffs on batteries from China.</description></item>`,
  ).join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>F${feed}</title><link>https://feeds.example.test/</link><description>d</description>${items}</channel></rss>`;
}

/**
 * SIGTERM while fetch jobs are in flight: the worker stops taking jobs, reports not ready, finishes
 * the jobs it holds, closes everything and exits 0; a restarted worker does the rest. Every feed's
 * items end up ingested and classified exactly once, and no job is left active.
 */
describe('graceful shutdown of a worker with jobs in flight', () => {
  let database: TestDatabase;
  let jobs: JobQueue;
  const redis = createRedisConnection(TEST_REDIS_URL, 'shutdown-e2e');
  const queue = testQueuePrefix();
  const server = new FeedServer();
  const held: { response: ServerResponse; feed: number }[] = [];
  let holding = true;
  const children: ReturnType<typeof runTs>[] = [];

  function startWorker(): ReturnType<typeof runTs> {
    const child = runTs('apps/worker/src/main.ts', [], {
      DATABASE_URL: database.url,
      QUEUE_PREFIX: queue.prefix,
      FETCH_ALLOW_PRIVATE_NETWORKS: 'true',
      PROJECTION_POLL_INTERVAL_MS: '100',
      WORKER_QUEUES: 'fetch,classify',
      WORKER_FETCH_CONCURRENCY: String(CONCURRENCY),
      WORKER_SHUTDOWN_TIMEOUT_MS: '60000',
    });
    children.push(child);
    return child;
  }

  const until = (probe: () => Promise<boolean>, what: string, timeoutMs = 60000) =>
    pollUntil(probe, { what, timeoutMs });

  async function eventCounts(): Promise<Record<string, { events: number; streams: number }>> {
    const { rows } = await database.pool.query<{ event_type: string; events: number; streams: number }>(
      `SELECT event_type, count(*)::int AS events, count(DISTINCT stream_id)::int AS streams
       FROM events GROUP BY event_type`,
    );
    return Object.fromEntries(rows.map((r) => [r.event_type, { events: r.events, streams: r.streams }]));
  }

  beforeAll(async () => {
    await server.start();
    for (let feed = 0; feed < FEEDS; feed += 1)
      server.route(`/slow-${feed}.xml`, (_request, response) => {
        if (holding) held.push({ response, feed });
        else response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(feed));
      });
    database = await createTestDatabase();
    const store = new PostgresEventStore(database.pool, registerEventTypes(new EventRegistry()));
    const feeds = new FeedRegistry(store);
    for (let feed = 0; feed < FEEDS; feed += 1)
      await feeds.register(feedSpec(`slow-${feed}`, { url: server.url(`/slow-${feed}.xml`) }));
    jobs = new JobQueue(redis, queue.prefix);
  });

  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const { response } of held) response.destroy();
    await jobs.close();
    redis.disconnect();
    await server.stop();
    await queue.cleanup();
    await database.drop();
  });

  it('finishes the jobs in flight, exits 0, and a restarted worker ingests the rest exactly once', async () => {
    const first = startWorker();
    const base = await listeningOn(first, 60000);
    await readModelsSettled(database.pool, ['feeds']);
    await jobs.enqueue(
      Array.from({ length: FEEDS }, (_, feed) => ({
        name: 'fetch-feed' as const,
        data: { feedId: `slow-${feed}`, slot: 's1', correlationId: `shutdown-${feed}` },
        jobId: `slow-${feed}.s1`,
      })),
    );
    // The worker holds as many jobs as its concurrency, each waiting for the feed server's answer.
    await until(async () => held.length === CONCURRENCY, 'fetches in flight');
    expect((await jobs.queue('fetch').getJobCounts('active')).active).toBe(CONCURRENCY);

    const done = finished(first);
    first.kill('SIGTERM');
    await waitForOutput(first, 'SIGTERM received');
    // Draining: still serving HTTP, no longer ready (its queue workers are closing).
    await until(async () => (await fetch(`${base}/health/ready`)).status === 503, 'not ready while draining');
    const draining = (await (await fetch(`${base}/health/ready`)).json()) as {
      error: Record<string, unknown>;
    };
    expect(draining.error.queues).toMatchObject({ status: 'down', fetch: { running: false } });
    expect((await fetch(`${base}/health/live`)).status).toBe(200);

    holding = false;
    for (const { response, feed } of held.splice(0))
      response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(feed));
    const exit = await done;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('queue workers stopped; no job in flight');
    const afterSignal = exit.stdout.slice(exit.stdout.indexOf('SIGTERM received'));
    expect(
      afterSignal.match(
        /"job":"fetch-feed"[^\n]*"msg":"job completed"|"msg":"job completed"[^\n]*"job":"fetch-feed"/g,
      ),
    ).toHaveLength(CONCURRENCY);

    // What the stopped worker left: its jobs completed, none active, the others still waiting.
    const left = await jobs.queue('fetch').getJobCounts('active', 'completed', 'waiting', 'failed');
    expect(left).toEqual({ active: 0, completed: CONCURRENCY, waiting: FEEDS - CONCURRENCY, failed: 0 });
    const partial = await eventCounts();
    expect(partial.FeedFetched.events).toBe(CONCURRENCY);
    expect(partial.ItemIngested).toEqual({ events: CONCURRENCY * ITEMS, streams: CONCURRENCY * ITEMS });

    const second = startWorker();
    await listeningOn(second, 60000);
    await until(
      async () => ((await eventCounts()).ItemClassified?.events ?? 0) >= FEEDS * ITEMS,
      'every item classified',
    );
    await until(
      async () => (await jobs.queue('classify').getJobCounts('active', 'waiting')).waiting === 0,
      'classify queue drained',
    );
    const secondDone = finished(second);
    second.kill('SIGTERM');
    expect((await secondDone).code).toBe(0);

    const counts = await eventCounts();
    expect(counts.FeedFetched).toEqual({ events: FEEDS, streams: FEEDS });
    expect(counts.ItemIngested).toEqual({ events: FEEDS * ITEMS, streams: FEEDS * ITEMS });
    expect(counts.ItemClassified).toEqual({ events: FEEDS * ITEMS, streams: FEEDS * ITEMS });
    expect(counts.FeedFetchFailed).toBeUndefined();
    expect(await jobs.queue('fetch').getJobCounts('active', 'completed', 'waiting', 'failed')).toEqual({
      active: 0,
      completed: FEEDS,
      waiting: 0,
      failed: 0,
    });
    // Two worker processes boot one after the other on a shared machine: more than the default 60 s.
  }, 240000);
});
