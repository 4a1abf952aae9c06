// `npm run bench -- api [--items N] [--duration S] [--connections C] [--keep] [--reuse DB]`: the REST
// API that dashboards poll, over a million items. Loads the items' events (ItemIngested +
// ItemClassified) through the event store's bulk path, projects them with the projections engine
// (items, activity), then runs the real api process (apps/api, its own process) and autocannon in
// this one against /v1/items, /v1/activity and the 304 revalidation, and a bare node:http server (its
// own process) answering the items response's bytes (and another its 304) as baselines. `--keep` leaves the database for a
// later `--reuse <name>`, which skips loading and projecting.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { registerEventTypes } from '@frictionwatch/platform';
import { ProjectionEngine } from '@frictionwatch/projections';
import { activityProjection, itemsProjection } from '@frictionwatch/read-models';
import {
  createTestDatabase,
  dropDatabase,
  ensureTemplateDatabase,
  testDatabaseUrl,
  testQueuePrefix,
} from '@frictionwatch/testing';
import { corpusTexts, itemAppends } from './support/api-bench-data';
import { freePort } from '../support/free-port';

const ROOT = join(__dirname, '..', '..');
const REGISTER = join(ROOT, 'tools', 'register.js');
const APPEND_ITEMS = 1000; // items (2,000 events) per appendMany
const WRITERS = 2;
const PROJECTIONS = [itemsProjection, activityProjection];

interface Options {
  items: number;
  duration: number;
  connections: number;
  keep: boolean;
  reuse: string | null;
}

function options(args: string[]): Options {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const positional = args[0] && !args[0].startsWith('--') ? args[0] : undefined;
  return {
    items: Number(value('--items') ?? positional ?? process.env.BENCH_ITEMS ?? 1000000),
    duration: Number(value('--duration') ?? process.env.BENCH_DURATION ?? 10),
    connections: Number(value('--connections') ?? 50),
    keep: args.includes('--keep'),
    reuse: value('--reuse') ?? null,
  };
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const round2 = (n: number) => Math.round(n * 100) / 100;

async function load(store: PostgresEventStore, items: number): Promise<void> {
  const texts = corpusTexts();
  const now = Date.now();
  let next = 0;
  let done = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < items) {
        const from = next;
        const to = Math.min(items, from + APPEND_ITEMS);
        next = to;
        await store.appendMany(itemAppends(texts, from, to, now));
        done += to - from;
        if (done % 100000 < APPEND_ITEMS)
          process.stderr.write(`loaded ${done} items (${Math.round(done / seconds(started))}/s)\n`);
      }
    }),
  );
}

async function project(engine: ProjectionEngine): Promise<void> {
  await engine.initialise();
  await Promise.all(
    PROJECTIONS.map(async ({ name }) => {
      const started = process.hrtime.bigint();
      await engine.catchUp(name, 1);
      process.stderr.write(`projected ${name} in ${round2(seconds(started))} s\n`);
    }),
  );
}

/** The api role exactly as `npm run start:api` starts it, on a loopback port of its own. */
async function startApi(
  databaseUrl: string,
  queuePrefix: string,
): Promise<{ base: string; child: ChildProcess }> {
  const port = await freePort();
  const profile = process.env.BENCH_API_CPU_PROF;
  const child = spawn(
    process.execPath,
    [
      ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
      '-r',
      REGISTER,
      join(ROOT, 'apps', 'api', 'src', 'main.ts'),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        QUEUE_PREFIX: queuePrefix,
        HOST: '127.0.0.1',
        PORT: String(port),
        API_PUBLIC_READ: 'true',
        // 50 connections from one address would spend any per-address budget at once: the limiter is off
        // unless BENCH_RATE_LIMIT asks for one (each limited request costs one Redis round trip more).
        RATE_LIMIT_PER_MINUTE: process.env.BENCH_RATE_LIMIT ?? '0',
        // Production refuses the development secret of alert links.
        ALERTS_TOKEN_SECRET: 'bench-only-alert-token-secret',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the api process exited (${child.exitCode})`);
    const live = await fetch(`${base}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (live) return { base, child };
    if (Date.now() > deadline) throw new Error('the api process did not start listening');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function startBareServer(recorded: {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}): Promise<{ base: string; child: ChildProcess }> {
  const file = join(mkdtempSync(join(tmpdir(), 'fw-bench-')), 'response.json');
  writeFileSync(file, JSON.stringify({ ...recorded, body: recorded.body.toString('base64') }));
  const child = spawn(
    process.execPath,
    ['-r', REGISTER, join(__dirname, 'support', 'bare-http-server.ts'), file],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`bare server exited (${code})`)));
  });
  return { base: `http://127.0.0.1:${port}`, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The headers a client sees (minus the per-response ones), to replay from the bare server. */
function replayable(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name))
      out[name] = value;
  });
  return out;
}

