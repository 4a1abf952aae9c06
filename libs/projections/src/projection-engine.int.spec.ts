import { Client } from 'pg';
import { sql } from 'kysely';
import { EventNotifier, PostgresEventStore, WrongExpectedVersionError } from '@frictionwatch/event-store';
import {
  appliedEventsProjection,
  createTestDatabase,
  testEventRegistry,
  type TestDatabase,
  pollUntil,
} from '@frictionwatch/testing';
import { ProjectionEngine } from './projection-engine';
import { eventTypeCountsProjection } from './event-type-counts.projection';
import { generationSchema } from './projection';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds (a minute at most, unless told). */
const waitFor = (check: () => Promise<boolean>, timeoutMs = 60000) =>
  pollUntil(check, { timeoutMs, intervalMs: 50 });

async function count(database: TestDatabase, table: string): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0].n;
}

describe('ProjectionEngine under concurrent writers', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let notifier: EventNotifier;

  beforeAll(async () => {
    database = await createTestDatabase({ poolMax: 20 });
    notifier = new EventNotifier(database.pool, database.url);
    store = new PostgresEventStore(database.pool, testEventRegistry(), {
      onAppended: () => notifier.appended(),
    });
  });
  afterAll(async () => {
    await notifier.close();
    await database.drop();
  });

  it('applies 20,000 events from 8 writers exactly once, in checkpoint order, while a naive reader misses some', async () => {
    const engine = new ProjectionEngine(database.db, store, [appliedEventsProjection()], {
      notifier,
      batchSize: 500,
      pollIntervalMs: 200,
    });
    await engine.start();

    const target = 20000;
    let written = 0;
    let conflicts = 0;
    const streams = Array.from({ length: 40 }, (_, i) => `counter-${i}`);

    // The control: a reader that trusts `global_position > last seen` misses transactions that
    // took a lower position and committed after a higher one.
    const naiveSeen = new Set<string>();
    let writing = true;
    const naive = (async () => {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      let last = '0';
      while (writing) {
        const { rows } = await client.query<{ p: string }>(
          'SELECT global_position::text AS p FROM events WHERE global_position > $1 ORDER BY global_position LIMIT 1000',
          [last],
        );
        for (const row of rows) naiveSeen.add(row.p);
        if (rows.length) last = rows[rows.length - 1].p;
        else await sleep(1);
      }
      await client.end();
    })();

    const writer = async (id: number) => {
      const client = await database.pool.connect();
      try {
        while (written < target) {
          const stream = streams[Math.floor(Math.random() * streams.length)];
          const size = Math.min(1 + Math.floor(Math.random() * 4), target - written);
          if (size <= 0) break;
          const events = Array.from({ length: size }, (_, n) => ({
            type: 'Counted',
            data: { n, writer: id },
          }));
          const version = await store.streamVersion(stream);
          await client.query('BEGIN');
          try {
            await store.append(stream, events, {
              expectedVersion: version === null ? 'no_stream' : BigInt(version),
              executor: client,
            });
            // A short pause inside the transaction: commits land out of position order.
            await client.query('SELECT pg_sleep($1)', [Math.random() * 0.003]);
            await client.query('COMMIT');
            written += size;
          } catch (error) {
            await client.query('ROLLBACK');
            if (!(error instanceof WrongExpectedVersionError)) throw error;
            conflicts += 1;
          }
        }
      } finally {
        client.release();
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, i) => writer(i)));
    writing = false;
    await naive;

    const total = await count(database, 'events');
    expect(total).toBe(written);
    expect(total).toBeGreaterThanOrEqual(target);
    expect(conflicts).toBeGreaterThan(0);

    const schema = generationSchema('applied_events', 1);
    await waitFor(async () => (await count(database, `${schema}.applied_events`)) === total);
    await engine.stop();

    // Exactly once: the primary key refuses a second application; every stored event is there.
    const { rows: missing } = await database.pool.query(
      `SELECT e.global_position FROM events e LEFT JOIN ${schema}.applied_events a USING (global_position) WHERE a.global_position IS NULL`,
    );
    expect(missing).toEqual([]);

    // Applied in checkpoint order: the application sequence sorts the same as (transaction id, position).
    const { rows: order } = await database.pool.query<{ out_of_order: number }>(`
      SELECT count(*)::int AS out_of_order FROM (
        SELECT seq, row_number() OVER (ORDER BY transaction_id::xid8, global_position) AS expected_rank,
               row_number() OVER (ORDER BY seq) AS actual_rank
        FROM ${schema}.applied_events) t
      WHERE expected_rank <> actual_rank`);
    expect(order[0].out_of_order).toBe(0);

    // A stream's events reach the projection in version order.
    const { rows: streamOrder } = await database.pool.query<{ bad: number }>(`
      SELECT count(*)::int AS bad FROM (
        SELECT stream_version, lag(stream_version) OVER (PARTITION BY stream_id ORDER BY seq) AS previous
        FROM ${schema}.applied_events) t
      WHERE previous IS NOT NULL AND stream_version <> previous + 1`);
    expect(streamOrder[0].bad).toBe(0);

    // The control demonstrably loses events.
    expect(naiveSeen.size).toBeLessThan(total);
  });
});

