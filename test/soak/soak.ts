// The soak: the apps as separate processes against their own Postgres cluster, redis-server, SMTP server
// and feed server, under load and faults; then a drain, `verify --json`, and a tally of what was
// published against what was ingested and mailed. Everything it starts, it stops.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { SmtpSink } from '@frictionwatch/testing';
import { AppProcess, runCli } from './app-processes';
import { DashboardPoller, readiness, type PollCounts } from './dashboard-poller';
import { FeedPublisher, JSON_MAPPING, type FeedFormat } from './feed-publisher';
import { planFaults, type FaultKind, type PlannedFault } from './faults';
import { PostgresCluster, RedisServer, sleep } from './local-services';
import { Random } from './seeded-random';
import { tally, type Tally } from './tally';

export interface SoakOptions {
  minutes: number;
  seed: number;
  feeds: number;
  drainTimeoutSeconds: number;
  /** Keep the apps' logs here (default: a temp dir removed at the end). */
  logDir?: string;
  log: (line: string) => void;
}

export interface SoakResult extends Tally {
  bench: 'soak';
  minutes: number;
  seed: number;
  faults: Record<`${FaultKind}s`, number>;
  verify: 'ok' | 'failed';
  drained: boolean;
  crashes: number;
  /** What a dashboard polling the api saw meanwhile (503: a dependency was down). */
  api: PollCounts;
}

const QUEUE_PREFIX = 'soak';
const DATABASE = 'frictionwatch';

/** Feed formats: mostly good feeds of every kind, two always broken. */
function feedFormats(count: number): FeedFormat[] {
  const good: FeedFormat[] = ['rss', 'atom', 'json'];
  return Array.from({ length: count }, (_, n) =>
    n === count - 1 ? 'http500' : n === count - 2 ? 'garbage' : good[n % good.length],
  );
}

class Resources {
  private readonly closers: { name: string; close: () => Promise<unknown>; closeSync?: () => void }[] = [];

  /** `closeSync`: what still can be done when the process must exit now (a second Ctrl-C). */
  add(name: string, close: () => Promise<unknown>, closeSync?: () => void): void {
    this.closers.push({ name, close, closeSync });
  }

  closeAllSync(): void {
    while (this.closers.length) {
      const { closeSync } = this.closers.pop()!;
      try {
        closeSync?.();
      } catch {
        // best effort: the process exits next
      }
    }
  }

  async closeAll(log: (line: string) => void): Promise<void> {
    while (this.closers.length) {
      const { name, close } = this.closers.pop()!;
      await close().catch((error: unknown) => log(`cleanup of ${name} failed: ${String(error)}`));
    }
  }
}

export class Soak {
  private readonly resources = new Resources();
  private aborted = false;

  constructor(private readonly options: SoakOptions) {}

  /** Ctrl-C: stop waiting; run() then cleans up. */
  abort(): void {
    this.aborted = true;
  }

  /** A second Ctrl-C: kill what the soak started and remove its temp dirs, synchronously. */
  abortNow(): void {
    this.resources.closeAllSync();
  }

  async run(): Promise<SoakResult> {
    try {
      return await this.runInside();
    } finally {
      await this.resources.closeAll(this.options.log);
    }
  }

