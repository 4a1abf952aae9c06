#!/usr/bin/env node
// The image's entry point: `docker run frictionwatch <role> [args]` (ENTRYPOINT ["node",
// "tools/run-role.js"]). It loads the role's TypeScript entry in this same process (no npm, no shell in
// between), so SIGTERM from `docker stop` reaches the code that shuts down gracefully.
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const CLI = 'apps/cli/src/main.ts';

const ROLES = {
  api: { entry: 'apps/api/src/main.ts', about: 'the REST API (HTTP on HOST:PORT)' },
  worker: { entry: 'apps/worker/src/main.ts', about: 'queue consumers and projections (WORKER_QUEUES)' },
  scheduler: { entry: 'apps/scheduler/src/main.ts', about: 'enqueues due feeds and digests' },
  all: {
    entry: 'apps/main.ts',
    about: 'api + worker + scheduler in one process; migrates and seeds on start',
  },
  migrate: { entry: CLI, args: ['migrate'], about: 'applies pending migrations (--seed: then seeds)' },
  cli: { entry: CLI, about: 'the command line: `cli --help` lists its commands' },
};
const SERVERS = new Set(['api', 'worker', 'scheduler', 'all']);

function usage() {
  const lines = Object.entries(ROLES).map(([name, role]) => `  ${name.padEnd(10)} ${role.about}`);
  return `usage: <role> [arguments]\n\nroles:\n${lines.join('\n')}\n\nSettings come from the environment (see .env.example).\n`;
}

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === 'help') {
  process.stdout.write(usage());
  process.exit(name === undefined ? 64 : 0);
}
const role = Object.prototype.hasOwnProperty.call(ROLES, name) ? ROLES[name] : undefined;
if (!role) {
  process.stderr.write(`unknown role "${name}"\n\n${usage()}`);
  process.exit(64); // EX_USAGE
}
// The long-running roles take no arguments: `--help` says what the role is instead of starting it.
if (SERVERS.has(name) && rest.length > 0) {
  if (rest.includes('--help')) {
    process.stdout.write(
      `${name}: ${role.about}\nIt takes no arguments; settings come from the environment.\n`,
    );
    process.exit(0);
  }
  process.stderr.write(`the ${name} role takes no arguments (got: ${rest.join(' ')})\n`);
  process.exit(64);
}

require('./register');
const entry = path.join(ROOT, role.entry);
process.argv = [process.argv[0], entry, ...(role.args ?? []), ...rest];
require(entry);
