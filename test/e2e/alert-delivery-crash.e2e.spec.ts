import type { ChildProcess } from 'node:child_process';
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
import { registerEventTypes } from '@frictionwatch/platform';
import {
  createTestDatabase,
  SmtpSink,
  testQueuePrefix,
  type TestDatabase,
  pollUntil,
} from '@frictionwatch/testing';
import { runTs, waitForOutput } from '../support/processes';

/**
 * The mail worker as a real process, killed with SIGKILL around the SMTP transaction: before the server
 * accepted (delivered once after a restart) and after it accepted but before `AlertDelivered` was
 * appended (at most one duplicate, with the same Message-ID).
 */
describe('alert delivery when the mail worker dies', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const queue = testQueuePrefix();
  const sink = new SmtpSink();
  const children: ChildProcess[] = [];
  let n = 0;

  function startWorker(): ReturnType<typeof runTs> {
    const child = runTs('apps/worker/src/main.ts', [], {
      DATABASE_URL: database.url,
      QUEUE_PREFIX: queue.prefix,
      SMTP_URL: sink.url,
      WORKER_QUEUES: 'email',
      WORKER_PROJECTIONS: 'subscriptions,alerts,alert_matcher,alert_dispatch',
      PROJECTION_POLL_INTERVAL_MS: '50',
      // A dead worker's job is taken back after this long.
      WORKER_LOCK_MS: '2000',
      ALERTS_TOKEN_SECRET: 'crash-test-token-secret',
    });
    children.push(child);
    return child;
  }

  async function killed(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async function publish(title: string): Promise<void> {
    n += 1;
    const item: IngestibleItem = {
      key: `k${n}`,
      guid: null,
      url: `https://trade.ec.europa.eu/notice/${n}`,
      title,
      summary: '',
      publishedAt: '2026-11-30T12:00:00.000Z',
      dateSource: 'feed',
      categories: [],
      extra: {},
      contentHash: `h${n}`,
    };
    const repository = new ItemRepository(database.pool);
    await new ItemIngestor(store, repository).ingest(
      { feedId: 'dg-trade', name: 'DG Trade', jurisdictionHint: 'EU' },
      [item],
      {},
    );
    await new ItemClassificationService(store, repository, new ItemClassifier()).classify(
      [itemIdFor('dg-trade', item)],
      {},
    );
  }

  async function delivered(): Promise<{ alertId: string; messageId: string }[]> {
    const { rows } = await database.pool.query<{ data: { alertId: string; messageId: string } }>(
      "SELECT data FROM events WHERE event_type = 'AlertDelivered' ORDER BY global_position",
    );
    return rows.map((r) => r.data);
  }

  const until = (probe: () => Promise<boolean>, timeoutMs = 40000) => pollUntil(probe, { timeoutMs });

  beforeAll(async () => {
    await sink.start();
    database = await createTestDatabase();
    store = new PostgresEventStore(database.pool, registerEventTypes(new EventRegistry()));
    await new SubscriptionCommands(store, { doubleOptIn: false }).create(
      SubscriptionSpecSchema.parse({
        recipient: 'batteries@example.org',
        name: 'Batteries',
        filters: { sectors: ['batteries'] },
      }),
    );
  });

  afterAll(async () => {
    for (const child of children) await killed(child);
    await sink.stop();
    await queue.cleanup();
    await database.drop();
  });

  beforeEach(() => {
    sink.mails.length = 0;
    sink.beforeAccept = null;
    sink.onAccepted = null;
  });

  it('killed before the server accepted: delivered once after a restart', async () => {
    const first = startWorker();
    await waitForOutput(first, 'consuming queues: email');
    // The first delivery attempt reaches the server, which holds its answer while the worker dies.
    let arrivals = 0;
    sink.beforeAccept = async () => {
      arrivals += 1;
      if (arrivals > 1) return 'accept';
      await killed(first);
      return 'drop';
    };
    await publish('European Commission imposes anti-dumping duties on lithium-ion batteries from China');
    await until(async () => arrivals >= 1 && first.exitCode === null && first.signalCode === 'SIGKILL');
    expect(sink.mails).toHaveLength(0);
    expect(await delivered()).toHaveLength(0);

    const second = startWorker();
    await waitForOutput(second, 'consuming queues: email');
    await until(async () => (await delivered()).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(sink.mails).toHaveLength(1);
    const [record] = await delivered();
    expect(sink.mails[0].parsed.messageId).toBe(record.messageId);
    expect(record.messageId).toBe(`<${record.alertId}@localhost>`);
    await killed(second);
  }, 90000);

  it('killed after the server accepted, before AlertDelivered: at most one duplicate, with the same Message-ID', async () => {
    const before = (await delivered()).length;
    const first = startWorker();
    await waitForOutput(first, 'consuming queues: email');
    let accepted = 0;
    sink.onAccepted = () => {
      accepted += 1;
      if (accepted === 1) first.kill('SIGKILL'); // the 250 is on its way; the append is not done
    };
    await publish('EU opens anti-subsidy investigation into battery cells from China');
    await until(async () => accepted >= 1 && first.signalCode === 'SIGKILL');

    const second = startWorker();
    await waitForOutput(second, 'consuming queues: email');
    await until(async () => (await delivered()).length === before + 1);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const records = (await delivered()).slice(before);
    expect(records).toHaveLength(1);
    expect(sink.mails.length).toBeGreaterThanOrEqual(1);
    expect(sink.mails.length).toBeLessThanOrEqual(2);
    for (const mail of sink.mails) expect(mail.parsed.messageId).toBe(records[0].messageId);
    await killed(second);
  }, 90000);
});
