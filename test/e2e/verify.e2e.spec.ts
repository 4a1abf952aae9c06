import type { INestApplication } from '@nestjs/common';
import { UnrecoverableError, Worker } from 'bullmq';
import { SubscriptionCommands, SubscriptionSpecSchema } from '@frictionwatch/alerts';
import { ItemClassifier } from '@frictionwatch/classifier';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import {
  ItemClassificationService,
  ItemIngestor,
  ItemRepository,
  itemIdFor,
  type IngestibleItem,
} from '@frictionwatch/items';
import { allProjections, registerEventTypes } from '@frictionwatch/platform';
import { ProjectionEngine } from '@frictionwatch/projections';
import { createRedisConnection, JobQueue, jobStreamId } from '@frictionwatch/queues';
import {
  createTestDatabase,
  SmtpSink,
  TEST_REDIS_URL,
  testQueuePrefix,
  type TestDatabase,
  pollUntil,
} from '@frictionwatch/testing';
import { verifySystem, type VerifyReport } from '@frictionwatch/verify';
import { readModelsSettled, startApiApp } from '../support/api-app';
import { finished, runTs } from '../support/processes';

/**
 * `verify` against a real system: the api and worker in-process (projections, reactors, classify and
 * mail queues), Postgres, Redis and an SMTP server. A healthy system passes every check, also while a
 * writer keeps appending; then one violation at a time makes exactly its check fail, with a detail
 * that names the offender, and passes again once repaired.
 */
