// `npm run cli -- <command>`: each command's module is loaded only when that command runs, so
// `classify` starts without Nest, Postgres or Redis.
import 'reflect-metadata';
import { Command } from 'commander';
import { registerCommands } from './commands';

const program = new Command('frictionwatch')
  .description('frictionwatch command line')
  .showHelpAfterError()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

registerCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