interface Run {
  rps: number;
  p99Ms: number;
  requests: number;
}

/** One autocannon run; any answer but `expected` (or any error, timeout) fails the benchmark. */
async function hammer(
  label: string,
  url: string,
  expected: number,
  duration: number,
  connections: number,
  headers: Record<string, string> = {},
): Promise<Run> {
  const result = await autocannon({ url, connections, duration, headers });
  const statuses = Object.entries(result.statusCodeStats ?? {}).filter(([, s]) => (s.count ?? 0) > 0);
  const unexpected = statuses.filter(([code]) => Number(code) !== expected);
  if (result.errors > 0 || result.timeouts > 0 || unexpected.length > 0 || result.requests.total === 0) {
    throw new Error(
      `${label}: ${result.errors} errors, ${result.timeouts} timeouts, statuses ${JSON.stringify(
        Object.fromEntries(statuses.map(([code, s]) => [code, s.count])),
      )} (expected only ${expected})`,
    );
  }
  const run = {
    rps: Math.round(result.requests.total / result.duration),
    p99Ms: result.latency.p99,
    requests: result.requests.total,
  };
  process.stderr.write(`${label}: ${run.rps} requests/s, p99 ${run.p99Ms} ms (${run.requests} requests)\n`);
  return run;
}

/**
 * What autovacuum does after a bulk load (the test server runs with autovacuum off): statistics for
 * the planner, the visibility map for index-only scans. Without statistics on `events`, the generic
 * plan of the projections' log read is costed as if the table were millions of rows larger, gets JIT
 * compiled and run in parallel, and takes seconds a batch instead of a fraction of one.
 */
async function vacuumAnalyse(databaseUrl: string, tables: 'log' | 'read models'): Promise<number> {
  const started = process.hrtime.bigint();
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ schema: string; table: string }>(
      tables === 'log'
        ? `SELECT schemaname AS schema, tablename AS table FROM pg_tables
           WHERE schemaname = 'public' AND tablename IN ('events', 'event_streams')`
        : `SELECT schemaname AS schema, tablename AS table FROM pg_tables
           WHERE schemaname LIKE 'proj\\_items\\_g%' OR schemaname LIKE 'proj\\_activity\\_g%'`,
    );
    for (const { schema, table } of rows) await client.query(`VACUUM (ANALYZE) "${schema}"."${table}"`);
  } finally {
    await client.end();
  }
  const elapsed = seconds(started);
  process.stderr.write(`vacuum analyse ${tables}: ${round2(elapsed)} s\n`);
  return elapsed;
}

