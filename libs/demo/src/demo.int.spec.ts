import { createServer } from 'node:net';
import { ALERT_EVENTS, SubscriptionCommands } from '@frictionwatch/alerts';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { FEED_EVENTS, feedStreamId } from '@frictionwatch/feeds';
import { createTestDatabase, type TestDatabase } from '@frictionwatch/testing';
import { DemoFeedServer, DEMO_FEEDS_HOST } from './demo-feed-server';
import { demoFeedId, readDemoFeeds } from './demo-feeds';
import { DEMO_SUBSCRIPTION_ID, seedDemo } from './seed-demo';

describe('demo seeding', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore(
      database.pool,
      new EventRegistry().register(...FEED_EVENTS, ...ALERT_EVENTS),
    );
  });
  afterAll(() => database.drop());

  it('registers the subscription and every demo source once, however often it runs', async () => {
    const options = { feedsUrl: 'http://127.0.0.1:3900', recipient: 'demo@example.org' };
    const first = await seedDemo(store, options);
    const ids = readDemoFeeds().map((f) => demoFeedId(f.source));
    expect(first).toEqual({ registered: ids, existing: [], moved: [], subscription: 'created' });
    const [second, third] = await Promise.all([seedDemo(store, options), seedDemo(store, options)]);
    for (const again of [second, third])
      expect(again).toEqual({ registered: [], existing: ids, moved: [], subscription: 'existing' });
    const subscription = await new SubscriptionCommands(store, { doubleOptIn: true }).get(
      DEMO_SUBSCRIPTION_ID,
    );
    expect(subscription?.state).toMatchObject({
      status: 'active',
      recipient: 'demo@example.org',
      delivery: 'immediate',
    });
  });

  it('points its sources at the new port when DEMO_FEEDS_PORT changed', async () => {
    const moved = await seedDemo(store, { feedsUrl: 'http://127.0.0.1:3999', recipient: 'demo@example.org' });
    expect(moved.moved).toHaveLength(readDemoFeeds().length);
    const events = await store.readStream(feedStreamId('demo-wto-news'));
    expect(events.at(-1)).toMatchObject({
      type: 'FeedUpdated',
      data: { changes: { url: 'http://127.0.0.1:3999/wto-news.atom.xml' } },
    });
  });
});

describe('the demo feed server', () => {
  const server = new DemoFeedServer();
  beforeAll(() => server.start(0));
  afterAll(() => server.stop());

  it('serves each snapshot with its type and ETag, 304 on a match, 404 for anything else', async () => {
    for (const feed of readDemoFeeds()) {
      const response = await fetch(`${server.url}/${feed.file}`);
      expect({ file: feed.file, status: response.status }).toEqual({ file: feed.file, status: 200 });
      expect(response.headers.get('content-type')).toBe(feed.contentType);
      expect((await response.text()).length).toBeGreaterThan(100);
      const again = await fetch(`${server.url}/${feed.file}`, {
        headers: { 'if-none-match': response.headers.get('etag')! },
      });
      expect(again.status).toBe(304);
    }
    expect((await fetch(`${server.url}/feeds.yaml`)).status).toBe(404);
    expect((await fetch(`${server.url}/../sources.yaml`)).status).toBe(404);
  });

  it('says which setting to change when its port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, DEMO_FEEDS_HOST, () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(new DemoFeedServer().start(port)).rejects.toThrow(
        `the demo feed server cannot listen on 127.0.0.1:${port} (DEMO_FEEDS_PORT)`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
