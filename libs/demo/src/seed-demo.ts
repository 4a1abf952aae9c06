import { WrongExpectedVersionError, type PostgresEventStore } from '@frictionwatch/event-store';
import { SubscriptionCommands, SubscriptionSpecSchema } from '@frictionwatch/alerts';
import { feedStreamId, FeedRegistry } from '@frictionwatch/feeds';
import { demoSources } from './demo-feeds';

/** The demo subscription's fixed id: seeding twice finds it instead of creating a second one. */
export const DEMO_SUBSCRIPTION_ID = 'sub_demo0000000001';

export interface DemoSeedResult {
  registered: string[];
  /** Registered before; `moved` ones had another URL. */
  existing: string[];
  moved: string[];
  subscription: 'created' | 'existing';
}

/**
 * Registers the demo: first an immediate subscription of every trade-friction item for `recipient`
 * (before any item is classified, so the first items already mail), then the demo sources pointed at
 * `feedsUrl`. Safe to run on every start and from several processes; a demo source registered with
 * another URL (DEMO_FEEDS_PORT changed) is moved to the current one.
 */
export async function seedDemo(
  store: PostgresEventStore,
  options: { feedsUrl: string; recipient: string },
): Promise<DemoSeedResult> {
  const subscriptions = new SubscriptionCommands(store, { doubleOptIn: false });
  let subscription: DemoSeedResult['subscription'] = 'existing';
  if (!(await subscriptions.get(DEMO_SUBSCRIPTION_ID))) {
    try {
      await subscriptions.create(
        SubscriptionSpecSchema.parse({
          recipient: options.recipient,
          name: 'Demo: every trade-friction item',
          delivery: 'immediate',
        }),
        DEMO_SUBSCRIPTION_ID,
      );
      subscription = 'created';
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
  }

  const feeds = new FeedRegistry(store);
  const registered: string[] = [];
  const existing: string[] = [];
  const moved: string[] = [];
  for (const source of demoSources(options.feedsUrl)) {
    const correlation = { correlationId: `demo-seed:${source.feedId}` };
    if (await feeds.register(source, correlation)) {
      registered.push(source.feedId);
      continue;
    }
    existing.push(source.feedId);
    if ((await currentUrl(store, source.feedId)) !== source.url) {
      await feeds.update(source.feedId, { url: source.url }, 'demo feed server moved');
      moved.push(source.feedId);
    }
  }
  return { registered, existing, moved, subscription };
}

async function currentUrl(store: PostgresEventStore, feedId: string): Promise<string | null> {
  let url: string | null = null;
  for (const event of await store.readStream(feedStreamId(feedId))) {
    const data = event.data as { url?: string; changes?: { url?: string } };
    if (event.type === 'FeedRegistered') url = data.url ?? url;
    if (event.type === 'FeedUpdated') url = data.changes?.url ?? url;
  }
  return url;
}
