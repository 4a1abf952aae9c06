import { Kysely, PostgresDialect } from 'kysely';
import { Pool, type PoolConfig } from 'pg';
import type { Database } from './database.types';

export interface ConnectionOptions {
  databaseUrl: string;
  poolMax?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
}

/** One pool per process; every connection carries a statement timeout so no query runs unbounded. */
export function createPool(options: ConnectionOptions): Pool {
  const config: PoolConfig = {
    connectionString: options.databaseUrl,
    max: options.poolMax ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 30000,
    application_name: options.applicationName ?? 'frictionwatch',
    // Short statements only: JIT compiling one costs tens of milliseconds of CPU, and the planner
    // asks for it whenever its estimates run high (a fresh table without statistics, say).
    options: '-c jit=off',
    idleTimeoutMillis: 30000,
    connectionTimeoutMillis: 10000,
  };
  const pool = new Pool(config);
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // The pool only listens for errors of idle clients: a checked-out client (a transaction awaiting
  // Redis, a migration's lock session) that loses its server emits 'error' with nobody listening,
  // which kills the process. Its query in flight rejects anyway, and the pool drops a broken client
  // on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export function createKysely(pool: Pool): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Closes Kysely and the pool. Kysely's destroy ends the pool only if Kysely itself ever ran a query
 * (its driver binds the pool lazily), so the pool is ended here too.
 */
export async function closeDatabase(db: Kysely<Database>, pool: Pool): Promise<void> {
  await db.destroy();
  if (!(pool as Pool & { ended?: boolean }).ended) await pool.end();
}
