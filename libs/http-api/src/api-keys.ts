import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '@frictionwatch/database';

export type Scope = 'read' | 'admin';

const KEY_FORMAT = /^fw_([a-z0-9]{10})_([A-Za-z0-9_-]{32,64})$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** API keys: `fw_<id>_<secret>`; only a SHA-256 of the secret is stored, compared in constant time. */
export class ApiKeys {
  constructor(private readonly db: Kysely<Database>) {}

  async create(name: string, scope: Scope): Promise<{ keyId: string; key: string }> {
    const keyId = randomBytes(8).toString('hex').slice(0, 10);
    const secret = randomBytes(32).toString('base64url');
    await this.db
      .insertInto('api_keys')
      .values({ key_id: keyId, name, scope, secret_sha256: sha256(secret) })
      .execute();
    return { keyId, key: `fw_${keyId}_${secret}` };
  }

  async revoke(keyId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: new Date() })
      .where('key_id', '=', keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async list() {
    return this.db
      .selectFrom('api_keys')
      .select(['key_id', 'name', 'scope', 'created_at', 'revoked_at'])
      .orderBy('created_at')
      .execute();
  }

  /** The key's scope, or why it is refused. Never says whether an id exists when the secret is wrong. */
  async verify(
    presented: string,
  ): Promise<{ scope: Scope; keyId: string } | { refused: 'malformed' | 'invalid' }> {
    const match = KEY_FORMAT.exec(presented);
    if (!match) return { refused: 'malformed' };
    const row = await this.db
      .selectFrom('api_keys')
      .select(['scope', 'secret_sha256', 'revoked_at'])
      .where('key_id', '=', match[1])
      .executeTakeFirst();
    const expected = row?.secret_sha256 ?? sha256('no such key');
    const same = timingSafeEqual(expected, sha256(match[2]));
    if (!row || !same || row.revoked_at) return { refused: 'invalid' };
    return { scope: row.scope, keyId: match[1] };
  }
}