  private async runInside(): Promise<SoakResult> {
    const { log, minutes, seed } = this.options;
    const durationMs = Math.round(minutes * 60000);
    log(`soak: ${minutes} min, seed ${seed}`);
    const logDir = this.options.logDir ?? mkdtempSync(join(tmpdir(), 'fw-soak-logs-'));
    if (!this.options.logDir) {
      const removeLogs = () => rmSync(logDir, { recursive: true, force: true });
      this.resources.add('log dir', async () => removeLogs(), removeLogs);
    }

    const postgres = await PostgresCluster.create();
    this.resources.add(
      'postgres',
      () => postgres.destroy(),
      () => postgres.destroySync(),
    );
    const redis = await RedisServer.create();
    this.resources.add(
      'redis',
      () => redis.destroy(),
      () => redis.destroySync(),
    );
    // Stopped, it drops its connections at once, as a server going down does.
    const smtp = await new SmtpSink({ closeTimeoutMs: 200 }).start();
    this.resources.add('smtp', () => smtp.stop());
    const publisher = await new FeedPublisher(
      feedFormats(this.options.feeds),
      new Random(seed ^ 0x5eed),
    ).start();
    this.resources.add('feed server', () => publisher.stop());
    log(`postgres :${postgres.port}, redis :${redis.port}, smtp :${smtp.port}, feeds :${publisher.port}`);
    log(
      `postgres temp dir ${postgres.dir}, redis temp dir ${redis.dir}${this.options.logDir ? '' : `, logs temp dir ${logDir}`}`,
    );

    const env: NodeJS.ProcessEnv = {
      NODE_ENV: 'test',
      DATABASE_URL: postgres.url(DATABASE),
      REDIS_URL: redis.url,
      QUEUE_PREFIX,
      SMTP_URL: smtp.url,
      FETCH_ALLOW_PRIVATE_NETWORKS: 'true',
      FETCH_TIMEOUT_MS: '10000',
      SCHEDULER_TICK_SECONDS: '2',
      WORKER_LOCK_MS: '6000',
      WORKER_SHUTDOWN_TIMEOUT_MS: '5000',
      PROJECTION_POLL_INTERVAL_MS: '500',
      // The per-key limit stays on (its Redis store is part of what is soaked); the admin budget would
      // refuse the drain's feed nudges.
      RATE_LIMIT_ADMIN_PER_MINUTE: '0',
      ALERTS_IMMEDIATE_PER_HOUR: '100000',
      MAIL_RATE_PER_SECOND: '50',
      SEED_ON_START: 'false',
      DATABASE_POOL_MAX: '8',
      LOG_LEVEL: 'info',
    };

    this.stopIfAborted();
    const migrated = await runCli(['migrate'], env);
    if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
    const keyOutput = await runCli(['keys', 'create', '--scope', 'admin', '--name', 'soak'], env);
    if (keyOutput.code !== 0) throw new Error(`keys create failed: ${keyOutput.stderr}`);
    const adminKey = keyOutput.stdout.trim().split('\n').pop()!.trim();
    const readOutput = await runCli(['keys', 'create', '--scope', 'read', '--name', 'soak-dashboard'], env);
    if (readOutput.code !== 0) throw new Error(`keys create failed: ${readOutput.stderr}`);
    const readKey = readOutput.stdout.trim().split('\n').pop()!.trim();

    const api = await AppProcess.create('api', 'api', env, logDir);
    const workers = [
      await AppProcess.create('worker-1', 'worker', env, logDir),
      await AppProcess.create('worker-2', 'worker', env, logDir),
    ];
    const scheduler = await AppProcess.create('scheduler', 'scheduler', env, logDir);
    const apps = [api, ...workers, scheduler];
    for (const app of apps)
      this.resources.add(
        app.name,
        () => app.close(),
        () => app.killSync(),
      );
    this.stopIfAborted();
    await api.start();
    const admin = new AdminClient(`http://127.0.0.1:${api.port}`, adminKey);
    for (const feed of publisher.list())
      await admin.post('/v1/feeds', {
        feedId: feed.feedId,
        name: `Soak feed ${feed.feedId} (${feed.format})`,
        url: feed.url,
        kind: feed.kind,
        ...(feed.kind === 'json' ? { json: JSON_MAPPING } : {}),
        intervalMinutes: 1,
      });
    for (const subscription of SUBSCRIPTIONS) await admin.post('/v1/subscriptions', subscription);
    this.stopIfAborted();
    await Promise.all([...workers, scheduler].map((app) => app.start()));
    this.stopIfAborted();
    log(`apps running: ${apps.map((a) => `${a.name} pid ${a.pid} :${a.port}`).join(', ')}`);

    // Apps that die on their own are restarted, as an orchestrator would, and counted as crashes.
    const supervisor = setInterval(() => {
      for (const app of apps)
        if (app.crashed && !this.aborted) {
          log(`crash: ${app.unexpectedExits[app.unexpectedExits.length - 1]}; restarting`);
          app.crashed = false;
          app.start().catch((error: unknown) => log(`restart of ${app.name} failed: ${String(error)}`));
        }
    }, 1000);
    this.resources.add('supervisor', async () => clearInterval(supervisor));

    // Load and faults.
    const started = Date.now();
    publisher.startPublishing(15);
    const dashboard = new DashboardPoller(`http://127.0.0.1:${api.port}`, readKey);
    dashboard.start(1000);
    this.resources.add('dashboard', async () => dashboard.stop());
    const faultRandom = new Random(seed);
    const plan = planFaults(
      faultRandom,
      { startMs: 5000, endMs: Math.max(durationMs - 15000, 30000) },
      40000,
      8000,
    );
    log(`fault plan: ${plan.map((f) => `${Math.round(f.atMs / 1000)}s ${f.kind}`).join(', ')}`);
    const faults = { workerKills: 0, redisRestarts: 0, postgresRestarts: 0, smtpOutages: 0, feedFaults: 0 };
    const outages: Promise<void>[] = [];
    const injector = new FaultInjector({ workers, redis, postgres, smtp, publisher, log, outages });
    for (const fault of plan) {
      const wait = started + fault.atMs - Date.now();
      if (wait > 0) await this.sleepUnlessAborted(wait);
      if (this.aborted) throw new Error('aborted');
      await injector.inject(fault);
      faults[`${fault.kind}s` as keyof typeof faults] += 1;
    }
    const left = started + durationMs - Date.now();
    if (left > 0) await this.sleepUnlessAborted(left);
    publisher.stopPublishing();
    await Promise.all(outages);
    if (this.aborted) throw new Error('aborted');
    log(`published ${publisher.published.size} items; draining`);

    const pool = new Pool({ connectionString: postgres.url(DATABASE), max: 2 });
    pool.on('error', () => undefined);
    this.resources.add('soak pool', () => pool.end());
    const queueConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
    queueConnection.on('error', () => undefined);
    this.resources.add('soak redis', async () => queueConnection.disconnect());
    const drained = await this.drain(pool, queueConnection, publisher, admin, apps);
    dashboard.stop();

    const verified = await runCli(['verify', '--json'], env);
    const verify = verdict(verified);
    if (verify !== 'ok')
      log(`verify ${verify}: ${verified.stdout.slice(-4000)}${verified.stderr.slice(-2000)}`);

    const counts = await tally(pool, publisher, smtp);
    clearInterval(supervisor);
    const crashes = apps.reduce((sum, app) => sum + app.unexpectedExits.length, 0);
    for (const app of apps) for (const exit of app.unexpectedExits) log(`unexpected exit: ${exit}`);
    return {
      bench: 'soak',
      minutes,
      ...counts,
      faults,
      verify,
      seed,
      drained,
      crashes,
      api: dashboard.counts,
    };
  }

