import { randomUUID } from 'node:crypto';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { FEED_EVENTS, feedStreamId } from '@frictionwatch/feeds';
import { ITEM_EVENTS, itemStreamId } from '@frictionwatch/items';
import { ProjectionEngine } from '@frictionwatch/projections';
import { createRedisConnection, JobQueue } from '@frictionwatch/queues';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  testQueuePrefix,
  type TestDatabase,
} from '@frictionwatch/testing';
import type { Redis } from 'ioredis';
import { ALERT_EVENTS, SubscriptionSpecSchema, type AlertRaised } from './alert.events';
import { alertDispatch } from './alert-dispatch.reactor';
import { alertMatcher } from './alert-matcher.reactor';
import { AlertScheduler } from './alert-scheduler';
import { alertsProjection } from './alerts.projection';
import { SubscriptionCommands } from './subscription-commands';
import { subscriptionsProjection } from './subscriptions.projection';

/** The alert reactors over the real event store and projection engine (Postgres) and queue (Redis). */
describe('alert matcher and dispatch', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let engine: ProjectionEngine;
  let redis: Redis;
  let jobs: JobQueue;
  let commands: SubscriptionCommands;
  const queue = testQueuePrefix();
  const NAMES = ['subscriptions', 'alerts', 'alert_matcher', 'alert_dispatch'];
  const now = new Date('2026-12-02T10:00:00.000Z');

  /**
   * Applies every event in the log to the four, until none is left behind their checkpoints: the
   * watermark is the cluster's oldest open transaction, so one pass may stop short while another
   * database on the server has a transaction open.
   */
  async function catchUp(): Promise<void> {
    for (;;) {
      for (const name of NAMES)
        await engine.catchUp(name, (await engine.repository.activeGeneration(name)) ?? 1);
      const { rows } = await database.pool.query<{ lag: number }>(
        `SELECT count(*)::int AS lag FROM events e, projections p
         JOIN projection_checkpoints c ON c.name = p.name AND c.generation = p.active_generation
         WHERE p.name = ANY ($1) AND (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position)`,
        [NAMES],
      );
      if (rows[0].lag === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  let n = 0;
  /** An ingested item and its classification (labels as the classifier writes them). */
  async function classified(
    labels: Record<string, unknown>,
    text: { title?: string; extra?: Record<string, unknown>; itemId?: string } = {},
  ): Promise<string> {
    n += 1;
    const itemId = text.itemId ?? `item${n}`;
    const ingestId = randomUUID();
    if (!text.itemId)
      await store.append(itemStreamId(itemId), [
        {
          type: 'ItemIngested',
          eventId: ingestId,
          data: {
            itemId,
            feedId: 'fr-ita',
            url: `https://example.org/${itemId}`,
            guid: null,
            title: text.title ?? `Notice ${n}`,
            summary: '',
            publishedAt: '2026-12-01T00:00:00.000Z',
            dateSource: 'feed',
            categories: [],
            extra: text.extra ?? {},
            contentHash: `h${n}`,
            source: { name: 'Federal Register', jurisdictionHint: 'US' },
          },
        },
      ]);
    const sourceEventId =
      text.itemId === undefined
        ? ingestId
        : (
            await database.pool.query<{ event_id: string }>(
              "SELECT event_id FROM events WHERE stream_id = $1 AND event_type = 'ItemIngested'",
              [itemStreamId(itemId)],
            )
          ).rows[0].event_id;
    const classification = {
      friction: true,
      frictionTypes: ['anti_dumping'],
      sectors: ['solar_pv'],
      subsectors: [],
      actors: ['US'],
      targets: ['CN'],
      stage: 'investigation_opened',
      severity: 60,
      caseRefs: [{ kind: 'us_commerce', ref: 'A-570-979', start: 0, end: 9 }],
      hsCodes: [],
      dutyRates: [],
      evidence: [{ label: 'frictionTypes', value: 'anti_dumping', text: 'less than fair value' }],
      ...labels,
    };
    await store.append(itemStreamId(itemId), [
      {
        type: 'ItemClassified',
        data: {
          itemId,
          sourceEventId,
          contentHash: 'h',
          classifierVersion: String(labels.classifierVersion ?? 'c1'),
          taxonomyVersion: 't1',
          classification,
        },
      },
    ]);
    return itemId;
  }

  async function raised(): Promise<AlertRaised[]> {
    const { rows } = await database.pool.query<{ data: AlertRaised }>(
      "SELECT data FROM events WHERE event_type = 'AlertRaised' ORDER BY global_position",
    );
    return rows.map((r) => r.data);
  }

  async function subscribe(spec: Record<string, unknown>): Promise<string> {
    const state = await commands.create(
      SubscriptionSpecSchema.parse({ recipient: 'team@example.org', name: 't', ...spec }),
    );
    return state.subscriptionId;
  }

  beforeEach(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore(
      database.pool,
      new EventRegistry().register(...ITEM_EVENTS, ...FEED_EVENTS, ...ALERT_EVENTS),
    );
    redis = createRedisConnection(TEST_REDIS_URL, 'alerts-int');
    jobs = new JobQueue(redis, queue.prefix);
    engine = new ProjectionEngine(
      database.db,
      store,
      [
        subscriptionsProjection,
        alertsProjection,
        alertMatcher(store, { now: () => now }),
        alertDispatch(store, jobs, { capPerHour: 2 }),
      ],
      { batchSize: 50, dropGraceMs: 0 },
    );
    await engine.initialise();
    commands = new SubscriptionCommands(store, { doubleOptIn: false });
  });

  afterEach(async () => {
    await jobs.close();
    redis.disconnect();
    await queue.cleanup();
    await database.drop();
  });

  it('one alert per subscription and item, and one more when a reclassification moves its case to a new stage', async () => {
    const subscriptionId = await subscribe({ filters: { sectors: ['solar_pv'] } });
    const itemId = await classified({});
    await catchUp();
    expect((await raised()).map((a) => a.trigger.kind)).toEqual(['item']);

    // A new classifier version, same stage: nothing new to tell.
    await classified({ classifierVersion: 'c2' }, { itemId });
    await catchUp();
    expect(await raised()).toHaveLength(1);

    // The case moves on: one alert for the stage, once.
    await classified({ classifierVersion: 'c3', stage: 'preliminary' }, { itemId });
    await classified({ classifierVersion: 'c4', stage: 'preliminary' }, { itemId });
    await catchUp();
    const alerts = await raised();
    expect(alerts.map((a) => a.trigger.kind)).toEqual(['item', 'case_stage']);
    expect(alerts[1]).toMatchObject({
      subscriptionId,
      trigger: { kind: 'case_stage', stage: 'preliminary' },
    });
    expect(alerts[1].content.reasons).toEqual(['sector: solar_pv']);
  });

  it('matches items against the subscriptions as they stood when the item was classified', async () => {
    await classified({});
    const subscriptionId = await subscribe({ filters: { sectors: ['solar_pv'] } });
    await classified({});
    await commands.update(subscriptionId, {
      filters: SubscriptionSpecSchema.shape.filters.parse({ sectors: ['batteries'] }),
    });
    await classified({});
    await commands.cancel(subscriptionId, 'deleted');
    await classified({ sectors: ['batteries'] });
    await catchUp();
    expect((await raised()).map((a) => a.trigger)).toEqual([{ kind: 'item', itemId: `item${n - 2}` }]);
  });

  it('a double opt-in subscription alerts only once confirmed', async () => {
    commands = new SubscriptionCommands(store, { doubleOptIn: true });
    const subscriptionId = await subscribe({});
    await classified({});
    await catchUp();
    expect(await raised()).toHaveLength(0);
    await commands.confirm(subscriptionId);
    await classified({});
    await catchUp();
    expect(await raised()).toHaveLength(1);
  });

  it('caps immediate mails per recipient and hour: the surplus is deferred to the next digest', async () => {
    await subscribe({});
    for (let i = 0; i < 5; i += 1) await classified({});
    await catchUp();
    expect(await raised()).toHaveLength(5);
    const waiting = await jobs.queue('email').getJobs(['waiting', 'delayed', 'prioritized']);
    expect(waiting.map((j) => j.name)).toEqual(['send-alert', 'send-alert']);
    const { rows } = await database.pool.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM "${await engine.activeSchema('alerts')}".alerts GROUP BY status ORDER BY status`,
    );
    expect(rows).toEqual([
      { status: 'deferred', n: 3 },
      { status: 'pending', n: 2 },
    ]);
    // Re-running the dispatcher (a crash before its checkpoint) enqueues nothing twice.
    await jobs.enqueue([]);
    expect(await jobs.queue('email').getWaitingCount()).toBe(2);
  });

  it('reminds N days before a comment deadline at the local send hour, once', async () => {
    await subscribe({ remindDaysBefore: 3, timeZone: 'Europe/Brussels', sendHour: 9, delivery: 'daily' });
    await classified({}, { extra: { commentsCloseOn: '2026-12-20' } });
    await catchUp();
    expect((await raised()).map((a) => a.trigger.kind)).toEqual(['item']);
    const { rows } = await database.pool.query<{ remind_at: Date }>('SELECT remind_at FROM alert_reminders');
    expect(rows.map((r) => r.remind_at.toISOString())).toEqual(['2026-12-17T08:00:00.000Z']);

    const scheduler = new AlertScheduler(database.pool, store, jobs, (name) => engine.activeSchema(name));
    expect((await scheduler.tick(new Date('2026-12-17T07:59:00.000Z'))).reminders).toBe(0);
    expect((await scheduler.tick(new Date('2026-12-17T08:00:30.000Z'))).reminders).toBe(1);
    expect((await scheduler.tick(new Date('2026-12-17T08:01:00.000Z'))).reminders).toBe(0);
    await catchUp();
    const reminder = (await raised())[1];
    expect(reminder).toMatchObject({
      delivery: 'immediate',
      trigger: { kind: 'deadline', deadlineKind: 'comments_close', on: '2026-12-20' },
    });
    // Reminders go out at once, also for a digest subscriber.
    expect((await jobs.queue('email').getJobs(['waiting'])).map((j) => j.data.alertId)).toEqual([
      reminder.alertId,
    ]);
  });

  it('mails source-health subscribers when a followed feed turns unhealthy and recovers', async () => {
    await subscribe({ kind: 'source-health', filters: { feedIds: ['fr-ita'] } });
    await subscribe({ kind: 'source-health', recipient: 'ops@example.org' });
    await store.append(feedStreamId('fr-ita'), [
      { type: 'FeedUnhealthy', data: { feedId: 'fr-ita', reason: 'http: 500', consecutiveFailures: 3 } },
      { type: 'FeedRecovered', data: { feedId: 'fr-ita', afterFailures: 3 } },
    ]);
    await store.append(feedStreamId('wto-news'), [
      {
        type: 'FeedUnhealthy',
        data: { feedId: 'wto-news', reason: 'parse: not a feed', consecutiveFailures: 3 },
      },
    ]);
    await classified({}); // items never alert source-health subscriptions
    await catchUp();
    const alerts = (await raised()).map((a) => [
      a.recipient,
      a.trigger.kind === 'feed_health' && `${a.trigger.feedId} ${a.trigger.change}`,
    ]);
    expect(alerts.sort()).toEqual(
      [
        ['ops@example.org', 'fr-ita recovered'],
        ['ops@example.org', 'fr-ita unhealthy'],
        ['ops@example.org', 'wto-news unhealthy'],
        ['team@example.org', 'fr-ita recovered'],
        ['team@example.org', 'fr-ita unhealthy'],
      ].sort(),
    );
  });

  it('the subscriptions and alerts read models rebuild equal to the live ones (reactors are never rebuilt)', async () => {
    const first = await subscribe({});
    await subscribe({ delivery: 'weekly', recipient: 'other@example.org' });
    for (let i = 0; i < 4; i += 1) await classified({});
    await commands.cancel(first, 'unsubscribed');
    await catchUp();
    for (const name of ['subscriptions', 'alerts']) {
      const table = name;
      const live = await engine.repository.digest(await engine.activeSchema(name), table);
      expect(live.rows).toBeGreaterThan(1);
      await engine.rebuild(name);
      expect(await engine.repository.digest(await engine.activeSchema(name), table)).toEqual(live);
    }
    await expect(engine.rebuild('alert_matcher')).rejects.toThrow(/reactor/);
  });
});