describe('reading the log while a lower position commits late', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore(database.pool, testEventRegistry());
  });
  afterAll(() => database.drop());

  it('does not skip a transaction that took a lower position and committed after a higher one', async () => {
    await store.append('early-0', [{ type: 'Counted', data: { n: 0 } }]);
    const before = await store.readAll();
    expect(before.events).toHaveLength(1);

    const slow = new Client({ connectionString: database.url });
    await slow.connect();
    await slow.query('BEGIN');
    const low = await store.append('slow-1', [{ type: 'Counted', data: { n: 1 } }], { executor: slow });
    const high = await store.append('fast-1', [{ type: 'Counted', data: { n: 2 } }]);
    expect(BigInt(low.positions[0])).toBeLessThan(BigInt(high.positions[0]));

    // The naive reader has already moved past the low position.
    const { rows: naive } = await database.pool.query<{ p: string }>(
      'SELECT global_position::text AS p FROM events WHERE global_position > $1 ORDER BY global_position',
      [before.events[0].globalPosition],
    );
    expect(naive.map((r) => r.p)).toEqual([high.positions[0]]);

    // The gap-safe reader holds back until the slow transaction ends.
    const during = await store.readAll({ after: before.checkpoint });
    expect(during.events).toEqual([]);
    expect(during.checkpoint).toBe(before.checkpoint);

    await slow.query('COMMIT');
    await slow.end();
    const after = await store.readAll({ after: during.checkpoint });
    expect(after.events.map((e) => e.globalPosition)).toEqual([low.positions[0], high.positions[0]]);
    const again = await store.readAll({ after: after.checkpoint });
    expect(again.events).toEqual([]);
  });

  it('catchUpToHead waits for what another open transaction hides, where catchUp stops at the watermark', async () => {
    const engine = new ProjectionEngine(database.db, store, [appliedEventsProjection()], {});
    await engine.initialise();
    await engine.catchUp('applied_events', 1);

    const other = new Client({ connectionString: database.url });
    await other.connect();
    try {
      // Another writer's transaction takes its id first and stays open; then "our" command appends.
      await other.query('BEGIN');
      await other.query('SELECT pg_current_xact_id()');
      const ours = await store.append('ours-1', [{ type: 'Counted', data: { n: 7 } }]);
      const applied = () => count(database, `${generationSchema('applied_events', 1)}.applied_events`);
      const before = await applied();

      // The control: plain catchUp returns without our event.
      await engine.catchUp('applied_events', 1);
      expect(await applied()).toBe(before);

      let settled = false;
      const waiting = engine.catchUpToHead('applied_events', 1, 10000).then(() => {
        settled = true;
      });
      await sleep(300);
      expect(settled).toBe(false);
      await other.query('COMMIT');
      await waiting;
      const { rows } = await database.pool.query<{ p: string }>(
        `SELECT global_position::text AS p FROM ${generationSchema('applied_events', 1)}.applied_events WHERE global_position = $1`,
        [ours.positions[0]],
      );
      expect(rows).toHaveLength(1);

      // An open transaction that never ends is a clear error, not a hang.
      await other.query('BEGIN');
      await other.query('SELECT pg_current_xact_id()');
      await store.append('ours-2', [{ type: 'Counted', data: { n: 8 } }]);
      await expect(engine.catchUpToHead('applied_events', 1, 200)).rejects.toThrow(
        "did not reach the log's head within 200 ms",
      );
      await other.query('ROLLBACK');
    } finally {
      await other.end();
    }
  });
});

