import { createHash } from 'node:crypto';
import {
  FeedRegistry,
  FeedRepository,
  HtmlMappingSchema,
  JsonMappingSchema,
  SOURCE_KINDS,
  type SourceKind,
} from '@frictionwatch/feeds';
import { loadConfigOrExit } from '@frictionwatch/config';
import { seedDatabase } from '@frictionwatch/platform';
import { withCliContext, type CliContext } from './cli-context';

/**
 * The feeds read model, brought up to date first (the CLI may run while no worker does), up to the
 * log's head: a feed added a moment ago by another command is there even while another writer's open
 * transaction holds the watermark back.
 */
export async function feedRepository(context: CliContext): Promise<FeedRepository> {
  await context.engine.initialise();
  const generation = await context.engine.repository.activeGeneration('feeds');
  if (generation !== null) await context.engine.catchUpToHead('feeds', generation);
  return new FeedRepository(context.db, context.engine);
}

export async function seed(): Promise<void> {
  await withCliContext(async ({ store, config }) => {
    const { registered, existing, demoSubscription } = await seedDatabase(store, config);
    process.stdout.write(
      `Registered ${registered.length} source(s)${registered.length ? `: ${registered.join(', ')}` : ''}; ${existing.length} already registered\n`,
    );
    if (demoSubscription)
      process.stdout.write(`Demo subscription ${demoSubscription} (${config.DEMO_ALERT_RECIPIENT})\n`);
  });
}

export async function list(options: { json?: boolean }): Promise<void> {
  await withCliContext(async (context) => {
    const feeds = await (await feedRepository(context)).list();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(feeds)}\n`);
      return;
    }
    console.table(
      feeds.map((f) => ({
        id: f.feedId,
        kind: f.kind,
        status: f.status,
        healthy: f.healthy,
        'every (min)': f.intervalMinutes,
        'next due': f.nextDueAt,
        'last success': f.lastSuccessAt ?? '',
        failures: f.consecutiveFailures,
        'last failure': f.lastFailureReason ?? '',
      })),
    );
  });
}

export interface AddOptions {
  name?: string;
  kind?: string;
  interval?: string;
  id?: string;
  jurisdiction?: string;
  jsonMapping?: string;
  htmlMapping?: string;
}

export async function add(url: string, options: AddOptions): Promise<void> {
  const parsedUrl = new URL(url);
  const kind = (options.kind ?? 'rss') as SourceKind;
  if (!SOURCE_KINDS.includes(kind)) throw new Error(`--kind must be one of ${SOURCE_KINDS.join(', ')}`);
  const interval = Number(options.interval ?? loadConfigOrExit().FEED_DEFAULT_INTERVAL_MINUTES);
  if (!Number.isInteger(interval) || interval <= 0)
    throw new Error('--interval must be a whole number of minutes');
  const json = options.jsonMapping ? JsonMappingSchema.parse(JSON.parse(options.jsonMapping)) : null;
  const html = options.htmlMapping ? HtmlMappingSchema.parse(JSON.parse(options.htmlMapping)) : null;
  if (kind === 'json' && !json) throw new Error('a json source needs --json-mapping');
  if (kind === 'html' && !html) throw new Error('an html source needs --html-mapping');
  const feedId =
    options.id ??
    `${parsedUrl.hostname
      .replace(/^www\./, '')
      .replace(/[^a-z0-9]+/gi, '-')
      .toLowerCase()}-${createHash('sha256').update(url).digest('hex').slice(0, 8)}`;
  await withCliContext(async ({ store }) => {
    const created = await new FeedRegistry(store).register({
      feedId,
      name: options.name ?? parsedUrl.hostname,
      url,
      kind,
      json,
      html,
      intervalMinutes: interval,
      jurisdictionHint: options.jurisdiction ?? null,
      topics: [],
      publisher: null,
    });
    process.stdout.write(created ? `Registered feed ${feedId}\n` : `Feed ${feedId} is already registered\n`);
  });
}

export async function change(action: 'pause' | 'resume' | 'remove', feedId: string): Promise<void> {
  await withCliContext(async ({ store }) => {
    const registry = new FeedRegistry(store);
    if (action === 'pause') await registry.pause(feedId);
    else if (action === 'resume') await registry.resume(feedId);
    else await registry.remove(feedId);
    process.stdout.write(`Feed ${feedId}: ${action}d\n`);
  });
}
