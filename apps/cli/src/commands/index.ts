import type { Command } from 'commander';

/** Every command, registered lazily: an action imports its implementation only when it runs. */
export function registerCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (safe to run twice or from several processes)')
    .option(
      '--seed',
      'then register the default sources as npm start does (DEMO=true: the demo ones; SEED_ON_START=false: none)',
    )
    .action(async (options: { seed?: boolean }) => (await import('./migrate.command')).migrate(options));

  const projections = program.command('projections').description('inspect and rebuild projections');
  projections
    .command('status')
    .description('per projection: position, lag, hidden events, oldest writing transaction, status')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => (await import('./projections.command')).status(options));
  projections
    .command('rebuild <name>')
    .description('rebuild a projection blue/green beside the live one, then switch reads to it')
    .action(async (name: string) => (await import('./projections.command')).rebuild(name));
  projections
    .command('retry <name>')
    .description('put a failed projection back to work once its handler is fixed')
    .action(async (name: string) => (await import('./projections.command')).retry(name));

  program
    .command('verify')
    .description(
      "check the system's invariants against the event log; exit 0 all passed, 1 a check failed, 2 usage or connection error",
    )
    .option('--json', 'print one JSON object: {"ok", "checks": [{"name", "ok", "detail", "violations"}]}')
    // A usage error is exit 2 here (commander's default is 1, which means "a check failed").
    .exitOverride((error) => {
      if (error.exitCode !== 0) process.exit(2);
      throw error;
    })
    .action(async (options: { json?: boolean }) => (await import('./verify.command')).verify(options));

  program
    .command('seed')
    .description(
      'register the default sources of seeds/sources.yaml not registered yet (DEMO=true: the demo sources and subscription)',
    )
    .action(async () => (await import('./feeds.command')).seed());

  const feeds = program.command('feeds').description('list and manage the sources');
  feeds
    .command('list')
    .description('every feed with its schedule and health')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => (await import('./feeds.command')).list(options));
  feeds
    .command('add <url>')
    .description('register a feed')
    .option('--name <name>', 'display name')
    .option('--kind <kind>', 'rss | json | html', 'rss')
    .option('--interval <minutes>', 'polling interval in minutes (default: FEED_DEFAULT_INTERVAL_MINUTES)')
    .option('--id <id>', 'feed id (default: derived from the URL)')
    .option('--jurisdiction <code>', "the publisher's jurisdiction (ISO code or EU)")
    .option(
      '--json-mapping <json>',
      'for json sources: {"itemsPath","title","link","date","summary","id","extra"}',
    )
    .option(
      '--html-mapping <json>',
      'for html sources: {"item","title","link","date","summary"} CSS selectors',
    )
    .action(async (url: string, options: Record<string, string>) =>
      (await import('./feeds.command')).add(url, options),
    );
  for (const action of ['pause', 'resume', 'remove'] as const) {
    feeds
      .command(`${action} <id>`)
      .description(`${action} a feed`)
      .action(async (id: string) => (await import('./feeds.command')).change(action, id));
  }

  program
    .command('reclassify')
    .description(
      're-classify, through the queue, every item classified by another classifier or taxonomy version',
    )
    .option('--no-wait', 'enqueue and return without following progress')
    .option('--timeout <seconds>', 'how long to follow progress', '600')
    .action(async (options: { wait: boolean; timeout: string }) =>
      (await import('./reclassify.command')).reclassify(options),
    );

  program
    .command('backfill <source>')
    .description('page a json source through history in date slices (YYYY-MM-DD)')
    .requiredOption('--from <date>', 'first publication date')
    .option('--to <date>', 'last publication date (default: today)')
    .action(async (source: string, options: { from: string; to?: string }) =>
      (await import('./backfill.command')).backfill(source, options),
    );

  program
    .command('classify')
    .description('classify JSON Lines items on stdin into JSON Lines on stdout (no database needed)')
    .action(async () => (await import('./classify.command')).classify());

  program
    .command('parse-feed <inputs...>')
    .description("run the worker's fetch-parse-normalise path on files or URLs; one JSON line per input")
    .option('--kind <kind>', 'rss (json and html sources need their mapping: use a registered feed)', 'rss')
    .action(async (inputs: string[], options: { kind: string }) =>
      (await import('./parse-feed.command')).parseFeed(inputs, options),
    );

  const keys = program.command('keys').description('API keys (read or admin scope)');
  keys
    .command('create')
    .description('create a key; the key is printed alone on the last line, once')
    .requiredOption('--scope <scope>', 'read | admin')
    .requiredOption('--name <name>', 'who or what uses it')
    .action(async (options: { scope: string; name: string }) =>
      (await import('./keys.command')).create(options),
    );
  keys
    .command('revoke <id>')
    .description('revoke a key')
    .action(async (id: string) => (await import('./keys.command')).revoke(id));
  keys
    .command('list')
    .description('every key (never the secret)')
    .action(async () => (await import('./keys.command')).list());
}
