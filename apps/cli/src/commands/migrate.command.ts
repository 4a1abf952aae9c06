import { loadConfigOrExit } from '@frictionwatch/config';
import { prepareDatabase } from '@frictionwatch/platform';

/**
 * `--seed`: then registers the sources as `npm start` does on start (demo ones with DEMO=true; none with
 * SEED_ON_START=false), so a one-shot migrate container can stand for `npm start`'s preparation.
 */
export async function migrate(options: { seed?: boolean } = {}): Promise<void> {
  const config = loadConfigOrExit();
  let said = false;
  await prepareDatabase(config, {
    migrate: true,
    seed: options.seed === true && config.SEED_ON_START,
    log: (message) => {
      said = true;
      process.stdout.write(`${message}\n`);
    },
  });
  if (!said) process.stdout.write('Database is up to date\n');
}
