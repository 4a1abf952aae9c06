import type { INestApplication } from '@nestjs/common';
import {
  AlertScheduler,
  nextDigestDue,
  signToken,
  SubscriptionCommands,
  SubscriptionSpecSchema,
} from '@frictionwatch/alerts';
import { ItemClassifier } from '@frictionwatch/classifier';
import { PostgresEventStore } from '@frictionwatch/event-store';
import { ApiKeys } from '@frictionwatch/http-api';
import {
  ItemClassificationService,
  ItemIngestor,
  ItemRepository,
  itemIdFor,
  type IngestibleItem,
} from '@frictionwatch/items';
import { JobQueue } from '@frictionwatch/queues';
import { readModelsSettled, startApiApp } from '../support/api-app';
import {
  createTestDatabase,
  rawHead,
  rawHeader,
  SmtpSink,
  testQueuePrefix,
  type TestDatabase,
} from '@frictionwatch/testing';

/** Alerts end to end: the real api and worker, Postgres, Redis, and a real SMTP server in-process. */
describe('alert emails', () => {
  const SECRET = 'test-secret-for-alert-tokens';
  const PUBLIC_BASE = 'http://127.0.0.1:4321';
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  let adminKey: string;
  const queue = testQueuePrefix();
  const sink = new SmtpSink();
  const source = { feedId: 'fr-ita', name: 'Federal Register', jurisdictionHint: 'US' };
  let counter = 0;

  const item = (title: string, summary = ''): IngestibleItem => {
    counter += 1;
    return {
      key: `k${counter}`,
      guid: null,
      url: `https://www.federalregister.gov/d/2026-${1000 + counter}`,
      title,
      summary,
      publishedAt: '2026-11-30T12:00:00.000Z',
      dateSource: 'feed',
      categories: [],
      extra: {},
      contentHash: `h${counter}`,
    };
  };

  async function publish(...items: IngestibleItem[]): Promise<string[]> {
    const store = app.get(PostgresEventStore);
    const repository = new ItemRepository(database.pool);
    await new ItemIngestor(store, repository).ingest(source, items, {});
    const ids = items.map((i) => itemIdFor('fr-ita', i));
    await new ItemClassificationService(store, repository, new ItemClassifier()).classify(ids, {});
    return ids;
  }

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminKey}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  async function subscribe(spec: Record<string, unknown>): Promise<string> {
    const response = await api('POST', '/v1/subscriptions', spec);
    expect(response.status).toBe(201);
    return ((await response.json()) as { subscriptionId: string }).subscriptionId;
  }

  async function eventsOf(type: string): Promise<{ stream_id: string; data: Record<string, unknown> }[]> {
    const { rows } = await database.pool.query<{ stream_id: string; data: Record<string, unknown> }>(
      'SELECT stream_id, data FROM events WHERE event_type = $1 ORDER BY global_position',
      [type],
    );
    return rows;
  }

  async function until<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 20000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits until the alert machinery has applied every event in the log (no mail still to be raised). */
  const settled = () =>
    readModelsSettled(database.pool, ['alert_matcher', 'alert_dispatch', 'alerts', 'subscriptions']);

  beforeAll(async () => {
    await sink.start();
    database = await createTestDatabase();
    ({ app, base } = await startApiApp(
      {
        DATABASE_URL: database.url,
        QUEUE_PREFIX: queue.prefix,
        SMTP_URL: sink.url,
        MAIL_FROM: 'frictionwatch <alerts@frictionwatch.test>',
        ALERTS_TOKEN_SECRET: SECRET,
        PUBLIC_BASE_URL: PUBLIC_BASE,
        ALERTS_UNSUBSCRIBE_MAILTO: 'unsubscribe@frictionwatch.test',
        WORKER_QUEUES: 'email',
        WORKER_PROJECTIONS: 'items,cases,subscriptions,alerts,alert_matcher,alert_dispatch',
        ALERTS_IMMEDIATE_PER_HOUR: '5',
        // These tests poll the admin endpoints; the limits have their own tests.
        RATE_LIMIT_PER_MINUTE: '0',
        RATE_LIMIT_ADMIN_PER_MINUTE: '0',
      },
      { queueConsumers: true },
    ));
    adminKey = (await app.get(ApiKeys).create('alerts test', 'admin')).key;
  });

  afterAll(async () => {
    await app?.close();
    await sink.stop();
    await queue.cleanup();
    await database?.drop();
  });

  beforeEach(() => {
    sink.mails.length = 0;
    sink.accept();
  });

  it('mails a matching item once, with the headers and content a policy team needs; a non-matching one none', async () => {
    const subscriptionId = await subscribe({
      recipient: 'trade-team@example.org',
      name: 'Solar anti-dumping',
      filters: { sectors: ['solar_pv'], frictionTypes: ['anti_dumping'] },
      delivery: 'immediate',
    });
    await publish(
      item(
        'Commerce imposes anti-dumping duties on solar cells from China',
        'Preliminary determination in the less-than-fair-value investigation.',
      ),
      item('Commerce announces export controls on advanced semiconductors to China'),
    );
    await settled();
    const [mail] = await sink.waitFor(1);
    // Nothing else arrives for the non-matching item.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sink.mails).toHaveLength(1);

    expect(mail.envelope.to).toEqual(['trade-team@example.org']);
    expect(mail.parsed.subject).toMatch(
      /^\[frictionwatch\] Anti-dumping · .*Solar.* · US → CN: Commerce imposes/,
    );
    const [alert] = await eventsOf('AlertRaised');
    expect(mail.parsed.messageId).toBe(`<${String(alert.data.alertId)}@frictionwatch.test>`);
    const unsubscribe = String(rawHeader(mail.raw, 'List-Unsubscribe'));
    expect(unsubscribe).toMatch(
      /^<http:\/\/127\.0\.0\.1:4321\/v1\/unsubscribe\?token=[^>]+>, <mailto:unsubscribe@frictionwatch\.test\?subject=[^>]+>$/,
    );
    expect(rawHeader(mail.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const text = String(mail.parsed.text);
    expect(text).toContain('https://www.federalregister.gov/d/2026-');
    expect(text).toContain('Why you got this (Solar anti-dumping)');
    expect(text).toMatch(/sector: solar_pv/);
    expect(text).toMatch(/Evidence[^\n]*\n\s+- /);
    expect(text).toContain('Severity:');
    expect(String(mail.parsed.html)).toContain('<a href="https://www.federalregister.gov/d/2026-');
    expect(String(mail.parsed.html)).not.toMatch(/<img/i);

    await until(async () => (await eventsOf('AlertDelivered')).length === 1);
    await until(async () => {
      const log = (await (await api('GET', `/v1/alerts?subscription=${subscriptionId}`)).json()) as {
        alerts: { status: string }[];
      };
      return log.alerts.length === 1 && log.alerts[0].status === 'delivered';
    });
    await api('DELETE', `/v1/subscriptions/${subscriptionId}`);
  });

  it('one-click unsubscribe (RFC 8058) stops further mail; a forged token is refused', async () => {
    const subscriptionId = await subscribe({
      recipient: 'ev-watch@example.org',
      name: 'EV tariffs',
      filters: { sectors: ['electric_vehicles'] },
    });
    await publish(
      item('European Commission imposes countervailing duties on battery electric vehicles from China'),
    );
    const [mail] = await sink.waitFor(1);
    // The mail names the public base URL; this test's api listens on another port.
    const url = /<(http[^>]+)>/
      .exec(String(rawHeader(mail.raw, 'List-Unsubscribe')))![1]
      .replace(PUBLIC_BASE, base);

    const forged = url.replace(
      /token=[^&]+/,
      `token=${encodeURIComponent(signToken('another-secret-entirely', 'unsubscribe', subscriptionId))}`,
    );
    const refused = await fetch(forged, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    // A GET (a link scanner) does not unsubscribe.
    expect(
      ((await (await api('GET', `/v1/subscriptions/${subscriptionId}`)).json()) as { status: string }).status,
    ).toBe('active');

    const oneClick = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(
      ((await (await api('GET', `/v1/subscriptions/${subscriptionId}`)).json()) as { status: string }).status,
    ).toBe('cancelled');

    sink.mails.length = 0;
    await publish(item('United States raises Section 301 tariffs on electric vehicles from China to 100%'));
    await settled();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sink.mails).toHaveLength(0);
  });

  it('neutralises header injection through names, filters and item titles', async () => {
    const injected = await api('POST', '/v1/subscriptions', {
      recipient: 'victim@example.org\r\nBcc: attacker@evil.example',
      name: 'x',
    });
    expect(injected.status).toBe(400);
    expect(injected.headers.get('content-type')).toContain('application/problem+json');

    const subscriptionId = await subscribe({
      recipient: 'security@example.org',
      name: 'Chips\r\nBcc: attacker@evil.example',
      filters: { keywords: ['semiconductor\r\nX-Injected: 1'], sectors: ['semiconductors'] },
    });
    await api('PATCH', `/v1/subscriptions/${subscriptionId}`, { filters: { sectors: ['semiconductors'] } });
    await publish(
      item('Commerce adds export controls on semiconductor equipment to China\r\nBcc: attacker@evil.example'),
    );
    const [mail] = await sink.waitFor(1);
    expect(mail.envelope.to).toEqual(['security@example.org']);
    expect(mail.parsed.headers.has('bcc')).toBe(false);
    expect(rawHead(mail.raw)).not.toMatch(/^Bcc:/im);
    expect(rawHead(mail.raw)).not.toMatch(/^X-Injected:/im);
    expect(String(mail.parsed.subject)).not.toMatch(/[\r\n]/);
    await api('DELETE', `/v1/subscriptions/${subscriptionId}`);
  });

  it('delivers once after the SMTP server was down for a while, recording the failures', async () => {
    const subscriptionId = await subscribe({
      recipient: 'outage@example.org',
      name: 'Quantum controls',
      filters: { sectors: ['quantum'] },
    });
    await sink.stop();
    await publish(item('BIS imposes export controls on quantum computing items to China'));
    await until(async () => (await eventsOf('AlertDeliveryFailed')).length >= 1);
    const failure = (await eventsOf('AlertDeliveryFailed'))[0].data;
    expect(failure.permanent).toBe(false);
    expect(String(failure.reply)).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET|connect/i);
    await sink.start();
    await sink.waitFor(1, 30000);
    await until(async () =>
      (await eventsOf('AlertDelivered')).some((e) => String(e.data.alertId) === String(failure.alertId)),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sink.mails).toHaveLength(1);
    await api('DELETE', `/v1/subscriptions/${subscriptionId}`);
  }, 60000);

  it('a permanent rejection (5xx) stops retrying and is recorded as permanent', async () => {
    const subscriptionId = await subscribe({
      recipient: 'nobody@example.org',
      name: 'AI chips',
      filters: { sectors: ['artificial_intelligence'] },
    });
    sink.reject(550, 'mailbox unavailable');
    await publish(item('US restricts exports of advanced AI chips to China'));
    const failed = await until(async () => {
      const rows = (await eventsOf('AlertDeliveryFailed')).filter((e) => e.data.permanent === true);
      return rows.length ? rows : null;
    });
    expect(failed[0].data.responseCode).toBe(550);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const attempts = (await eventsOf('AlertDeliveryFailed')).filter(
      (e) => e.data.alertId === failed[0].data.alertId,
    );
    expect(attempts).toHaveLength(1);
    await api('DELETE', `/v1/subscriptions/${subscriptionId}`);
  });

  it("sends one digest at the send hour in the subscriber's time zone; an empty period sends nothing", async () => {
    const subscriptionId = await subscribe({
      recipient: 'digest@example.org',
      name: 'Critical minerals daily',
      filters: { sectors: ['critical_minerals'] },
      delivery: 'daily',
      timeZone: 'Asia/Tokyo',
      sendHour: 9,
    });
    await publish(
      item('China imposes export controls on gallium and germanium'),
      item('China announces export restrictions on graphite'),
      item('MOFCOM imposes export controls on rare earth processing technology'),
    );
    await settled();
    expect(sink.mails).toHaveLength(0); // digest mode: nothing immediate

    const scheduler = app.get(AlertScheduler);
    const now = new Date();
    await scheduler.tick(now);
    const due = nextDigestDue(now, {
      delivery: 'daily',
      timeZone: 'Asia/Tokyo',
      sendHour: 9,
      sendWeekday: 1,
    });
    // 09:00 in Tokyo is 00:00 UTC.
    expect(due.toISOString()).toMatch(/T00:00:00\.000Z$/);
    const { rows } = await database.pool.query<{ next_due_at: Date }>(
      'SELECT next_due_at FROM alert_digest_schedule WHERE subscription_id = $1',
      [subscriptionId],
    );
    expect(rows[0].next_due_at.toISOString()).toBe(due.toISOString());

    // Raised before the period ends: the alerts are stamped now, the period ends at `due` (in the future).
    expect((await scheduler.tick(new Date(due.getTime() - 1000))).digests).toBe(0);
    expect((await scheduler.tick(new Date(due.getTime() + 1000))).digests).toBe(1);
    const [digest] = await sink.waitFor(1);
    expect(digest.envelope.to).toEqual(['digest@example.org']);
    expect(digest.parsed.subject).toContain('Critical minerals daily: 3 new items');
    expect(String(digest.parsed.text)).toContain('gallium');
    expect(String(digest.parsed.text)).toContain('graphite');
    expect(rawHeader(digest.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    await until(async () => (await eventsOf('AlertDelivered')).filter((e) => e.data.digestId).length === 3);
    expect(await eventsOf('DigestDelivered')).toHaveLength(1);

    // The next period has nothing new: no mail.
    const next = nextDigestDue(due, {
      delivery: 'daily',
      timeZone: 'Asia/Tokyo',
      sendHour: 9,
      sendWeekday: 1,
    });
    expect((await scheduler.tick(new Date(next.getTime() + 1000))).digests).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(sink.mails).toHaveLength(1);
    await api('DELETE', `/v1/subscriptions/${subscriptionId}`);
  });

  it('subscriptions are admin business: no key, a read key and a forged one are refused', async () => {
    const readKey = (await app.get(ApiKeys).create('reader', 'read')).key;
    const spec = { recipient: 'x@example.org', name: 'x' };
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/v1/subscriptions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(spec),
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: `Bearer ${readKey}` })).status).toBe(403);
    expect((await post({ authorization: 'Bearer fw_nope_nope' })).status).toBe(401);
    expect(
      (await fetch(`${base}/v1/alerts`, { headers: { authorization: `Bearer ${readKey}` } })).status,
    ).toBe(403);
    const bad = await api('POST', '/v1/subscriptions', { ...spec, filters: { sectors: ['tulips'] } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/filters\.sectors\.0: unknown sector/);
  });

  it('double opt-in: a confirmation mail with a signed link; alerts start once it is followed', async () => {
    const commands = new SubscriptionCommands(app.get(PostgresEventStore), { doubleOptIn: true });
    const pending = await commands.create(
      SubscriptionSpecSchema.parse({
        recipient: 'new-reader@example.org',
        name: 'Polysilicon',
        filters: { keywords: ['polysilicon'] },
      }),
    );
    expect(pending.status).toBe('pending');
    await app.get(JobQueue).enqueue([
      {
        name: 'send-confirmation',
        jobId: `confirm.${pending.subscriptionId}`,
        data: { subscriptionId: pending.subscriptionId, correlationId: pending.subscriptionId },
      },
    ]);
    const [confirmation] = await sink.waitFor(1);
    expect(confirmation.envelope.to).toEqual(['new-reader@example.org']);
    const link = /(http:\/\/\S+\/v1\/subscriptions\/confirm\?token=\S+)/
      .exec(String(confirmation.parsed.text))![1]
      .replace(PUBLIC_BASE, base);

    await publish(item('Commerce imposes anti-dumping duties on polysilicon from China'));
    await settled();
    expect(sink.mails).toHaveLength(1); // only the confirmation: pending subscriptions get no alerts

    expect((await fetch(link)).status).toBe(200);
    expect((await commands.get(pending.subscriptionId))!.state.status).toBe('pending'); // a GET confirms nothing
    const forged = link.replace(
      /token=[^&\s]+/,
      `token=${signToken('x'.repeat(20), 'confirm', pending.subscriptionId)}`,
    );
    expect((await fetch(forged, { method: 'POST' })).status).toBe(403);
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    expect((await commands.get(pending.subscriptionId))!.state.status).toBe('active');

    await publish(item('EU imposes anti-dumping duties on polysilicon wafers from China'));
    await sink.waitFor(2);
    expect(sink.mails[1].envelope.to).toEqual(['new-reader@example.org']);
    await commands.cancel(pending.subscriptionId, 'deleted');
  });
});
