export type * from './database.types';
export { createPool, createKysely, closeDatabase, type ConnectionOptions } from './connection';
export { ensureDatabase, DatabaseUnavailableError } from './ensure-database';
export { isDatabaseUnavailable } from './database-unavailable';
export { migrateToLatest, type MigrationReport } from './migrate';
export { DatabaseModule, PG_POOL, KYSELY } from './database.module';