  private stopIfAborted(): void {
    if (this.aborted) throw new Error('aborted');
  }

  private async sleepUnlessAborted(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.aborted && Date.now() < until) await sleep(Math.min(250, until - Date.now()));
  }

  /**
   * Waits until every published item is ingested and classified, every immediate alert is delivered
   * or failed for good, and the queues are empty, or the drain timeout. Feeds are polled once a minute
   * and a failed feed backs off, so feeds still missing items are paused and resumed (an operator's
   * "fetch now": FeedResumed makes a feed due at once) every 20 s.
   */
  private async drain(
    pool: Pool,
    redis: Redis,
    publisher: FeedPublisher,
    admin: AdminClient,
    apps: AppProcess[],
  ): Promise<boolean> {
    const { log } = this.options;
    const deadline = Date.now() + this.options.drainTimeoutSeconds * 1000;
    const queues = ['fetch', 'classify', 'email'].map(
      (name) => new Queue(name, { connection: redis, prefix: QUEUE_PREFIX }),
    );
    let nudged = 0;
    let last = '';
    try {
      while (!this.aborted) {
        const state = await drainState(pool, queues, publisher, apps).catch((error: unknown) => ({
          done: false,
          missingFeeds: [] as string[],
          summary: `state unavailable: ${String(error)}`,
        }));
        if (state.summary !== last) log(`drain: ${state.summary}`);
        last = state.summary;
        if (state.done) return true;
        if (Date.now() > deadline) {
          log('drain timed out');
          return false;
        }
        if (Date.now() - nudged > 20000 && state.missingFeeds.length) {
          nudged = Date.now();
          for (const feedId of state.missingFeeds) {
            await admin.patch(`/v1/feeds/${feedId}`, { status: 'paused' }).catch(() => undefined);
            await admin.patch(`/v1/feeds/${feedId}`, { status: 'active' }).catch(() => undefined);
          }
        }
        await sleep(1000);
      }
      return false;
    } finally {
      await Promise.all(queues.map((queue) => queue.close().catch(() => undefined)));
    }
  }
}