describe('projection failures, competing runners and rebuilds', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeEach(async () => {
    database = await createTestDatabase({ poolMax: 20 });
    store = new PostgresEventStore(database.pool, testEventRegistry());
  });
  afterEach(() => database.drop());

  async function appendCounted(n: number, stream = 'counter-x') {
    for (let i = 0; i < n; i += 1) await store.append(stream, [{ type: 'Counted', data: { n: i } }]);
  }

  it('a throwing handler leaves rows and checkpoint unchanged, fails after its attempts, and resumes once fixed', async () => {
    let broken = true;
    const projection = appliedEventsProjection({
      afterInsert: () => {
        if (broken) throw new Error('handler bug');
      },
    });
    const engine = new ProjectionEngine(database.db, store, [projection], { maxAttempts: 3 });
    await engine.initialise();
    await appendCounted(5);

    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const outcome = await engine.runBatch('applied_events', 1);
      expect(outcome).toMatchObject({ kind: 'error', failed: attempt === 3 });
    }
    expect(await count(database, `${generationSchema('applied_events', 1)}.applied_events`)).toBe(0);
    const [row] = await engine.repository.checkpoints('applied_events');
    expect(row).toMatchObject({ status: 'failed', global_position: '0', attempts: 3 });
    expect(row.last_error).toContain('handler bug');
    // A failed projection is not skipped forward: it stays put.
    expect(await engine.runBatch('applied_events', 1)).toEqual({ kind: 'busy' });

    broken = false;
    expect(await engine.repository.retry('applied_events')).toBe(1);
    expect(await engine.runBatch('applied_events', 1)).toMatchObject({ kind: 'applied', events: 5 });
    expect(await count(database, `${generationSchema('applied_events', 1)}.applied_events`)).toBe(5);
    expect((await engine.repository.checkpoints('applied_events'))[0]).toMatchObject({
      status: 'live',
      attempts: 0,
      last_error: null,
    });
  });

  it('two runners of one projection never apply the same batch', async () => {
    const seenBy: Record<string, number> = { a: 0, b: 0 };
    const runner = (id: 'a' | 'b') =>
      new ProjectionEngine(
        database.db,
        store,
        [
          appliedEventsProjection({
            afterInsert: async (p) => {
              seenBy[id] += p.length;
              await sleep(2);
            },
          }),
        ],
        { batchSize: 7, pollIntervalMs: 20 },
      );
    const a = runner('a');
    const b = runner('b');
    await a.start();
    await b.start();
    await appendCounted(600, 'counter-y');
    await waitFor(
      async () => (await count(database, `${generationSchema('applied_events', 1)}.applied_events`)) === 600,
    );
    await Promise.all([a.stop(), b.stop()]);
    const [row] = await a.repository.checkpoints('applied_events');
    expect(row.last_error).toBeNull();
    expect(row.events_applied).toBe('600');
    expect(seenBy.a + seenBy.b).toBe(600);
  });

  it('rebuilds blue/green beside the live generation while appends continue, and equals it', async () => {
    const engine = new ProjectionEngine(database.db, store, [eventTypeCountsProjection], {
      batchSize: 50,
      pollIntervalMs: 20,
      dropGraceMs: 0,
    });
    await appendCounted(300);
    await engine.start();

    let appending = true;
    const appender = (async () => {
      let i = 0;
      while (appending) {
        await store.append(`noted-${i % 7}`, [
          { type: i % 2 ? 'Noted' : 'Counted', data: i % 2 ? { text: 'x' } : { n: i } },
        ]);
        i += 1;
      }
    })();
    // Readers of the active generation never see the totals go down (no truncate under traffic).
    let reading = true;
    let lastTotal = 0;
    let decreased = false;
    const reader = (async () => {
      while (reading) {
        const schema = await engine.activeSchema('event_type_counts');
        const result = await sql<{
          total: string | null;
        }>`SELECT sum(event_count)::text AS total FROM ${sql.table(`${schema}.event_type_daily_counts`)}`
          .execute(database.db)
          .catch(() => null); // the old schema may be dropped between the lookup and the read
        const total = Number(result?.rows[0].total ?? lastTotal);
        if (total < lastTotal) decreased = true;
        lastTotal = Math.max(lastTotal, total);
        await sleep(5);
      }
    })();

    await sleep(200);
    const { generation, previous } = await engine.rebuild('event_type_counts');
    expect([generation, previous]).toEqual([2, 1]);
    await sleep(200);
    appending = false;
    await appender;
    const total = await count(database, 'events');
    await waitFor(async () => {
      const { rows } = await database.pool.query<{ n: string }>(
        'SELECT sum(event_count)::text AS n FROM proj_event_type_counts_g2.event_type_daily_counts',
      );
      return Number(rows[0].n) === total;
    });
    reading = false;
    await reader;
    await engine.stop();

    const rebuilt = await engine.repository.digest('proj_event_type_counts_g2', 'event_type_daily_counts');
    const { rows: truth } = await database.pool.query<{ md5: string; rows: string }>(`
      SELECT count(*)::text AS rows, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM (
        SELECT (recorded_at AT TIME ZONE 'UTC')::date AS day, event_type, count(*)::bigint AS event_count
        FROM events GROUP BY 1, 2) t`);
    expect(rebuilt).toEqual({ rows: Number(truth[0].rows), md5: truth[0].md5 });
    expect(decreased).toBe(false);
    const { rows: schemas } = await database.pool.query(
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'proj_event_type_counts_%'",
    );
    expect(schemas.map((s) => s.nspname)).toEqual(['proj_event_type_counts_g2']);
  });
});
