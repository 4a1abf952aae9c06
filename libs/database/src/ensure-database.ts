import { Client } from 'pg';

/** The database named in the URL is missing and could not be created; the message says what to do. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

function describe(url: URL): string {
  return `${decodeURIComponent(url.pathname.slice(1))} on ${url.hostname}:${url.port || 5432}`;
}

/**
 * Creates the database named in `databaseUrl` when it does not exist and the server lets this user
 * create databases; otherwise says clearly which database is missing.
 */
export async function ensureDatabase(databaseUrl: string): Promise<'exists' | 'created'> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  const probe = new Client({ connectionString: databaseUrl });
  try {
    await probe.connect();
    return 'exists';
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') {
      throw new DatabaseUnavailableError(
        `Cannot connect to PostgreSQL database ${describe(url)}: ${(error as Error).message}`,
      );
    }
  } finally {
    await probe.end().catch(() => undefined);
  }

  const maintenanceUrl = new URL(databaseUrl);
  maintenanceUrl.pathname = '/postgres';
  const admin = new Client({ connectionString: maintenanceUrl.toString() });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return 'created';
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '42P04') return 'exists'; // created by a concurrent starter
    throw new DatabaseUnavailableError(
      `Database ${describe(url)} does not exist and could not be created (${(error as Error).message}). ` +
        `Create it (createdb ${name}) or point DATABASE_URL at an existing database.`,
    );
  } finally {
    await admin.end().catch(() => undefined);
  }
}
