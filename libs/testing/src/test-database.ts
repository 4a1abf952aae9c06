import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type Pool } from 'pg';
import type { Kysely } from 'kysely';
import {
  closeDatabase,
  createKysely,
  createPool,
  migrateToLatest,
  type Database,
} from '@frictionwatch/database';

/** The server the tests use; its maintenance database is where test databases are created. */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

const MIGRATIONS_DIR = join(__dirname, '..', '..', '..', 'migrations');

function urlFor(database: string): string {
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The template's name changes whenever a migration changes, so a stale template is never reused. */
export function templateName(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_DIR).sort())
    hash.update(file).update(readFileSync(join(MIGRATIONS_DIR, file)));
  return `fw_template_${hash.digest('hex').slice(0, 12)}`;
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Builds the migrated template once per migrations version (Jest global setup calls this). */
export async function ensureTemplateDatabase(): Promise<string> {
  const name = templateName();
  await withAdmin(async (admin) => {
    await admin.query('SELECT pg_advisory_lock(20261123)');
    try {
      // Templates of earlier migration versions are of no further use once a day has passed: a
      // younger one may belong to another checkout of another branch testing on the same server.
      const stale = await admin.query<{ datname: string }>(
        `SELECT d.datname FROM pg_database d
         WHERE d.datname LIKE 'fw\\_template\\_%' AND d.datname <> $1
           AND coalesce(substring(shobj_description(d.oid, 'pg_database') FROM '^built (.*)$')::timestamptz, now())
               < now() - interval '1 day'`,
        [name],
      );
      for (const { datname } of stale.rows) {
        await admin.query(`ALTER DATABASE "${datname}" WITH IS_TEMPLATE false`).catch(() => undefined);
        await admin.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
      }
      const { rows } = await admin.query('SELECT datistemplate FROM pg_database WHERE datname = $1', [name]);
      if (rows[0]?.datistemplate) return;
      if (rows.length) await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${name}"`);
      const pool = createPool({ databaseUrl: urlFor(name), poolMax: 2 });
      const db = createKysely(pool);
      try {
        await migrateToLatest(pool, db);
      } finally {
        await closeDatabase(db, pool);
      }
      // Marked a template only once complete: a half-built one is rebuilt by the next run.
      await admin.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
      await admin.query(`COMMENT ON DATABASE "${name}" IS 'built ${new Date().toISOString()}'`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(20261123)');
    }
  });
  return name;
}

export interface TestDatabase {
  name: string;
  url: string;
  pool: Pool;
  db: Kysely<Database>;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file, cloned from the template. */
export async function createTestDatabase(
  options: { migrated?: boolean; poolMax?: number } = {},
): Promise<TestDatabase> {
  const name = `fw_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const migrated = options.migrated ?? true;
  await withAdmin(async (admin) => {
    if (migrated) {
      const clone = () => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName()}"`);
      await clone().catch(async (error: { code?: string }) => {
        // Another checkout's test run may have dropped it (an older setup drops every other version).
        if (error.code !== '3D000') throw error;
        await ensureTemplateDatabase();
        await clone();
      });
    } else await admin.query(`CREATE DATABASE "${name}"`);
  });
  const url = urlFor(name);
  const pool = createPool({
    databaseUrl: url,
    poolMax: options.poolMax ?? 10,
    applicationName: 'frictionwatch-test',
  });
  const db = createKysely(pool);
  let dropped = false;
  return {
    name,
    url,
    pool,
    db,
    async drop() {
      if (dropped) return;
      dropped = true;
      await closeDatabase(db, pool).catch(() => undefined);
      await dropDatabase(name);
    },
  };
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

export function testDatabaseUrl(name: string): string {
  return urlFor(name);
}
