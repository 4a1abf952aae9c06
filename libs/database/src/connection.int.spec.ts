import type { Pool } from 'pg';
import { TEST_SERVER_URL } from '@frictionwatch/testing';
import { createPool } from './connection';

describe('createPool', () => {
  let pool: Pool;

  beforeEach(() => {
    pool = createPool({ databaseUrl: TEST_SERVER_URL, poolMax: 3 });
  });

  afterEach(async () => {
    await pool.end();
  });

  it('survives the server ending a checked-out client, and serves the next query on a new one', async () => {
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    // What a Postgres restart does to a client held in a transaction: its backend goes away while it
    // is checked out and idle. Without a listener of the pool's own, the 'error' event is uncaught.
    await pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    // Give the client time to read the server's goodbye (the 'error' event) while nobody queries it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release();

    const next = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(next.rows[0].pid).not.toBe(rows[0].pid);
  });

  it('listens for errors of a checked-out client', async () => {
    const client = await pool.connect();
    // The process's only protection against an uncaught 'error' event while the client is checked out.
    expect(client.listenerCount('error')).toBeGreaterThan(0);
    client.release();
  });
});
