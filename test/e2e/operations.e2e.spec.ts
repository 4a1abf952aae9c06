import { SubscriptionCommands, SubscriptionSpecSchema } from '@frictionwatch/alerts';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { FeedRegistry } from '@frictionwatch/feeds';
import { registerEventTypes } from '@frictionwatch/platform';
import { createRedisConnection, JobQueue } from '@frictionwatch/queues';
import {
  createTestDatabase,
  feedSpec,
  SmtpSink,
  TEST_REDIS_URL,
  testQueuePrefix,
  type TestDatabase,
  pollUntil,
} from '@frictionwatch/testing';
import { readModelsSettled } from '../support/api-app';
import { FeedServer } from '../support/feed-server';
import { finished, listeningOn, runTs } from '../support/processes';
import { freePort } from '../support/free-port';

const DB_PASSWORD = 'db-pass-never-logged-7f3a';
const SMTP_PASSWORD = 'smtp-pass-never-logged-91c2';

function rss(count: number): string {
  const items = Array.from(
    { length: count },
    (_, i) =>
      `<item><title>European Commission imposes anti-dumping duties on Chinese solar panels ${i}</title><link>https://feeds.example.test/ops/${i}</link><guid>ops-${i}</guid><pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate><description>Duties on imports of photovoltaic modules originating in the People's Republic of China.</description></item>`,
  ).join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Ops</title><link>https://feeds.example.test/</link><description>d</description>${items}</channel></rss>`;
}

