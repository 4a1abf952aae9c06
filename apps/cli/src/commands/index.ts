import type { Command } from 'commander';

/** Every command, registered lazily: an action imports its implementation only when it runs. */
export function registerCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (safe to run twice or from several processes)')
    .action(async () => (await import('./migrate.command')).migrate());

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
}
