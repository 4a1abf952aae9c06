import { Writable } from 'node:stream';
import { createLogger, createRedactor, Metrics, NestPinoLogger, secretsOf, withLogContext } from './index';

/** A real pino logger writing into memory: one parsed object per line. */
function capturedLogger(secrets: string[] = [], level = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level, secrets, destination, base: { roles: 'worker' } });
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('redaction', () => {
  const settings = {
    DATABASE_URL: 'postgres://fw:db-pass-0123@db:5432/frictionwatch',
    SMTP_URL: 'smtps://mailer:smtp%2Fpass-99@smtp.example.org:465',
    REDIS_URL: 'redis://127.0.0.1:6379',
    ALERTS_TOKEN_SECRET: 'hmac-secret-abcdefgh',
  };

  it('collects the passwords of URL settings (raw and decoded) and whole secret values', () => {
    expect(secretsOf(settings, Object.keys(settings)).sort()).toEqual(
      ['db-pass-0123', 'hmac-secret-abcdefgh', 'smtp%2Fpass-99', 'smtp/pass-99'].sort(),
    );
  });

  it('removes configured secrets, URL passwords, bearer tokens and API key secrets from any text', () => {
    const redact = createRedactor(secretsOf(settings, Object.keys(settings)));
    const text = [
      'connect to postgres://fw:db-pass-0123@db:5432/frictionwatch failed',
      'password smtp/pass-99 refused',
      'proxy http://u:other-secret@proxy:8080/',
      'Authorization: Bearer abc.def.ghi',
      'key fw_abcdefghij_0123456789abcdefghijklmnopqrstuvwxyzAB',
    ].join('\n');
    const result = redact(text);
    for (const secret of [
      'db-pass-0123',
      'smtp/pass-99',
      'other-secret',
      'abc.def.ghi',
      '0123456789abcdefghij',
    ])
      expect(result).not.toContain(secret);
    expect(result).toContain('postgres://fw:[redacted]@db:5432/frictionwatch');
    expect(result).toContain('fw_abcdefghij_[redacted]');
    expect(result).toContain('Bearer [redacted]');
  });

  it('leaves text without secrets as it was', () => {
    const redact = createRedactor(['db-pass-0123']);
    expect(redact('fetched https://example.org/feed.xml: 20 items')).toBe(
      'fetched https://example.org/feed.xml: 20 items',
    );
  });
});

describe('the logger', () => {
  it('writes one JSON object per line with level, time, base fields and the message', () => {
    const { logger, parsed } = capturedLogger();
    logger.info({ feed: 'f1' }, 'fetched');
    const [line] = parsed();
    expect(line).toMatchObject({ level: 'info', roles: 'worker', feed: 'f1', msg: 'fetched' });
    expect(typeof line.time).toBe('string');
  });

  it('adds the correlation id and job id of the job being handled to every line, nested contexts merged', async () => {
    const { logger, parsed } = capturedLogger();
    await withLogContext({ correlationId: 'corr-1', jobId: 'job-1' }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.info('inside the job');
      withLogContext({ requestId: 'req-9' }, () => logger.warn('nested'));
    });
    logger.info('outside');
    const [inside, nested, outside] = parsed();
    expect(inside).toMatchObject({ correlationId: 'corr-1', jobId: 'job-1', msg: 'inside the job' });
    expect(nested).toMatchObject({ correlationId: 'corr-1', requestId: 'req-9' });
    expect(outside.correlationId).toBeUndefined();
  });

  it('never writes a configured secret, wherever it appears in the line', () => {
    const { logger, lines } = capturedLogger(['db-pass-0123']);
    logger.error(
      { url: 'postgres://fw:db-pass-0123@db/x', err: new Error('auth db-pass-0123 failed') },
      'boom',
    );
    logger.info('Bearer fw_abcdefghij_0123456789abcdefghijklmnopqrstuvwxyzAB');
    const output = lines.join('\n');
    expect(output).not.toContain('db-pass-0123');
    expect(output).not.toContain('0123456789abcdefghijklmnop');
    expect(output).toContain('[redacted]');
  });

  it("serves as Nest's logger: context field, errors with stacks, Nest's boot chatter at debug", () => {
    const { logger, parsed } = capturedLogger();
    const nest = new NestPinoLogger(logger);
    nest.log('consuming queues: fetch', 'worker');
    nest.error('shutdown failed', 'Error: x\n    at y', 'frictionwatch');
    nest.log('Mapped {/v1/items, GET} route', 'RouterExplorer');
    nest.warn({ msg: 'job failed', attempt: 2 }, 'jobs');
    const lines = parsed();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 'info', context: 'worker', msg: 'consuming queues: fetch' });
    expect(lines[1]).toMatchObject({ level: 'error', context: 'frictionwatch', stack: 'Error: x\n    at y' });
    expect(lines[2]).toMatchObject({ level: 'warn', context: 'jobs', msg: 'job failed', attempt: 2 });
  });
});

describe('metrics', () => {
  it('exposes counters with their labels in the Prometheus text format', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.feedFetches.inc({ feed: 'f1', outcome: 'fetched' });
    metrics.eventsAppended.inc({ type: 'ItemIngested' }, 20);
    const text = await metrics.scrape();
    expect(text).toContain('fw_feed_fetches_total{feed="f1",outcome="fetched"} 1');
    expect(text).toContain('fw_events_appended_total{type="ItemIngested"} 20');
    expect(text).toContain('# TYPE fw_http_request_duration_seconds histogram');
  });

  it('runs scrape-time collectors before each scrape and counts those that fail', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    let depth = 3;
    metrics.collectOnScrape('queues', async () => {
      metrics.queueJobs.set({ queue: 'fetch', state: 'waiting' }, depth);
    });
    metrics.collectOnScrape('projections', async () => {
      throw new Error('database down');
    });
    expect(await metrics.scrape()).toContain('fw_queue_jobs{queue="fetch",state="waiting"} 3');
    depth = 5;
    const text = await metrics.scrape();
    expect(text).toContain('fw_queue_jobs{queue="fetch",state="waiting"} 5');
    expect(text).toContain('fw_metrics_collector_errors_total{collector="projections"} 2');
  });

  it('appends exposition text from elsewhere with each family declared once, leaving out one that fails', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const queueText = (queue: string, waiting: number) =>
      [
        '# HELP bullmq_job_count Number of jobs in the queue by state',
        '# TYPE bullmq_job_count gauge',
        `bullmq_job_count{queue="${queue}", state="waiting"} ${waiting}`,
      ].join('\n');
    metrics.exposeOnScrape('bullmq', async () => [queueText('fetch', 2), queueText('email', 7)].join('\n'));
    metrics.exposeOnScrape('broken', async () => {
      throw new Error('redis down');
    });
    const lines = (await metrics.scrape()).split('\n');
    expect(lines.filter((l) => l.startsWith('# TYPE bullmq_job_count'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('# HELP bullmq_job_count'))).toHaveLength(1);
    const family = lines.indexOf('# TYPE bullmq_job_count gauge');
    expect(lines.slice(family + 1, family + 3)).toEqual([
      'bullmq_job_count{queue="fetch", state="waiting"} 2',
      'bullmq_job_count{queue="email", state="waiting"} 7',
    ]);
    expect(lines).toContain('fw_metrics_collector_errors_total{collector="broken"} 1');
    // Our own histogram keeps its samples under its declaration.
    const histogram = lines.indexOf('# TYPE fw_http_request_duration_seconds histogram');
    expect(histogram).toBeGreaterThanOrEqual(0);
  });

  it("includes Node's process metrics by default", async () => {
    const text = await new Metrics().scrape();
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});