export default async function bench(args: string[]): Promise<void> {
  const opts = options(args);
  await ensureTemplateDatabase();
  let loadSeconds: number | null = null;
  let projectSeconds: number | null = null;
  let vacuumSeconds = 0;
  let databaseName: string;
  let items = opts.items;

  if (opts.reuse) {
    databaseName = opts.reuse;
    const client = new Client({ connectionString: testDatabaseUrl(databaseName) });
    await client.connect();
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE event_type = 'ItemIngested'",
    );
    await client.end();
    items = rows[0].n;
  } else {
    const database = await createTestDatabase({ poolMax: WRITERS + 4 });
    databaseName = database.name;
    try {
      const store = new PostgresEventStore(database.pool, registerEventTypes(new EventRegistry()));
      let started = process.hrtime.bigint();
      await load(store, items);
      loadSeconds = seconds(started);
      vacuumSeconds += await vacuumAnalyse(database.url, 'log');
      const engine = new ProjectionEngine(database.db, store, PROJECTIONS, {
        batchSize: Number(process.env.BENCH_PROJECTION_BATCH ?? 2000),
        dropGraceMs: 0,
      });
      started = process.hrtime.bigint();
      await project(engine);
      projectSeconds = seconds(started);
    } catch (error) {
      await database.drop();
      throw error;
    }
    await database.pool.end();
    vacuumSeconds += await vacuumAnalyse(database.url, 'read models');
  }

  const databaseUrl = testDatabaseUrl(databaseName);
  const queue = testQueuePrefix();
  const api = await startApi(databaseUrl, queue.prefix);
  let bare: { base: string; child: ChildProcess } | null = null;
  let bare304: { base: string; child: ChildProcess } | null = null;
  try {
    const day = (offset: number) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
    const itemsUrl = `${api.base}/v1/items?sector=semiconductors&limit=50`;
    const activityUrl = `${api.base}/v1/activity?from=${day(-365)}&to=${day(0)}&interval=week&groupBy=sector`;
    const first = await fetch(itemsUrl);
    const body = Buffer.from(await first.arrayBuffer());
    const etag = first.headers.get('etag');
    const page = JSON.parse(body.toString('utf8')) as { items: { sectors: string[] }[] };
    if (first.status !== 200 || !etag || page.items.length !== Math.min(50, page.items.length))
      throw new Error(`GET /v1/items answered ${first.status} without an ETag or items`);
    if (!page.items.every((item) => item.sectors.includes('semiconductors')))
      throw new Error('GET /v1/items?sector=semiconductors answered items of other sectors');
    const activity = await fetch(activityUrl);
    const series = ((await activity.json()) as { series?: unknown[] }).series;
    if (activity.status !== 200 || !series?.length)
      throw new Error(`GET /v1/activity answered ${activity.status} with ${series?.length ?? 0} rows`);
    const revalidation = { 'if-none-match': etag };
    const check = await fetch(itemsUrl, { headers: revalidation });
    if (check.status !== 304) throw new Error(`If-None-Match answered ${check.status}, not 304`);
    const notModifiedHeaders = replayable(check.headers);

    // Warm-up (JIT, plans, pool connections), not reported.
    const warm = Math.min(3, opts.duration);
    await hammer('warm-up items', itemsUrl, 200, warm, opts.connections);
    await hammer('warm-up activity', activityUrl, 200, warm, opts.connections);

    const itemsRun = await hammer('items', itemsUrl, 200, opts.duration, opts.connections);
    const activityRun = await hammer('activity', activityUrl, 200, opts.duration, opts.connections);
    const revalidateRun = await hammer(
      'revalidate',
      itemsUrl,
      304,
      opts.duration,
      opts.connections,
      revalidation,
    );
    await stop(api.child);

    bare = await startBareServer({ status: 200, headers: replayable(first.headers), body });
    const barePath = `${bare.base}/v1/items?sector=semiconductors&limit=50`;
    await hammer('warm-up baseline', barePath, 200, warm, opts.connections);
    const baselineRun = await hammer('baseline', barePath, 200, opts.duration, opts.connections);
    await stop(bare.child);
    // Revalidation's own baseline: the bare server answering the same 304 (headers, no body).
    bare304 = await startBareServer({ status: 304, headers: notModifiedHeaders, body: Buffer.alloc(0) });
    const bare304Path = `${bare304.base}/v1/items?sector=semiconductors&limit=50`;
    await hammer('warm-up baseline 304', bare304Path, 304, warm, opts.connections);
    const baseline304Run = await hammer('baseline 304', bare304Path, 304, opts.duration, opts.connections);

    console.log(
      JSON.stringify({
        bench: 'api',
        items,
        loadSeconds: loadSeconds === null ? null : round2(loadSeconds),
        projectSeconds: projectSeconds === null ? null : round2(projectSeconds),
        vacuumAnalyseSeconds: opts.reuse ? null : round2(vacuumSeconds),
        itemsRps: itemsRun.rps,
        itemsP99Ms: itemsRun.p99Ms,
        activityRps: activityRun.rps,
        activityP99Ms: activityRun.p99Ms,
        revalidateRps: revalidateRun.rps,
        revalidateP99Ms: revalidateRun.p99Ms,
        baselineRps: baselineRun.rps,
        baselineP99Ms: baselineRun.p99Ms,
        baseline304Rps: baseline304Run.rps,
        // As the issue defines it: against the bare server answering the items page.
        revalidateRatio: round2(revalidateRun.rps / baselineRun.rps),
        // Stricter, each against a bare server answering exactly the same bytes: the page, the 304.
        itemsRatio: round2(itemsRun.rps / baselineRun.rps),
        revalidateVs304Ratio: round2(revalidateRun.rps / baseline304Run.rps),
        itemsResponseBytes: body.length,
      }),
    );
  } finally {
    await stop(api.child);
    if (bare) await stop(bare.child);
    if (bare304) await stop(bare304.child);
    await queue.cleanup();
    if (opts.keep || opts.reuse) process.stderr.write(`database kept: ${databaseName}\n`);
    else await dropDatabase(databaseName);
  }
}
