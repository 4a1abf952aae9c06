import { readDemoFeeds, demoFeedId } from '@frictionwatch/demo';
import { createTestDatabase, SmtpSink, testQueuePrefix, type TestDatabase } from '@frictionwatch/testing';
import { freePort } from '../support/free-port';
import { finished, runTs, waitForOutput, type Finished } from '../support/processes';

/**
 * The demo as a new user runs it: `npm start` with DEMO=true, no internet (the feeds are the recorded
 * snapshots the process serves on its loopback), a real SMTP server as SMTP_URL. Items, cases and an
 * alert mail must appear without any other step.
 */
describe('npm start with DEMO=true', () => {
  let database: TestDatabase;
  const queue = testQueuePrefix();
  const sink = new SmtpSink();
  let child: ReturnType<typeof runTs>;
  let done: Promise<Finished>;
  let base: string;

  async function get<T>(path: string): Promise<T> {
    const response = await fetch(`${base}${path}`);
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** Polls until `found` holds: the pipeline is asynchronous (scheduler tick, queues, projections). */
  async function eventually<T>(what: string, read: () => Promise<T>, found: (v: T) => boolean): Promise<T> {
    const deadline = Date.now() + 150_000;
    for (;;) {
      const value = await read();
      if (found(value)) return value;
      if (child.exitCode !== null) throw new Error(`the process exited: ${child.output.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`no ${what} in time: last ${JSON.stringify(value)}\n${child.output.stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    await sink.start();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = runTs('apps/main.ts', [], {
      DEMO: 'true',
      DEMO_FEEDS_PORT: String(await freePort()),
      DATABASE_URL: database.url,
      QUEUE_PREFIX: queue.prefix,
      SMTP_URL: sink.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      API_PUBLIC_READ: 'true',
      // Explicitly off: the demo must reach its snapshots without the general switch.
      FETCH_ALLOW_PRIVATE_NETWORKS: 'false',
    });
    done = finished(child);
    await waitForOutput(child, `listening on ${base}`, 90_000);
  }, 120_000);

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await done;
    await sink.stop();
    await queue.cleanup();
    await database.drop();
  });

  it('prints where the API, its docs and the queue UI are, and where demo mail goes', () => {
    expect(child.output.stdout).toContain(`docs: ${base}/docs`);
    expect(child.output.stdout).toContain(`queues: ${base}/admin/queues`);
    expect(child.output.stdout).toContain(
      `Demo mode: alert mails to demo@example.org via 127.0.0.1:${sink.port}`,
    );
  });

  it('registers the demo sources instead of the real ones', async () => {
    const expected = readDemoFeeds()
      .map((f) => demoFeedId(f.source))
      .sort();
    const { feeds } = await eventually(
      'feeds',
      () => get<{ feeds: { feedId: string }[] }>('/v1/feeds'),
      (body) => body.feeds.length >= expected.length,
    );
    expect(feeds.map((f) => f.feedId).sort()).toEqual(expected);
  });

  it('ingests and classifies the snapshots: items and cases appear over REST', async () => {
    const { items } = await eventually(
      'friction items',
      () => get<{ items: { id: string }[] }>('/v1/items?friction=true'),
      (body) => body.items.length > 0,
    );
    expect(items.length).toBeGreaterThan(0);
    const { cases } = await eventually(
      'cases',
      () => get<{ cases: { case_id: string }[] }>('/v1/cases'),
      (body) => body.cases.length > 0,
    );
    expect(cases.length).toBeGreaterThan(0);
  });

  it('mails the demo subscription an alert', async () => {
    const [mail] = await sink.waitFor(1, 150_000);
    expect(mail.envelope.to).toEqual(['demo@example.org']);
    // The alert is about one of the demo items, from the snapshots.
    const { items } = await get<{ items: { title: string }[] }>('/v1/items?friction=true&limit=200');
    expect(items.some((item) => (mail.parsed.text ?? '').includes(item.title))).toBe(true);
  });

  it('stops cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });
});
