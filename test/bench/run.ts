// `npm run bench -- <name>` runs test/bench/<name>.bench.ts, whose default export is an async function
// that measures and ends by printing one JSON line.
import 'reflect-metadata';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const name = process.argv[2];
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.replace(/\.bench\.ts$/, ''));
  if (!name || !existsSync(join(__dirname, `${name}.bench.ts`))) {
    console.error(`usage: npm run bench -- <name>   (available: ${available.join(', ')})`);
    process.exit(2);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bench = require(join(__dirname, `${name}.bench.ts`)) as {
    default: (args: string[]) => Promise<void>;
  };
  await bench.default(process.argv.slice(3));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
