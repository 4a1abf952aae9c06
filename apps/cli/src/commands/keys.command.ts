import { ApiKeys, type Scope } from '@frictionwatch/http-api';
import { withCliContext } from './cli-context';

/** Prints the new key alone on its last line (it is shown once: only its hash is stored). */
export async function create(options: { scope: string; name: string }): Promise<void> {
  if (options.scope !== 'read' && options.scope !== 'admin') throw new Error('--scope must be read or admin');
  await withCliContext(async ({ db }) => {
    const { keyId, key } = await new ApiKeys(db).create(options.name, options.scope as Scope);
    process.stdout.write(
      `Created ${options.scope} key ${keyId} (${options.name}); it is shown once:\n${key}\n`,
    );
  });
}

export async function revoke(keyId: string): Promise<void> {
  await withCliContext(async ({ db }) => {
    process.stdout.write(
      (await new ApiKeys(db).revoke(keyId)) ? `Revoked key ${keyId}\n` : `No active key ${keyId}\n`,
    );
  });
}

export async function list(): Promise<void> {
  await withCliContext(async ({ db }) => {
    console.table(await new ApiKeys(db).list());
  });
}
