import type { AppConfig } from '@frictionwatch/config';
import { demoFeedsUrl, seedDemo } from '@frictionwatch/demo';
import type { PostgresEventStore } from '@frictionwatch/event-store';
import { FeedRegistry, seedSources } from '@frictionwatch/feeds';

export interface SeedReport {
  registered: string[];
  existing: string[];
  /** DEMO=true: the demo subscription, created now or found. */
  demoSubscription?: 'created' | 'existing';
}

/**
 * The sources a fresh database gets: the default ones of seeds/sources.yaml, or with DEMO=true the demo
 * sources (seeds/demo) and the demo subscription instead. Idempotent. Registering only appends to the
 * sources' own streams: no read model is needed.
 */
export async function seedDatabase(store: PostgresEventStore, config: AppConfig): Promise<SeedReport> {
  if (!config.DEMO) return seedSources(new FeedRegistry(store));
  const demo = await seedDemo(store, {
    feedsUrl: demoFeedsUrl(config.DEMO_FEEDS_PORT),
    recipient: config.DEMO_ALERT_RECIPIENT,
  });
  return {
    registered: demo.registered,
    existing: demo.existing,
    demoSubscription: demo.subscription,
  };
}

/** One line for the log, or null when there was nothing to do. */
export function describeSeed(report: SeedReport): string | null {
  const sources = report.demoSubscription ? 'demo sources' : 'default sources';
  const subscription = report.demoSubscription === 'created' ? ' and the demo subscription' : '';
  if (!report.registered.length && !subscription) return null;
  return `Registered ${report.registered.length} ${sources}${subscription}`;
}
