import { loadConfigOrExit } from '@frictionwatch/config';
import { prepareDatabase } from '@frictionwatch/platform';

export async function migrate(): Promise<void> {
  const config = loadConfigOrExit();
  let said = false;
  await prepareDatabase(config, {
    migrate: true,
    log: (message) => {
      said = true;
      process.stdout.write(`${message}\n`);
    },
  });
  if (!said) process.stdout.write('Database is up to date\n');
}
