// `npm run bench -- ingest [feeds]`: items/s from fetch to ItemClassified appended with one worker
// process (this one: its event loop is what is measured), per-item latency fetch → classified, and the
// event loop's p99 delay. A separate process serves N generated feeds of 50 items on loopback.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@frictionwatch/config';
import { FeedRegistry, FeedScheduler } from '@frictionwatch/feeds';
import { createRootModule } from '@frictionwatch/platform';
import { compareCheckpoints, parseCheckpoint, PostgresEventStore } from '@frictionwatch/event-store';
import { followedProjections, ProjectionEngine } from '@frictionwatch/projections';
import { createTestDatabase, ensureTemplateDatabase, testQueuePrefix } from '@frictionwatch/testing';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { HostCpu } from './support/host-cpu';
import { PostgresCpu } from './support/postgres-cpu';
import { readModelsSettled } from '../support/api-app';

const ITEMS_PER_FEED = 50;

const round2 = (n: number) => Math.round(n * 100) / 100;

async function startFeedServer(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(__dirname, '..', '..', 'tools', 'register.js'),
      join(__dirname, 'support', 'generated-feeds-server.ts'),
    ],
    // Its stdin is a pipe from this process: when this process ends, however it ends, the server sees
    // the pipe close and exits (an orphan would keep serving and hold the caller's stderr open).
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`feed server exited (${code})`)));
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