async function drainState(
  pool: Pool,
  queues: Queue[],
  publisher: FeedPublisher,
  apps: AppProcess[],
): Promise<{ done: boolean; missingFeeds: string[]; summary: string }> {
  const { rows: ingested } = await pool.query<{ url: string }>(
    "SELECT DISTINCT data->>'url' AS url FROM events WHERE event_type = 'ItemIngested'",
  );
  const seen = new Set(ingested.map((r) => r.url));
  const missing = [...publisher.published.values()].filter((item) => !seen.has(item.url));
  const { rows: unclassified } = await pool.query<{ n: number }>(`
    SELECT count(*)::int AS n FROM events i
    WHERE i.event_type = 'ItemIngested'
      AND NOT EXISTS (SELECT 1 FROM events c WHERE c.stream_id = i.stream_id AND c.event_type = 'ItemClassified')`);
  const { rows: unsettled } = await pool.query<{ n: number }>(`
    SELECT count(*)::int AS n FROM events r
    WHERE r.event_type = 'AlertRaised' AND r.data->>'delivery' = 'immediate'
      AND NOT EXISTS (
        SELECT 1 FROM events s WHERE s.stream_id = r.stream_id
          AND (s.event_type IN ('AlertDelivered', 'AlertDeferred')
               OR (s.event_type = 'AlertDeliveryFailed' AND (s.data->>'permanent')::boolean)))`);
  let queued = 0;
  for (const queue of queues) {
    const counts = await queue.getJobCounts(
      'waiting',
      'active',
      'delayed',
      'prioritized',
      'waiting-children',
    );
    queued += Object.values(counts).reduce((a, b) => a + b, 0);
  }
  // Every app answering HTTP is ready again (the api always; workers and scheduler when they serve).
  const notReady: string[] = [];
  for (const app of apps) {
    const state = await readiness(`http://127.0.0.1:${app.port}`);
    if (state === 'not-ready' || (state === 'not-serving' && app.role === 'api')) notReady.push(app.name);
  }
  const missingFeeds = [...new Set(missing.map((item) => item.feedId))];
  return {
    done:
      missing.length === 0 &&
      unclassified[0].n === 0 &&
      unsettled[0].n === 0 &&
      queued === 0 &&
      notReady.length === 0,
    missingFeeds,
    summary: `${missing.length} items not ingested (${missingFeeds.length} feeds), ${unclassified[0].n} not classified, ${unsettled[0].n} immediate alerts unsettled, ${queued} jobs queued, not ready: ${notReady.join(' ') || 'none'}`,
  };
}

/** `verify --json`'s contract: exit 0 and {"ok": true} when every check passes. */
function verdict(result: { code: number | null; stdout: string; stderr: string }): SoakResult['verify'] {
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line) as { ok?: unknown };
    return result.code === 0 && parsed.ok === true ? 'ok' : 'failed';
  } catch {
    return 'failed';
  }
}

