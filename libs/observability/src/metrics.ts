import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Something read at scrape time (queue depths, projection lag): it fills its gauges. */
export type ScrapeCollector = () => Promise<void>;

/**
 * Every metric frictionwatch exports, in one registry per process (a registry per instance, so two
 * apps in one test process do not collide). Names follow Prometheus conventions: `_total` counters,
 * `_seconds` durations. The README lists each with its meaning.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly collectors: { name: string; collect: ScrapeCollector }[] = [];
  private readonly expositions: { name: string; expose: () => Promise<string> }[] = [];

  readonly httpRequestDuration = new Histogram({
    name: 'fw_http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status, and how long they took',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly jobsCompleted = new Counter({
    name: 'fw_jobs_completed_total',
    help: 'Queue jobs that completed, per queue and job name',
    labelNames: ['queue', 'job'] as const,
    registers: [this.registry],
  });
  readonly jobsFailed = new Counter({
    name: 'fw_jobs_failed_total',
    help: 'Queue job attempts that failed (each retry counts), per queue and job name',
    labelNames: ['queue', 'job'] as const,
    registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: 'fw_job_duration_seconds',
    help: 'How long a job attempt ran in this worker, per queue, job name and outcome',
    labelNames: ['queue', 'job', 'outcome'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly queueJobs = new Gauge({
    name: 'fw_queue_jobs',
    help: 'Jobs in each queue by state (waiting, active, delayed, failed), read at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });
  readonly feedFetches = new Counter({
    name: 'fw_feed_fetches_total',
    help: 'Feed fetches per feed and outcome (fetched, not_modified, failed, skipped)',
    labelNames: ['feed', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly eventsAppended = new Counter({
    name: 'fw_events_appended_total',
    help: 'Events this process appended to the event store, per event type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly projectionLagPositions = new Gauge({
    name: 'fw_projection_lag_positions',
    help: 'Global positions between the head of the log and the live generation checkpoint, per projection',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly projectionLagSeconds = new Gauge({
    name: 'fw_projection_lag_seconds',
    help: 'Age of the oldest event the live generation has not applied yet (0 when caught up), per projection',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly mailsSent = new Counter({
    name: 'fw_mails_sent_total',
    help: 'Mails the SMTP server accepted',
    registers: [this.registry],
  });
  readonly mailsFailed = new Counter({
    name: 'fw_mails_failed_total',
    help: 'Mails the SMTP server refused or could not take, by kind (permanent: 5xx; temporary: 4xx or no connection)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly scrapeErrors = new Counter({
    name: 'fw_metrics_collector_errors_total',
    help: 'Scrape-time collectors (queue depths, projection lag) that failed or timed out',
    labelNames: ['collector'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    // Node's own: CPU, memory, heap, event-loop lag, GC, handles (prefix process_ and nodejs_).
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Adds a collector run before each scrape; one that fails or takes over 2 s leaves its gauges as they were. */
  collectOnScrape(name: string, collect: ScrapeCollector): void {
    this.collectors.push({ name, collect });
  }

  /**
   * Adds exposition text produced elsewhere (BullMQ's own exporter), appended to each scrape; one that
   * fails or takes over 2 s is left out of that scrape and counted in fw_metrics_collector_errors_total.
   */
  exposeOnScrape(name: string, expose: () => Promise<string>): void {
    this.expositions.push({ name, expose });
  }

  /** The exposition text of every metric, after the collectors ran. */
  async scrape(): Promise<string> {
    await Promise.all(this.collectors.map(({ name, collect }) => this.bounded(name, collect)));
    const extra = await Promise.all(
      this.expositions.map(({ name, expose }) => this.bounded(name, expose).then((text) => text ?? '')),
    );
    return mergeExpositions([await this.registry.metrics(), ...extra]);
  }

  private async bounded<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), 2000);
        }),
      ]);
    } catch {
      this.scrapeErrors.inc({ collector: name });
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * Joins exposition texts into one: a metric family's `# HELP` and `# TYPE` lines once, its samples
 * together (BullMQ's exporter writes them again for every queue, which a scraper refuses).
 */
export function mergeExpositions(texts: string[]): string {
  const families = new Map<string, { head: string[]; samples: string[] }>();
  const familyOf = (name: string) => {
    let family = families.get(name);
    if (!family) families.set(name, (family = { head: [], samples: [] }));
    return family;
  };
  for (const text of texts) {
    let current: string | null = null;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const comment = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (comment) {
        current = comment[2];
        const family = familyOf(current);
        if (!family.head.some((known) => known.startsWith(`# ${comment[1]} `))) family.head.push(line);
        continue;
      }
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? '';
      // Histogram and summary samples (_bucket, _sum, _count) belong to the family declared above them.
      familyOf(current && name.startsWith(current) ? current : name).samples.push(line);
    }
  }
  return [...families.values()].map((f) => [...f.head, ...f.samples].join('\n')).join('\n') + '\n';
}
