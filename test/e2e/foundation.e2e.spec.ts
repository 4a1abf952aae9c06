import { PostgresEventStore } from '@frictionwatch/event-store';
import { ProjectionEngine } from '@frictionwatch/projections';
import {
  appliedEventsProjection,
  createTestDatabase,
  dropDatabase,
  testDatabaseUrl,
  testEventRegistry,
  testQueuePrefix,
  type TestDatabase,
} from '@frictionwatch/testing';
import { migrations } from '../../migrations';
import { finished, runTs, waitForOutput } from '../support/processes';
import { freePort } from '../support/free-port';

describe('migrate from two processes at once', () => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase({ migrated: false })));
  afterAll(() => database.drop());

  it('both succeed and each migration is applied once', async () => {
    const env = { DATABASE_URL: database.url };
    const [a, b] = await Promise.all([
      finished(runTs('apps/cli/src/main.ts', ['migrate'], env)),
      finished(runTs('apps/cli/src/main.ts', ['migrate'], env)),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(`${a.stdout}${b.stdout}`).toContain(`Applied migrations: ${Object.keys(migrations).join(', ')}`);
    expect(`${a.stdout}${b.stdout}`).toContain('Database is up to date');
    const { rows } = await database.pool.query('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(Object.keys(migrations));
  });
});

describe('a projection runner killed in the middle of a batch', () => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase()));
  afterAll(() => database.drop());

  it('leaves nothing half-applied, and another runner applies the batch exactly once', async () => {
    const store = new PostgresEventStore(database.pool, testEventRegistry());
    for (let i = 0; i < 50; i += 1)
      await store.append(`counter-${i % 5}`, [{ type: 'Counted', data: { n: i } }]);

    const child = runTs('test/support/hanging-projection.ts', [], { DATABASE_URL: database.url });
    const done = finished(child);
    await waitForOutput(child, 'IN_BATCH');
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');

    const engine = new ProjectionEngine(database.db, store, [appliedEventsProjection()]);
    // The killed runner's transaction is rolled back when its connection drops; wait for that.
    let outcome = await engine.runBatch('applied_events', 1);
    for (let i = 0; i < 100 && outcome.kind === 'busy'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      outcome = await engine.runBatch('applied_events', 1);
    }
    expect(outcome).toMatchObject({ kind: 'applied', events: 50 });
    const { rows } = await database.pool.query(
      'SELECT count(*)::int AS n, count(DISTINCT global_position)::int AS d FROM proj_applied_events_g1.applied_events',
    );
    expect(rows[0]).toEqual({ n: 50, d: 50 });
  });
});

describe('the api process', () => {
  const name = `fw_test_api_${process.pid}`;
  // The process opens the queues: under a prefix of its own, removed afterwards.
  const queue = testQueuePrefix();
  afterAll(async () => {
    await dropDatabase(name);
    await queue.cleanup();
  });

  it('creates a missing database, migrates, and answers live and ready', async () => {
    const port = await freePort();
    const child = runTs('apps/main.ts', [], {
      DATABASE_URL: testDatabaseUrl(name),
      QUEUE_PREFIX: queue.prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    const done = finished(child);
    try {
      await waitForOutput(child, `listening on http://127.0.0.1:${port}`);
      expect(child.output.stdout + child.output.stderr).toContain(`Created database ${name}`);
      const live = await fetch(`http://127.0.0.1:${port}/health/live`);
      expect(live.status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ok',
        info: { postgres: { status: 'up' }, redis: { status: 'up' } },
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect((await done).code).toBe(0);
  });

  it('reports not ready (503) when Redis does not answer', async () => {
    const database = await createTestDatabase();
    const port = await freePort();
    const deadRedis = await freePort();
    const child = runTs('apps/api/src/main.ts', [], {
      DATABASE_URL: database.url,
      REDIS_URL: `redis://127.0.0.1:${deadRedis}`,
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    const done = finished(child);
    try {
      await waitForOutput(child, 'listening on');
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'error', error: { redis: { status: 'down' } } });
      expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await done;
      await database.drop();
    }
  });

  it('stops at boot with one clear line naming a bad setting', async () => {
    const result = await finished(
      runTs('apps/api/src/main.ts', [], { PORT: 'eighty', DATABASE_URL: 'mysql://x' }),
    );
    expect(result.code).toBe(78);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(result.stderr).toContain('PORT="eighty"');
    expect(result.stderr).toContain('DATABASE_URL="mysql://x" must be a URL starting with postgres://');
  });

  it('names a database it may not create', async () => {
    const url = new URL(testDatabaseUrl('fw_test_cannot_create'));
    url.username = 'frictionwatch_nobody';
    const result = await finished(
      runTs('apps/cli/src/main.ts', ['migrate'], { DATABASE_URL: url.toString() }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/fw_test_cannot_create/);
  });
});
