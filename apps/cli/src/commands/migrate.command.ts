import { loadConfigOrExit } from '@frictionwatch/config';
import { prepareDatabase } from '@frictionwatch/platform';

/** `--seed`: then registers the sources (demo ones with DEMO=true), as `npm start` does on start. */
export async function migrate(options: { seed?: boolean } = {}): Promise<void> {
  const config = loadConfigOrExit();
  let said = false;
  await prepareDatabase(config, {
    migrate: true,
    seed: options.seed === true,
    log: (message) => {
      said = true;
      process.stdout.write(`${message}\n`);
    },
  });
  if (!said) process.stdout.write('Database is up to date\n');
}