/** A metric's value in Prometheus text (the sample with exactly these labels), or null. */
function sample(text: string, name: string, labels: string): number | null {
  const prefix = labels ? `${name}{${labels}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
}

type LogLine = Record<string, unknown>;
const logLines = (output: string): LogLine[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

/**
 * The worker and scheduler roles as real processes: each serves health and metrics on its own port
 * (no /v1), the worker's metrics move with real work against a feed server, its log lines are JSON
 * carrying the correlation id of the job they belong to, and no password reaches the output.
 */
describe('operations: worker and scheduler processes', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let jobs: JobQueue;
  const redis = createRedisConnection(TEST_REDIS_URL, 'ops-e2e');
  const queue = testQueuePrefix();
  // The scheduler's first tick runs at start and would enqueue fetches of both feeds, racing the
  // counted fetches below; on its own prefix those jobs never reach this worker.
  const schedulerQueue = testQueuePrefix();
  const server = new FeedServer();
  const sink = new SmtpSink({ credentials: { user: 'alerts', password: SMTP_PASSWORD } });
  let worker: ReturnType<typeof runTs>;
  let scheduler: ReturnType<typeof runTs>;
  let workerUrl: string;
  let schedulerUrl: string;

  const env = () => ({
    DATABASE_URL: database.url.replace('://root@', `://root:${DB_PASSWORD}@`),
    SMTP_URL: `smtp://alerts:${SMTP_PASSWORD}@127.0.0.1:${sink.port}?ignoreTLS=true`,
    ALERTS_TOKEN_SECRET: 'operations-test-token-secret',
    QUEUE_PREFIX: queue.prefix,
    FETCH_ALLOW_PRIVATE_NETWORKS: 'true',
    PROJECTION_POLL_INTERVAL_MS: '100',
    LOG_LEVEL: 'debug',
  });

  const until = (probe: () => Promise<boolean>, what: string, timeoutMs = 40000) =>
    pollUntil(probe, { what, timeoutMs, detail: () => worker.output.stdout.slice(-2000) });

  async function count(type: string): Promise<number> {
    const { rows } = await database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE event_type = $1',
      [type],
    );
    return rows[0].n;
  }

  async function fetchJob(feedId: string, id: string, correlationId: string): Promise<void> {
    await jobs.enqueue([{ name: 'fetch-feed', data: { feedId, slot: id, correlationId }, jobId: id }]);
    await until(async () => (await jobs.queue('fetch').getJobState(id)) === 'completed', `job ${id}`);
  }

  beforeAll(async () => {
    await Promise.all([server.start(), sink.start()]);
    server.route('/ops.xml', (request, response) => {
      if (request.headers['if-none-match'] === '"ops-1"') return void response.writeHead(304).end();
      response.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"ops-1"' }).end(rss(20));
    });
    database = await createTestDatabase();
    store = new PostgresEventStore(database.pool, registerEventTypes(new EventRegistry()));
    jobs = new JobQueue(redis, queue.prefix);
    const feeds = new FeedRegistry(store);
    await feeds.register(feedSpec('ops-feed', { url: server.url('/ops.xml') }));
    await feeds.register(feedSpec('missing-feed', { url: server.url('/missing.xml') }));
    await new SubscriptionCommands(store, { doubleOptIn: false }).create(
      SubscriptionSpecSchema.parse({ recipient: 'ops@example.org', name: 'Everything', filters: {} }),
    );
    worker = runTs('apps/worker/src/main.ts', [], env());
    scheduler = runTs('apps/scheduler/src/main.ts', [], {
      ...env(),
      QUEUE_PREFIX: schedulerQueue.prefix,
      SCHEDULER_TICK_SECONDS: '3600',
    });
    [workerUrl, schedulerUrl] = await Promise.all([
      listeningOn(worker, 60000),
      listeningOn(scheduler, 60000),
    ]);
    await readModelsSettled(database.pool, ['feeds']);
  }, 150000);

  afterAll(async () => {
    for (const child of [worker, scheduler])
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await jobs.close();
    redis.disconnect();
    await Promise.all([server.stop(), sink.stop()]);
    await Promise.all([queue.cleanup(), schedulerQueue.cleanup()]);
    await database.drop();
  });

  it('each role listens on its own port and serves only health and metrics', async () => {
    expect(workerUrl).not.toBe(schedulerUrl);
    for (const base of [workerUrl, schedulerUrl]) {
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      expect((await fetch(`${base}/v1/items`)).status).toBe(404);
      expect((await fetch(`${base}/docs`)).status).toBe(404);
      expect((await fetch(`${base}/admin/queues`)).status).toBe(404);
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      expect(await metrics.text()).toContain('process_resident_memory_bytes');
    }
  });

  it('the worker is ready when Postgres, Redis and each of its queue workers are; the scheduler runs none', async () => {
    const ready = await fetch(`${workerUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      info: {
        postgres: { status: 'up' },
        redis: { status: 'up' },
        queues: {
          status: 'up',
          workers: 3,
          fetch: { running: true, redis: 'ready' },
          classify: { running: true, redis: 'ready' },
          email: { running: true, redis: 'ready' },
        },
      },
    });
    const schedulerReady = await fetch(`${schedulerUrl}/health/ready`);
    expect(await schedulerReady.json()).toMatchObject({ status: 'ok', info: { queues: { workers: 0 } } });
  });

  it("the worker's metrics count fetches by outcome, jobs, events appended, and read queue depths and projection lag", async () => {
    await fetchJob('ops-feed', 'ops-1', 'corr-ops-fetched');
    await until(async () => (await count('ItemClassified')) === 20, '20 items classified');
    // The subscription matches everything: up to the hourly cap of immediate mails go out.
    await until(async () => (await count('AlertDelivered')) === 20, '20 alerts delivered');
    await fetchJob('ops-feed', 'ops-2', 'corr-ops-not-modified');
    await fetchJob('missing-feed', 'ops-3', 'corr-ops-failed');
    // A mail job for an alert that does not exist fails for good (unrecoverable).
    await jobs.enqueue([
      {
        name: 'send-alert',
        data: { alertId: 'no-such-alert', correlationId: 'corr-ops-lost' },
        jobId: 'ops-lost',
      },
    ]);
    await until(
      async () => (await jobs.queue('email').getJobState('ops-lost')) === 'failed',
      'ops-lost failed',
    );
    await until(
      async () => (await jobs.queue('classify').getJobCounts('active', 'waiting')).active === 0,
      'classify queue idle',
    );

    const text = await (await fetch(`${workerUrl}/metrics`)).text();
    expect(sample(text, 'fw_feed_fetches_total', 'feed="ops-feed",outcome="fetched"')).toBe(1);
    expect(sample(text, 'fw_feed_fetches_total', 'feed="ops-feed",outcome="not_modified"')).toBe(1);
    expect(sample(text, 'fw_feed_fetches_total', 'feed="missing-feed",outcome="failed"')).toBe(1);
    expect(sample(text, 'fw_jobs_completed_total', 'queue="fetch",job="fetch-feed"')).toBe(3);
    expect(
      sample(text, 'fw_jobs_completed_total', 'queue="classify",job="classify-items"'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'fw_job_duration_seconds_count', 'queue="fetch",job="fetch-feed",outcome="completed"'),
    ).toBe(3);
    expect(sample(text, 'fw_events_appended_total', 'type="ItemIngested"')).toBe(20);
    expect(sample(text, 'fw_events_appended_total', 'type="ItemClassified"')).toBe(20);
    expect(sample(text, 'fw_events_appended_total', 'type="FeedFetched"')).toBe(1);
    expect(sample(text, 'fw_events_appended_total', 'type="FeedNotModified"')).toBe(1);
    expect(sample(text, 'fw_events_appended_total', 'type="FeedFetchFailed"')).toBe(1);
    expect(sample(text, 'fw_events_appended_total', 'type="AlertRaised"')).toBe(20);
    expect(sample(text, 'fw_mails_sent_total', '')).toBe(20);
    expect(sink.logins.length).toBeGreaterThan(0); // the SMTP password was used, and must not be logged
    expect(sample(text, 'fw_jobs_completed_total', 'queue="email",job="send-alert"')).toBe(20);
    expect(sample(text, 'fw_jobs_failed_total', 'queue="email",job="send-alert"')).toBe(1);
    expect(
      sample(text, 'fw_job_duration_seconds_count', 'queue="email",job="send-alert",outcome="failed"'),
    ).toBe(1);
    expect(sample(text, 'fw_queue_jobs', 'queue="email",state="failed"')).toBe(1);
    expect(sample(text, 'fw_queue_jobs', 'queue="fetch",state="active"')).toBe(0);
    expect(sample(text, 'fw_queue_jobs', 'queue="fetch",state="waiting"')).toBe(0);
    expect(sample(text, 'fw_queue_jobs', 'queue="fetch",state="failed"')).toBe(0);
    // BullMQ's own exporter, merged in: one HELP/TYPE per family, every queue's samples.
    expect(sample(text, 'bullmq_job_count', 'queue="email", state="failed"')).toBe(1);
    expect(sample(text, 'bullmq_job_completed_total', 'queue="fetch"')).toBe(3);
    expect(sample(text, 'bullmq_job_failed_total', 'queue="email"')).toBe(1);
    expect(text.split('\n').filter((l) => l === '# TYPE bullmq_job_count gauge')).toHaveLength(1);
    expect(sample(text, 'fw_projection_lag_positions', 'projection="items"')).toEqual(expect.any(Number));
    expect(sample(text, 'fw_projection_lag_seconds', 'projection="feeds"')).toEqual(expect.any(Number));
    expect(
      sample(
        text,
        'fw_http_request_duration_seconds_count',
        'method="GET",route="/health/ready",status="200"',
      ),
    ).toBeGreaterThanOrEqual(1);
  });

  it('every line logged while a job runs is JSON with its correlation id, carried from the fetch through classification to the alert mails', () => {
    const lines = logLines(worker.output.stdout);
    expect(lines.length).toBeGreaterThan(0);
    const jobLines = lines.filter((line) => line.jobId !== undefined);
    const fetchLines = jobLines.filter((line) => line.job === 'fetch-feed');
    expect(fetchLines.map((line) => line.correlationId).sort()).toEqual(
      ['corr-ops-failed', 'corr-ops-fetched', 'corr-ops-not-modified'].sort(),
    );
    expect(fetchLines.find((line) => line.jobId === 'ops-1')).toMatchObject({
      msg: 'job completed',
      correlationId: 'corr-ops-fetched',
      queue: 'fetch',
      result: { outcome: 'fetched', newItems: 20 },
    });
    const classifyLines = jobLines.filter((line) => line.job === 'classify-items');
    expect(classifyLines.length).toBeGreaterThan(0);
    for (const line of classifyLines) expect(line.correlationId).toBe('corr-ops-fetched');
    expect(jobLines.find((line) => line.jobId === 'ops-lost')).toMatchObject({
      level: 'warn',
      msg: 'job failed for good',
      correlationId: 'corr-ops-lost',
      error: 'No alert no-such-alert',
    });
    const mailLines = jobLines.filter((line) => line.job === 'send-alert' && line.jobId !== 'ops-lost');
    expect(mailLines).toHaveLength(20);
    for (const line of mailLines)
      expect(line).toMatchObject({ correlationId: 'corr-ops-fetched', queue: 'email', msg: 'job completed' });
  });

  it('stops on SIGTERM with exit code 0, and no password ever reached the output', async () => {
    const [workerDone, schedulerDone] = [finished(worker), finished(scheduler)];
    worker.kill('SIGTERM');
    scheduler.kill('SIGINT');
    const [w, s] = await Promise.all([workerDone, schedulerDone]);
    expect(w.code).toBe(0);
    expect(s.code).toBe(0);
    expect(w.stdout).toContain('shut down cleanly');
    for (const output of [w.stdout + w.stderr, s.stdout + s.stderr]) {
      // Each process names where it connects, with the passwords replaced.
      expect(output).toContain('postgres://root:[redacted]@127.0.0.1');
      expect(output).toContain(`smtp://alerts:[redacted]@127.0.0.1:${sink.port}`);
      expect(output).not.toContain(DB_PASSWORD);
      expect(output).not.toContain(SMTP_PASSWORD);
    }
  });
});

describe('operations: a worker whose Redis does not answer', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('serves HTTP but is not ready: Redis down and its queue workers not connected', async () => {
    const port = await freePort();
    const deadRedis = await freePort();
    const child = runTs('apps/worker/src/main.ts', [], {
      DATABASE_URL: database.url,
      REDIS_URL: `redis://127.0.0.1:${deadRedis}`,
      WORKER_QUEUES: 'fetch',
      WORKER_PROJECTIONS: 'feeds',
      WORKER_SHUTDOWN_TIMEOUT_MS: '3000',
      PORT: String(port),
    });
    const done = finished(child);
    try {
      const base = await listeningOn(child, 60000);
      expect(base).toBe(`http://127.0.0.1:${port}`);
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { error: Record<string, { status: string; fetch?: unknown }> };
      expect(body.error.redis.status).toBe('down');
      expect(body.error.queues).toMatchObject({
        status: 'down',
        fetch: { running: true, redis: 'connecting' },
      });
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    // Closing does not wait for a Redis that never answers.
    const exit = await done;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('closed by force');
  }, 120000);
});