export default async function bench(args: string[]): Promise<void> {
  const feeds = Number(args[0] ?? process.env.BENCH_FEEDS ?? 200);
  await ensureTemplateDatabase();
  const database = await createTestDatabase();
  const queue = testQueuePrefix();
  let server: { port: number; stop: () => void } | undefined;
  let app: INestApplicationContext | undefined;
  try {
    server = await startFeedServer();
    const config = loadConfig({
      ...process.env,
      // The worker as deployed: production mode (no deep-freezing of the projection tail's payloads).
      NODE_ENV: 'production',
      ALERTS_TOKEN_SECRET: 'bench-only-alert-token-secret',
      DATABASE_URL: database.url,
      QUEUE_PREFIX: queue.prefix,
      FETCH_ALLOW_PRIVATE_NETWORKS: 'true',
      WORKER_FETCH_CONCURRENCY: process.env.WORKER_FETCH_CONCURRENCY ?? '8',
      WORKER_CLASSIFY_CONCURRENCY: process.env.WORKER_CLASSIFY_CONCURRENCY ?? '4',
      PROJECTION_POLL_INTERVAL_MS: '100',
      DATABASE_POOL_MAX: '16',
    });
    app = await NestFactory.createApplicationContext(createRootModule(['worker'], [WorkerModule], config), {
      logger: ['error'],
    });
    const registry = new FeedRegistry(app.get(PostgresEventStore));
    for (let n = 0; n < feeds; n += 1) {
      await registry.register({
        feedId: `bench-${n}`,
        name: `Bench feed ${n}`,
        url: `http://127.0.0.1:${server.port}/feeds/${n}.xml`,
        kind: 'rss',
        json: null,
        html: null,
        intervalMinutes: 600,
        jurisdictionHint: null,
        topics: [],
        publisher: null,
      });
    }
    await app.init();
    // The app follows the log already: wait until the feeds read model has applied every feed. (A
    // catchUp of our own would stop at the watermark, which a follower's batch meanwhile can hold back.)
    await readModelsSettled(database.pool, ['feeds'], 60000);

    const postgresCpu = new PostgresCpu(database.pool, database.name);
    await postgresCpu.start();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    // The largest the projections' shared tail grew (it keeps what a projection behind has yet to take).
    const engine = app.get(ProjectionEngine);
    let tailPeakEvents = 0;
    const tailWatch = setInterval(() => {
      tailPeakEvents = Math.max(tailPeakEvents, engine.tail?.window().events ?? 0);
    }, 20).unref();
    const cpuBefore = process.cpuUsage();
    const host = new HostCpu();
    const started = process.hrtime.bigint();
    await app.get(FeedScheduler).tick();
    const expected = feeds * ITEMS_PER_FEED;
    const deadline = Date.now() + 600000;
    let classified = 0;
    let ingested = 0;
    let ingestedAfter: number | null = null;
    // Counts only the events committed since the last poll: those after the last (transaction id,
    // position) seen and below the oldest running transaction, so none is missed or counted twice.
    // (A count(*) over the whole log every 100 ms took about 55 ms of execution each, 5.8 s in a
    // 50k-item run: the bench was loading the database it measures.)
    let after = { transactionId: '0', position: '0' };
    while (classified < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const { rows } = await database.pool.query<{
        c: number;
        i: number;
        tx: string | null;
        pos: string | null;
      }>(
        `WITH watermark AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
         fresh AS (
           SELECT e.transaction_id, e.global_position, e.event_type FROM events e, watermark w
           WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint) AND e.transaction_id < w.xmin
         ),
         last AS (SELECT transaction_id, global_position FROM fresh ORDER BY transaction_id DESC, global_position DESC LIMIT 1)
         SELECT (SELECT count(*) FROM fresh WHERE event_type = 'ItemClassified')::int AS c,
                (SELECT count(*) FROM fresh WHERE event_type = 'ItemIngested')::int AS i,
                (SELECT transaction_id::text FROM last) AS tx, (SELECT global_position::text FROM last) AS pos`,
        [after.transactionId, after.position],
      );
      await postgresCpu.sample();
      classified += rows[0].c;
      ingested += rows[0].i;
      if (rows[0].tx !== null && rows[0].pos !== null)
        after = { transactionId: rows[0].tx, position: rows[0].pos };
      if (ingestedAfter === null && ingested >= expected)
        ingestedAfter = Number(process.hrtime.bigint() - started) / 1e9;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (classified < expected) throw new Error(`only ${classified} of ${expected} items classified in time`);
    // Then every projection this worker follows must reach the end of the log: a read model that falls
    // behind does its work after the items are classified, and that work counts too.
    const store = app.get(PostgresEventStore);
    const followed = followedProjections(config.WORKER_PROJECTIONS) ?? engine.names();
    let readModelsSeconds: number | null = null;
    while (readModelsSeconds === null && Date.now() < deadline) {
      const head = parseCheckpoint((await store.head()).latest);
      const behind = (await engine.repository.checkpoints()).filter(
        (row) =>
          followed.includes(row.name) &&
          compareCheckpoints(parseCheckpoint(`${row.transaction_id}:${row.global_position}`), head) < 0,
      );
      await postgresCpu.sample();
      if (behind.length === 0) readModelsSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (readModelsSeconds === null)
      throw new Error('the read models did not reach the end of the log in time');
    clearInterval(tailWatch);
    const cpu = process.cpuUsage(cpuBefore);
    const hostCpu = host.percentages();
    const workerCpuSeconds = (cpu.user + cpu.system) / 1e6;
    const postgresCpuSeconds = postgresCpu.available() ? (postgresCpu.seconds() ?? 0) : null;
    loop.disable();

    const { rows } = await database.pool.query<{ p50: number; p99: number }>(`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99
      FROM (SELECT extract(epoch FROM c.recorded_at - (i.metadata->>'fetchStartedAt')::timestamptz) * 1000 AS ms
            FROM events i JOIN events c ON c.stream_id = i.stream_id AND c.event_type = 'ItemClassified'
            WHERE i.event_type = 'ItemIngested') t`);
    console.log(
      JSON.stringify({
        bench: 'ingest',
        feeds,
        classifyThreads: config.WORKER_CLASSIFY_THREADS,
        fetchConcurrency: config.WORKER_FETCH_CONCURRENCY,
        classifyConcurrency: config.WORKER_CLASSIFY_CONCURRENCY,
        projections: config.WORKER_PROJECTIONS,
        items: expected,
        seconds: round2(seconds),
        ingestedAfterSeconds: ingestedAfter === null ? null : round2(ingestedAfter),
        itemsPerSec: Math.round(expected / seconds),
        // Until every followed projection had applied the whole log, and items/s over that time.
        readModelsSeconds: round2(readModelsSeconds),
        itemsPerSecWithReadModels: Math.round(expected / readModelsSeconds),
        p50Ms: Math.round(rows[0].p50),
        p99Ms: Math.round(rows[0].p99),
        eventLoopP99Ms: Math.round((loop.percentile(99) / 1e6) * 10) / 10,
        tailPeakEvents,
        // CPU seconds from the first fetch until the read models were done: this worker process (all its
        // threads) and its database backends. Steadier than items/s on a shared machine.
        workerCpuSeconds: round2(workerCpuSeconds),
        postgresCpuSeconds: postgresCpuSeconds === null ? null : round2(postgresCpuSeconds),
        // Per 10,000 items, and the machine's busy and stolen share of the window: figures to compare
        // runs by when items/s moves with the host's load.
        workerCpuSecondsPer10k: round2((workerCpuSeconds / expected) * 1e4),
        postgresCpuSecondsPer10k:
          postgresCpuSeconds === null ? null : round2((postgresCpuSeconds / expected) * 1e4),
        hostBusyPercent: hostCpu?.busyPercent ?? null,
        hostStealPercent: hostCpu?.stealPercent ?? null,
      }),
    );
  } finally {
    await app?.close();
    server?.stop();
    await queue.cleanup();
    await database.drop();
  }
}