describe('verify', () => {
  let database: TestDatabase;
  let app: INestApplication | null = null;
  let store: PostgresEventStore;
  let engine: ProjectionEngine;
  let jobs: JobQueue;
  let redis: ReturnType<typeof createRedisConnection>;
  let solarSubscription: { subscriptionId: string };
  const queue = testQueuePrefix();
  const sink = new SmtpSink();
  const classifier = new ItemClassifier();
  const versions = {
    classifierVersion: classifier.classifierVersion,
    taxonomyVersion: classifier.taxonomyVersion,
  };
  const source = { feedId: 'fr-ita', name: 'Federal Register', jurisdictionHint: 'US' };
  let counter = 0;

  const item = (title: string): IngestibleItem => {
    counter += 1;
    return {
      key: `k${counter}`,
      guid: null,
      url: `https://www.federalregister.gov/d/2026-${10000 + counter}`,
      title: `${title} (${counter})`,
      summary: 'Preliminary determination in the less-than-fair-value investigation.',
      publishedAt: '2026-11-30T12:00:00.000Z',
      dateSource: 'feed',
      categories: [],
      extra: {},
      contentHash: `verify-${counter}`,
    };
  };
  const solar = () => item('Commerce imposes anti-dumping duties on solar cells from China');

  const ingest = async (...items: IngestibleItem[]) => {
    await new ItemIngestor(store, new ItemRepository(database.pool)).ingest(source, items, {});
    return items.map((i) => itemIdFor(source.feedId, i));
  };
  const verify = () => verifySystem({ pool: database.pool, db: database.db, engine, jobs, versions });
  const failing = (report: VerifyReport) => report.checks.filter((c) => !c.ok).map((c) => c.name);
  const check = (report: VerifyReport, name: string) => {
    const found = report.checks.find((c) => c.name === name);
    if (!found) throw new Error(`no check ${name}`);
    return found;
  };

  const until = (probe: () => Promise<boolean>, timeoutMs = 30000) =>
    pollUntil(probe, { timeoutMs, intervalMs: 50 });
  const count = async (sql: string) => (await database.pool.query<{ n: number }>(sql)).rows[0].n;
  /** Every item classified, every alert delivered, every projection at the head of the log. */
  async function settled(): Promise<void> {
    await until(
      async () =>
        (await count("SELECT count(*)::int AS n FROM event_streams WHERE stream_type = 'item'")) ===
        (await count(
          "SELECT count(DISTINCT stream_id)::int AS n FROM events WHERE event_type = 'ItemClassified'",
        )),
    );
    await readModelsSettled(database.pool, engine.names());
    await until(
      async () =>
        (await count("SELECT count(*)::int AS n FROM events WHERE event_type = 'AlertRaised'")) ===
        (await count("SELECT count(*)::int AS n FROM events WHERE event_type = 'AlertDelivered'")),
    );
  }

  /**
   * Runs a stopped reactor's batches by hand, as a worker would, until it has applied every event in
   * the log (catchUpToHead waits out an open transaction elsewhere on the server).
   */
  async function runReactor(name: string): Promise<void> {
    await engine.catchUpToHead(name, (await engine.repository.activeGeneration(name)) ?? 1);
  }

  beforeAll(async () => {
    await sink.start();
    database = await createTestDatabase();
    store = new PostgresEventStore(database.pool, registerEventTypes(new EventRegistry()));
    redis = createRedisConnection(TEST_REDIS_URL, 'verify-test');
    jobs = new JobQueue(redis, queue.prefix);
    engine = new ProjectionEngine(
      database.db,
      store,
      allProjections({ jobs, store, config: { ALERTS_IMMEDIATE_PER_HOUR: 100000 } }),
      { batchSize: 50 },
    );
    ({ app } = await startApiApp(
      {
        DATABASE_URL: database.url,
        QUEUE_PREFIX: queue.prefix,
        SMTP_URL: sink.url,
        MAIL_FROM: 'frictionwatch <alerts@frictionwatch.test>',
        WORKER_QUEUES: 'classify,email',
        ALERTS_IMMEDIATE_PER_HOUR: '100000',
        RATE_LIMIT_PER_MINUTE: '0',
        RATE_LIMIT_ADMIN_PER_MINUTE: '0',
      },
      { queueConsumers: true },
    ));
    solarSubscription = await app.get(SubscriptionCommands).create(
      SubscriptionSpecSchema.parse({
        recipient: 'solar-team@example.org',
        name: 'Solar',
        filters: { sectors: ['solar_pv'] },
      }),
    );
    await ingest(solar(), solar(), item('Commerce announces export controls on semiconductors'));
    await settled();
  });

  afterAll(async () => {
    await app?.close();
    await jobs?.close();
    redis?.disconnect();
    await sink.stop();
    await queue.cleanup();
    await database?.drop();
  });

  it('passes every check on a healthy system, through the command line too (exit 0, one JSON object)', async () => {
    const report = await verify();
    expect(failing(report)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual([
      'event-log',
      'classifications',
      'projections',
      'alert-deliveries',
      'failed-jobs',
    ]);
    expect(check(report, 'classifications').detail).toMatch(/^3 items;/);
    expect(check(report, 'alert-deliveries').detail).toMatch(/^2 alerts raised;/);
    expect(check(report, 'projections').detail).toMatch(
      /reactors skipped \(never rebuilt\): .*alert_matcher/,
    );
    expect(check(report, 'projections').detail).toContain('items (');

    const cli = await finished(
      runTs('apps/cli/src/main.ts', ['verify', '--json'], {
        DATABASE_URL: database.url,
        QUEUE_PREFIX: queue.prefix,
        REDIS_URL: TEST_REDIS_URL,
      }),
    );
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const lines = cli.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const printed = JSON.parse(lines[0]) as VerifyReport;
    expect(printed.ok).toBe(true);
    expect(printed.checks.map((c) => Object.keys(c).sort())).toEqual(
      Array(5).fill(['detail', 'name', 'ok', 'violations']),
    );
  });

  it('reports no false mismatch while a writer keeps appending and the worker keeps projecting', async () => {
    let writing = true;
    let batches = 0;
    const writer = (async () => {
      for (; batches < 60 && writing; batches += 1) {
        await ingest(solar(), item('Commission opens anti-subsidy probe into batteries'));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const reports: VerifyReport[] = [];
    const writtenDuring: number[] = [];
    try {
      for (let run = 0; run < 2; run += 1) {
        const before = batches;
        reports.push(await verify());
        writtenDuring.push(batches - before);
      }
    } finally {
      writing = false;
      await writer;
    }
    for (const report of reports) expect(failing(report)).toEqual([]);
    // The writer appended during the first check at least: it compared projections that kept moving.
    expect(writtenDuring[0]).toBeGreaterThan(0);
    await settled();
  }, 180000);

  it('records a JobFailed for a job the worker gives up on, so the failed set stays accounted for', async () => {
    await jobs.enqueue([
      { name: 'send-alert', jobId: 'mail.alrt_gone', data: { alertId: 'alrt_gone', correlationId: 'test' } },
    ]);
    await until(async () => (await jobs.queue('email').getFailedCount()) === 1);
    const { rows } = await database.pool.query<{ data: Record<string, unknown> }>(
      "SELECT data FROM events WHERE event_type = 'JobFailed'",
    );
    expect(rows.map((r) => r.data)).toEqual([
      {
        queue: 'email',
        jobName: 'send-alert',
        jobId: 'mail.alrt_gone',
        attempts: 1,
        error: 'No alert alrt_gone',
        data: { alertId: 'alrt_gone', correlationId: 'test' },
      },
    ]);
    const report = await verify();
    expect(failing(report)).toEqual([]);
    expect(check(report, 'failed-jobs').detail).toBe('1 failed job(s), each with its JobFailed event');
  });

  it('fails only the classification check for an item with no classification and no job', async () => {
    await app?.close(); // from here on nothing runs by itself: the test plays the workers' parts
    app = null;
    const [itemId] = await ingest(item('Commerce initiates anti-dumping investigation of wire'));
    // Its event is not reached by the trigger yet: pending, not a violation.
    expect(failing(await verify())).toEqual([]);
    await runReactor('classification_trigger');
    expect(failing(await verify())).toEqual([]); // its job waits in the queue
    const waiting = await jobs.queue('classify').getJobs(['waiting']);
    expect(waiting).toHaveLength(1);
    await waiting[0].remove(); // lost

    const report = await verify();
    expect(failing(report)).toEqual(['classifications']);
    expect(check(report, 'classifications').violations).toBe(1);
    expect(check(report, 'classifications').detail).toContain(itemId);

    await new ItemClassificationService(store, new ItemRepository(database.pool), classifier).classify(
      [itemId],
      {},
    );
    expect(failing(await verify())).toEqual([]);
  });

  it('fails only the projection check when a live read-model row is tampered with, naming the table', async () => {
    const schema = await engine.activeSchema('items');
    const { rowCount } = await database.pool.query(
      `UPDATE "${schema}".items SET title = 'tampered' WHERE item_id = (SELECT min(item_id) FROM "${schema}".items)`,
    );
    expect(rowCount).toBe(1);
    const report = await verify();
    expect(failing(report)).toEqual(['projections']);
    expect(check(report, 'projections').violations).toBe(1);
    expect(check(report, 'projections').detail).toMatch(
      /^1 table\(s\) differ from a rebuild from zero: items\.items \(/,
    );
    // The scratch schemas are gone.
    const { rows } = await database.pool.query(
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'verify\\_%'",
    );
    expect(rows).toEqual([]);

    await engine.rebuild('items');
    expect(failing(await verify())).toEqual([]);
  });

  it('fails only the alert check for an alert with no delivery, no failure and no send job', async () => {
    await ingest(solar());
    for (const name of ['classification_trigger']) await runReactor(name);
    const classifyJobs = await jobs.queue('classify').getJobs(['waiting']);
    const items = classifyJobs.flatMap((job) =>
      (job.data as { items: { itemId: string }[] }).items.map((i) => i.itemId),
    );
    await new ItemClassificationService(store, new ItemRepository(database.pool), classifier).classify(
      items,
      {},
    );
    for (const job of classifyJobs) await job.remove();
    for (const name of ['alert_matcher', 'alert_dispatch']) await runReactor(name);
    for (const name of engine.names().filter((n) => !engine.projection(n).reactor)) await runReactor(name);
    expect(failing(await verify())).toEqual([]); // its send job waits
    const mails = await jobs.queue('email').getJobs(['waiting']);
    expect(mails.map((m) => m.name)).toEqual(['send-alert']);
    const alertId = (mails[0].data as { alertId: string }).alertId;
    await mails[0].remove();

    const report = await verify();
    expect(failing(report)).toEqual(['alert-deliveries']);
    expect(check(report, 'alert-deliveries').violations).toBe(1);
    expect(check(report, 'alert-deliveries').detail).toContain(`${alertId} (no send job, dispatched)`);

    await store.append(`alert-${alertId}`, [
      {
        type: 'AlertDeliveryFailed',
        data: { alertId, permanent: true, attempt: 1, reply: 'given up by hand', responseCode: null },
      },
    ]);
    expect(failing(await verify())).toEqual([]);
  });

  it("closes a cancelled subscription's waiting alerts with a permanent failure; until then verify says so", async () => {
    const commands = new SubscriptionCommands(store, { doubleOptIn: false });
    const daily = await commands.create(
      SubscriptionSpecSchema.parse({
        recipient: 'digest-team@example.org',
        name: 'Solar daily',
        filters: { sectors: ['solar_pv'] },
        delivery: 'daily',
      }),
    );
    await ingest(solar());
    await runReactor('classification_trigger');
    const classifyJobs = await jobs.queue('classify').getJobs(['waiting']);
    await new ItemClassificationService(store, new ItemRepository(database.pool), classifier).classify(
      classifyJobs.flatMap((job) => (job.data as { items: { itemId: string }[] }).items.map((i) => i.itemId)),
      {},
    );
    for (const job of classifyJobs) await job.remove();
    await runReactor('alert_matcher');
    await runReactor('alert_dispatch');
    const before = await verify();
    expect(failing(before)).toEqual([]);
    expect(check(before, 'alert-deliveries').detail).toMatch(
      /pending: 1 with send jobs, 0 not reached .* 1 waiting for a due digest/,
    );

    await commands.cancel(daily.subscriptionId, 'deleted');
    await commands.cancel(solarSubscription.subscriptionId, 'deleted');
    // The dispatcher has not seen the cancellations yet: the digest alert waits for a digest that will not come.
    const stuck = await verify();
    expect(failing(stuck)).toEqual(['alert-deliveries']);
    expect(check(stuck, 'alert-deliveries').detail).toContain(
      `(waits for a digest of cancelled ${daily.subscriptionId})`,
    );

    await runReactor('alert_dispatch');
    const { rows } = await database.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events WHERE event_type = 'AlertDeliveryFailed'
       AND data->>'reply' = 'not sent: the subscription was cancelled before delivery'`,
    );
    expect(rows[0].n).toBe(2); // the digest alert, and the immediate one whose mail job still waits
    expect(failing(await verify())).toEqual([]);
    for (const job of await jobs.queue('email').getJobs(['waiting'])) await job.remove();
  });

  it('fails only the failed-jobs check for a job in a failed set with no failure event', async () => {
    // A consumer that fails jobs without recording them (not ours: ours append JobFailed).
    const connection = createRedisConnection(TEST_REDIS_URL, 'verify-test-bare-worker');
    const bare = new Worker(
      'email',
      async () => {
        throw new UnrecoverableError('SMTP credentials rejected');
      },
      { connection, prefix: queue.prefix },
    );
    try {
      await jobs.enqueue([
        {
          name: 'send-confirmation',
          jobId: 'confirm.lost',
          data: { subscriptionId: 'sub_lost0000', correlationId: 'test' },
        },
      ]);
      await until(async () => (await jobs.queue('email').getFailedCount()) === 2);
    } finally {
      await bare.close();
      connection.disconnect();
    }
    const report = await verify();
    expect(failing(report)).toEqual(['failed-jobs']);
    expect(check(report, 'failed-jobs').detail).toBe(
      '1 of 2 failed job(s) have no JobFailed event: email/send-confirmation confirm.lost: SMTP credentials rejected',
    );

    await store.append(jobStreamId('email', 'confirm.lost'), [
      {
        type: 'JobFailed',
        data: {
          queue: 'email',
          jobName: 'send-confirmation',
          jobId: 'confirm.lost',
          attempts: 1,
          error: 'SMTP credentials rejected',
          data: {},
        },
      },
    ]);
    expect(failing(await verify())).toEqual([]);
  });

  it('fails only the event-log check for a duplicate stream version (with the constraint dropped)', async () => {
    // The unique constraint makes this impossible; a restore without constraints or a hand-made
    // insert is how it would happen.
    await database.pool.query('ALTER TABLE events DROP CONSTRAINT events_stream_version_key');
    const { rows } = await database.pool.query<{ stream_id: string; stream_version: string }>(
      `INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata)
       SELECT stream_id, stream_version, gen_random_uuid(), event_type, schema_version, data, metadata
       FROM events WHERE event_type = 'ItemIngested' ORDER BY global_position LIMIT 1
       RETURNING stream_id, stream_version::text`,
    );
    try {
      const report = await verify();
      expect(failing(report)).toEqual(['event-log']);
      expect(check(report, 'event-log').detail).toContain(
        `1 duplicate stream versions: ${rows[0].stream_id} v${rows[0].stream_version} (2 events)`,
      );
      // The command line says so too, with exit code 1.
      const cli = await finished(
        runTs('apps/cli/src/main.ts', ['verify'], {
          DATABASE_URL: database.url,
          QUEUE_PREFIX: queue.prefix,
          REDIS_URL: TEST_REDIS_URL,
        }),
      );
      expect(cli.code).toBe(1);
      expect(cli.stdout).toMatch(/^verify: 1 of 5 checks FAILED\n/);
      expect(cli.stdout).toMatch(/\nFAIL {2}event-log \(\d+ violation\(s\)\): /);
    } finally {
      await database.pool.query(
        `DELETE FROM events WHERE global_position = (SELECT max(global_position) FROM events)`,
      );
      await database.pool.query(
        'ALTER TABLE events ADD CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version)',
      );
    }
    expect(failing(await verify())).toEqual([]);
  });

  it('exits 2 on a usage error and when Redis cannot be reached', async () => {
    const env = { DATABASE_URL: database.url, QUEUE_PREFIX: queue.prefix };
    const usage = await finished(runTs('apps/cli/src/main.ts', ['verify', '--jsn'], env));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unknown option '--jsn'");
    const down = await finished(
      runTs('apps/cli/src/main.ts', ['verify', '--json'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' }),
    );
    expect(down.code).toBe(2);
    expect(down.stdout).toBe('');
    expect(down.stderr).toContain('verify could not run: Redis is unreachable');
  });
});
