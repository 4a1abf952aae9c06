import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { ProjectionEngine } from '@frictionwatch/projections';
import { createRedisConnection, JobQueue } from '@frictionwatch/queues';
import {
  createTestDatabase,
  feedSpec,
  TEST_REDIS_URL,
  testQueuePrefix,
  type TestDatabase,
} from '@frictionwatch/testing';
import { FEED_EVENTS } from './feed.events';
import { FeedRegistry } from './feed-registry';
import { FeedRepository } from './feed.repository';
import { FeedScheduler } from './feed-scheduler';
import { feedsProjection } from './feeds.projection';
import { readSources, seedSources } from './seed-sources';

const spec = (feedId: string) => feedSpec(feedId);

describe('feed registry, feeds read model and scheduler ticks', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let engine: ProjectionEngine;
  let registry: FeedRegistry;
  const queue = testQueuePrefix();
  const connections = [
    createRedisConnection(TEST_REDIS_URL, 'test-a'),
    createRedisConnection(TEST_REDIS_URL, 'test-b'),
  ];
  const producers = connections.map((c) => new JobQueue(c, queue.prefix));

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore(database.pool, new EventRegistry().register(...FEED_EVENTS));
    engine = new ProjectionEngine(database.db, store, [feedsProjection]);
    await engine.initialise();
    registry = new FeedRegistry(store);
  });
  afterAll(async () => {
    await Promise.all(producers.map((p) => p.close()));
    connections.forEach((c) => c.disconnect());
    await queue.cleanup();
    await database.drop();
  });

  it('registers each feed once and keeps its state in the read model', async () => {
    expect(await registry.register(spec('alpha'))).toBe(true);
    expect(await registry.register(spec('alpha'))).toBe(false);
    await registry.register(spec('beta'));
    await registry.register(spec('gamma'));
    await registry.pause('gamma', 'testing');
    await engine.catchUp('feeds', 1);
    const feeds = new FeedRepository(database.db, engine);
    expect((await feeds.list()).map((f) => [f.feedId, f.status])).toEqual([
      ['alpha', 'active'],
      ['beta', 'active'],
      ['gamma', 'paused'],
    ]);
    await expect(registry.pause('nope')).rejects.toThrow('No feed "nope"');
  });

  it('two schedulers ticking at once enqueue one fetch job per due feed', async () => {
    const feeds = new FeedRepository(database.db, engine);
    const [a, b] = producers.map((jobs) => new FeedScheduler(feeds, jobs));
    const results = await Promise.all([a.tick(), b.tick(), a.tick()]);
    expect(results.map((r) => r.enqueued)).toEqual([2, 2, 2]);
    const jobs = await producers[0].queue('fetch').getJobs(['waiting', 'delayed', 'active']);
    expect(jobs.map((j) => j.data.feedId).sort()).toEqual(['alpha', 'beta']);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(2);
  });

  it('enqueues every due feed in one tick, page by page, however many are due', async () => {
    for (const feedId of ['delta', 'epsilon', 'zeta', 'eta']) await registry.register(spec(feedId));
    await engine.catchUp('feeds', 1);
    const feeds = new FeedRepository(database.db, engine);
    const due = await feeds.due(new Date());
    expect(due).toHaveLength(6);
    // Pages of two: the keyset walk reaches all six (alpha and beta are still due, their jobs queued).
    const scheduler = new FeedScheduler(feeds, producers[0], 2);
    expect(await scheduler.tick()).toEqual({ enqueued: 6 });
    const jobs = await producers[0].queue('fetch').getJobs(['waiting', 'delayed', 'active']);
    expect(jobs.map((j) => j.data.feedId).sort()).toEqual([
      'alpha',
      'beta',
      'delta',
      'epsilon',
      'eta',
      'zeta',
    ]);
    // The pages neither overlap nor skip: together they are the single-page answer, in order.
    const pages = [];
    let after;
    for (;;) {
      const page = await feeds.due(new Date(), 4, after);
      pages.push(...page.map((f) => f.feedId));
      if (page.length < 4) break;
      after = page[page.length - 1];
    }
    expect(pages).toEqual(due.map((f) => f.feedId));
  });

  it('loads the default sources idempotently', async () => {
    const sources = readSources();
    expect(sources.length).toBeGreaterThanOrEqual(10);
    expect(new Set(sources.map((s) => s.kind))).toEqual(new Set(['rss', 'json', 'html']));
    const first = await seedSources(registry, sources);
    expect(first.registered).toHaveLength(sources.length);
    const second = await seedSources(registry, sources);
    expect(second).toEqual({ registered: [], existing: sources.map((s) => s.feedId) });
  });
});
