import { sql, type Kysely } from 'kysely';

/** API keys, stored as a SHA-256 of their secret part only; revoked keys stay for the record. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE api_keys (
      key_id text NOT NULL,
      name text NOT NULL,
      scope text NOT NULL,
      secret_sha256 bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      CONSTRAINT api_keys_pkey PRIMARY KEY (key_id),
      CONSTRAINT api_keys_scope_check CHECK (scope IN ('read', 'admin'))
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS api_keys`.execute(db);
}