/** Subscriptions of every delivery mode, and one for source health. */
const SUBSCRIPTIONS = [
  {
    name: 'Anti-dumping and anti-subsidy, at once',
    recipient: 'trade-defence@soak.example.org',
    delivery: 'immediate',
    filters: { frictionTypes: ['anti_dumping', 'anti_subsidy'] },
  },
  {
    name: 'Export controls, at once',
    recipient: 'export-controls@soak.example.org',
    delivery: 'immediate',
    filters: { frictionTypes: ['export_control'] },
  },
  {
    name: 'Solar and batteries, daily',
    recipient: 'energy@soak.example.org',
    delivery: 'daily',
    filters: { sectors: ['solar_pv', 'batteries'] },
    sendHour: 7,
    timeZone: 'Europe/Brussels',
  },
  {
    name: 'Everything, weekly',
    recipient: 'weekly@soak.example.org',
    delivery: 'weekly',
    sendWeekday: 1,
  },
  {
    name: 'Source health',
    kind: 'source-health',
    recipient: 'ops@soak.example.org',
    delivery: 'immediate',
  },
];

class AdminClient {
  constructor(
    private readonly base: string,
    private readonly key: string,
  ) {}

  post(path: string, body: unknown): Promise<unknown> {
    return this.send('POST', path, body);
  }

  patch(path: string, body: unknown): Promise<unknown> {
    return this.send('PATCH', path, body);
  }

  private async send(method: string, path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : null;
  }
}

class FaultInjector {
  constructor(
    private readonly targets: {
      workers: AppProcess[];
      redis: RedisServer;
      postgres: PostgresCluster;
      smtp: SmtpSink;
      publisher: FeedPublisher;
      log: (line: string) => void;
      outages: Promise<void>[];
    },
  ) {}

  async inject(fault: PlannedFault): Promise<void> {
    const { workers, redis, postgres, smtp, publisher, log, outages } = this.targets;
    // The fault's own choices (which worker, which mode, how long), replayable from the seed.
    const random = new Random(Math.floor(fault.choice * 2 ** 32));
    const choice = random.next();
    switch (fault.kind) {
      case 'workerKill': {
        const worker = random.pick(workers);
        log(`fault: kill -9 ${worker.name} (pid ${worker.pid})`);
        await worker.kill();
        await sleep(random.between(500, 3000));
        await worker.start();
        log(`fault: ${worker.name} back (pid ${worker.pid})`);
        return;
      }
      case 'redisRestart': {
        const signal = random.pick(['SIGTERM', 'SIGKILL'] as const);
        const downMs = Math.round(random.between(500, 8000));
        log(`fault: redis restart (${signal}, down ${downMs} ms)`);
        await redis.stop(signal);
        await sleep(downMs);
        await redis.start();
        log('fault: redis back');
        return;
      }
      case 'postgresRestart': {
        const mode = random.pick(['fast', 'immediate', 'down'] as const);
        if (mode === 'down') {
          const downMs = Math.round(random.between(2000, 8000));
          log(`fault: postgres stop -m immediate, down ${downMs} ms`);
          await postgres.stop();
          await sleep(downMs);
          await postgres.start();
        } else {
          log(`fault: postgres restart -m ${mode}`);
          await postgres.restart(mode);
        }
        log('fault: postgres back');
        return;
      }
      case 'smtpOutage': {
        const ms = Math.round(random.between(8000, 20000));
        log(`fault: smtp down for ${ms} ms`);
        await smtp.stop();
        outages.push(
          sleep(ms)
            .then(() => smtp.start())
            .then(() => log('fault: smtp back')),
        );
        return;
      }
      case 'feedFault': {
        const kind = choice < 0.5 ? 'garbage' : 'rate-limited';
        const ms = Math.round(random.between(10000, 30000));
        const feedId = publisher.injectFault(kind, ms);
        log(`fault: ${feedId} answers ${kind} for ${ms} ms`);
        return;
      }
    }
  }
}
