// `npm run soak -- --minutes N [--seed S] [--feeds F] [--drain-timeout S] [--logs DIR]`: see soak.ts.
// Progress goes to stderr; the last line on stdout is the JSON result. Exit 1 when verify failed, an
// item was lost or ingested twice, the drain timed out, or an app crashed on its own.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Soak } from './soak';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      seed: { type: 'string' },
      feeds: { type: 'string', default: '30' },
      'drain-timeout': { type: 'string', default: '300' },
      logs: { type: 'string' },
    },
  });
  const minutes = Number(values.minutes);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  const feeds = Number(values.feeds);
  const drainTimeoutSeconds = Number(values['drain-timeout']);
  if (!(minutes > 0) || !Number.isInteger(seed) || !(feeds >= 5) || !(drainTimeoutSeconds > 0)) {
    process.stderr.write(
      'usage: npm run soak -- --minutes N [--seed S] [--feeds F>=5] [--drain-timeout SECONDS] [--logs DIR]\n',
    );
    return 2;
  }
  const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const soak = new Soak({ minutes, seed, feeds, drainTimeoutSeconds, logDir: values.logs, log });
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) {
      log('interrupted again: killing everything the soak started');
      soak.abortNow();
      process.exit(130);
    }
    interrupted = true;
    log('interrupted: stopping everything the soak started');
    soak.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const result = await soak.run();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  const failed =
    result.verify === 'failed' ||
    result.lost > 0 ||
    result.duplicates > 0 ||
    !result.drained ||
    result.crashes > 0;
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
