import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Pool } from 'pg';
import { migrations } from '../../../migrations';

// Any fixed number: every process that migrates takes the same session-level advisory lock.
const MIGRATION_LOCK_KEY = 7_311_042_026;

export interface MigrationReport {
  applied: string[];
}

/**
 * Applies pending migrations. Safe to run twice and from several processes at once: a session advisory
 * lock serialises whole runs (Kysely's own lock covers only its transaction, not its table creation).
 */
export async function migrateToLatest<DB>(
  pool: Pool,
  db: Kysely<DB>,
  source: Record<string, Migration> = migrations,
): Promise<MigrationReport> {
  const lockClient = await pool.connect();
  try {
    await lockClient.query('SET statement_timeout = 0');
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => source },
      migrationTableName: 'schema_migrations',
      migrationLockTableName: 'schema_migrations_lock',
    });
    const result: MigrationResultSet = await migrator.migrateToLatest();
    if (result.error) {
      const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
      const reason = result.error instanceof Error ? result.error.message : String(result.error);
      throw new Error(`Migration ${failed ?? '(setup)'} failed: ${reason}`);
    }
    return {
      applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    };
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockClient.query('RESET statement_timeout').catch(() => undefined);
    lockClient.release();
  }
}
