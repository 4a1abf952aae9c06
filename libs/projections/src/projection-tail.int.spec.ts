import { Client } from 'pg';
import {
  checkpointFrom,
  compareCheckpoints,
  EventNotifier,
  parseCheckpoint,
  PostgresEventStore,
  type ReadAllOptions,
} from '@frictionwatch/event-store';
import {
  appliedEventsProjection,
  createTestDatabase,
  testEventRegistry,
  type TestDatabase,
  pollUntil,
} from '@frictionwatch/testing';
import { ProjectionEngine } from './projection-engine';
import { eventTypeCountsProjection } from './event-type-counts.projection';
import type { AnyProjection } from './projection';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds (a minute at most, unless told). */
const waitFor = (check: () => Promise<boolean>, timeoutMs = 60000) =>
  pollUntil(check, { timeoutMs, intervalMs: 50 });

async function count(database: TestDatabase, table: string): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0].n;
}

/** The projections each engine runs under its own names: all types, one type, envelopes only. */
function projections(suffix: string, options: { slow?: boolean } = {}): AnyProjection[] {
  return [
    appliedEventsProjection({
      name: `applied_${suffix}`,
      afterInsert: options.slow ? () => sleep(30) : undefined,
    }),
    { ...appliedEventsProjection({ name: `counted_${suffix}` }), canHandle: ['Counted'] },
    { ...eventTypeCountsProjection, name: `counts_${suffix}` },
  ];
}

/** A store of its own per engine, so that each engine's reads can be counted apart. */
function countingStore(database: TestDatabase, notifier?: EventNotifier) {
  const store = new PostgresEventStore(database.pool, testEventRegistry(), {
    onAppended: () => notifier?.appended(),
  });
  const reads: ReadAllOptions[] = [];
  const readAll = store.readAll.bind(store);
  jest.spyOn(store, 'readAll').mockImplementation((options = {}, executor) => {
    reads.push(options);
    return readAll(options, executor);
  });
  return { store, reads };
}

async function appendMixed(store: PostgresEventStore, n: number, writers = 4): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (next < n) {
        const i = next;
        const size = Math.min(1 + (i % 3), n - i);
        next += size;
        await store.append(
          `mixed-${w}`,
          Array.from({ length: size }, (_, k) =>
            (i + k) % 3 === 0
              ? { type: 'Noted', data: { text: `t${i + k}` } }
              : { type: 'Counted', data: { n: i + k } },
          ),
        );
      }
    }),
  );
}

async function checkpointOf(database: TestDatabase, name: string) {
  const { rows } = await database.pool.query<{ checkpoint: string; applied: string }>(
    `SELECT transaction_id::text || ':' || global_position AS checkpoint, events_applied::text AS applied
     FROM projection_checkpoints WHERE name = $1 AND generation = 1`,
    [name],
  );
  return rows[0];
}

async function head(database: TestDatabase): Promise<string> {
  const { rows } = await database.pool.query<{ head: string }>(
    `SELECT transaction_id::text || ':' || global_position AS head FROM events
     ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
  );
  return rows[0].head;
}

async function countedEvents(database: TestDatabase): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM events WHERE event_type = 'Counted'",
  );
  return rows[0].n;
}

async function appliedPositions(database: TestDatabase, name: string): Promise<string[]> {
  const { rows } = await database.pool.query<{ p: string }>(
    `SELECT global_position::text AS p FROM proj_${name}_g1.applied_events ORDER BY seq`,
  );
  return rows.map((r) => r.p);
}

describe('the shared tail of the log', () => {
  let database: TestDatabase;
  let notifier: EventNotifier;

  beforeEach(async () => {
    database = await createTestDatabase({ poolMax: 20 });
    notifier = new EventNotifier(database.pool, database.url);
  });
  afterEach(async () => {
    await notifier.close();
    await database.drop();
  });

  it('gives the same rows and checkpoints as reading the database, type filters and small batches included', async () => {
    const fromDb = countingStore(database, notifier);
    const fromTail = countingStore(database, notifier);
    const options = { notifier, batchSize: 7, pollIntervalMs: 100 };
    const dbEngine = new ProjectionEngine(database.db, fromDb.store, projections('db'), {
      ...options,
      tailEvents: 0,
    });
    const tailEngine = new ProjectionEngine(database.db, fromTail.store, projections('tail'), {
      ...options,
      tailEvents: 5000,
      freezeTailData: true,
    });
    expect(dbEngine.tail).toBeNull();
    await dbEngine.start();
    await tailEngine.start();
    // The window starts at the head of the (empty) log: every batch can come from it.
    await waitFor(async () => tailEngine.tail?.window().end === '0:0');

    await appendMixed(fromDb.store, 900);
    const last = await head(database);
    const names = ['applied', 'counted', 'counts'];
    await waitFor(async () => {
      for (const name of names)
        for (const suffix of ['db', 'tail'])
          if ((await checkpointOf(database, `${name}_${suffix}`)).checkpoint !== last) return false;
      return true;
    });
    await Promise.all([dbEngine.stop(), tailEngine.stop()]);

    for (const name of names)
      expect(await checkpointOf(database, `${name}_tail`)).toEqual(
        await checkpointOf(database, `${name}_db`),
      );
    const all = await appliedPositions(database, 'applied_tail');
    expect(all).toHaveLength(900);
    expect(all).toEqual(await appliedPositions(database, 'applied_db'));
    const counted = await appliedPositions(database, 'counted_tail');
    expect(counted).toHaveLength(600);
    expect(counted).toEqual(await appliedPositions(database, 'counted_db'));
    const counts = (schema: string) =>
      database.pool
        .query(`SELECT day, event_type, event_count FROM ${schema}.event_type_daily_counts ORDER BY 1, 2`)
        .then((r) => r.rows);
    expect(await counts('proj_counts_tail_g1')).toEqual(await counts('proj_counts_db_g1'));

    // The tail engine's batches came from the window: its only reads are the tail's, unfiltered.
    expect(fromTail.reads.length).toBeGreaterThan(0);
    expect(fromTail.reads.filter((r) => r.types !== undefined || r.limit === 7)).toEqual([]);
    expect(fromDb.reads.filter((r) => r.types !== undefined).length).toBeGreaterThan(0);
    // One decoded event is shared by every projection: it cannot be changed by any of them.
    const taken = tailEngine.tail?.take('0:0', ['Counted', 'Noted'], 5);
    expect(taken?.events).toHaveLength(5);
    for (const event of taken?.events ?? []) {
      expect(Object.isFrozen(event)).toBe(true);
      expect(Object.isFrozen(event.data)).toBe(true);
      expect(Object.isFrozen(event.metadata)).toBe(true);
    }
  });

  it('holds only what its followers use: their types, payloads only where one reads them', async () => {
    const { store, reads } = countingStore(database, notifier);
    const followers: AnyProjection[] = [
      { ...appliedEventsProjection({ name: 'counted_only' }), canHandle: ['Counted'] },
      { ...appliedEventsProjection({ name: 'noted_envelopes' }), canHandle: ['Noted'], readsData: false },
    ];
    const engine = new ProjectionEngine(database.db, store, followers, {
      notifier,
      batchSize: 50,
      pollIntervalMs: 100,
      tailEvents: 5000,
    });
    await engine.start();
    await waitFor(async () => engine.tail?.window().end === '0:0');
    await appendMixed(store, 300);
    await store.append('other-1', [{ type: 'Counted', data: { n: -1 } }]);
    const last = await head(database);
    await waitFor(async () => {
      for (const name of ['counted_only', 'noted_envelopes'])
        if ((await checkpointOf(database, name)).checkpoint !== last) return false;
      return true;
    });
    await engine.stop();

    expect(await count(database, 'proj_counted_only_g1.applied_events')).toBe(await countedEvents(database));
    expect(await count(database, 'proj_noted_envelopes_g1.applied_events')).toBe(100);
    // Every read was the tail's, by the followers' types, with Counted payloads only.
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) {
      expect([...(read.types ?? [])].sort()).toEqual(['Counted', 'Noted']);
      expect(read.dataTypes).toEqual(['Counted']);
    }
    const tail = engine.tail;
    expect(tail?.take('0:0', ['Noted'], 100, false)?.events.every((e) => e.data === null)).toBe(true);
    expect(tail?.take('0:0', ['Counted'], 100)?.events.every((e) => e.data !== null)).toBe(true);
    // Outside its coverage the tail answers nothing: such a batch reads the database.
    expect(tail?.take('0:0', ['Noted'], 100)).toBeNull();
    expect(tail?.take('0:0', 'all', 100, false)).toBeNull();
  });

  it('a projection behind the window reads the database and catches up; the window keeps its bound', async () => {
    const { store, reads } = countingStore(database, notifier);
    await appendMixed(store, 300);
    const engine = new ProjectionEngine(database.db, store, projections('t', { slow: true }), {
      notifier,
      batchSize: 7,
      pollIntervalMs: 100,
      tailEvents: 50,
    });
    const take = jest.spyOn(engine.tail!, 'take');
    await engine.start();
    // The window starts at the head: 300 events behind it are read from the database.
    await waitFor(async () => engine.tail?.window().end === (await head(database)));
    const firstStart = engine.tail?.window().start;
    await appendMixed(store, 400);
    const last = await head(database);
    await waitFor(async () => {
      for (const name of ['applied_t', 'counted_t', 'counts_t'])
        if ((await checkpointOf(database, name)).checkpoint !== last) return false;
      return true;
    });
    await engine.stop();

    expect(await appliedPositions(database, 'applied_t')).toHaveLength(700);
    expect((await checkpointOf(database, 'applied_t')).applied).toBe('700');
    expect(await count(database, 'proj_counted_t_g1.applied_events')).toBe(await countedEvents(database));
    const window = engine.tail!.window();
    expect(window.events).toBeLessThanOrEqual(50);
    expect(window.start).not.toBe(firstStart);
    expect(window.end).toBe(last);
    // Both paths were taken: batches from the window, and (for the slow projection) from the database.
    expect(take.mock.results.some((r) => r.value !== null)).toBe(true);
    expect(reads.filter((r) => r.limit === 7).length).toBeGreaterThan(0);
  });

  it('keeps in the window what a slow projection has yet to take (up to tailMaxEvents), then shrinks back', async () => {
    const run = async (suffix: string, tailMaxEvents?: number) => {
      const { store, reads } = countingStore(database, notifier);
      const engine = new ProjectionEngine(database.db, store, projections(suffix, { slow: true }), {
        notifier,
        batchSize: 7,
        pollIntervalMs: 100,
        tailEvents: 50,
        tailMaxEvents,
      });
      const started = await head(database);
      await engine.start();
      let largest = 0;
      const watching = setInterval(() => {
        largest = Math.max(largest, engine.tail!.window().events);
      }, 5);
      try {
        await waitFor(async () => engine.tail?.window().end === started);
        await appendMixed(store, 400);
        let last = await head(database);
        const settled = () =>
          waitFor(async () => {
            for (const name of [`applied_${suffix}`, `counted_${suffix}`, `counts_${suffix}`])
              if ((await checkpointOf(database, name)).checkpoint !== last) return false;
            return true;
          });
        await settled();
        clearInterval(watching);
        // Batches read from the database after the window's start (before it, every projection must).
        const databaseBatches = reads.filter(
          (r) => r.limit === 7 && compareCheckpoints(checkpointFrom(r.after), parseCheckpoint(started)) >= 0,
        ).length;
        // Once every projection is at the head, the next read trims the window to tailEvents again.
        await appendMixed(store, 5);
        last = await head(database);
        await settled();
        await waitFor(async () => engine.tail?.window().end === last);
        const after = engine.tail!.window().events;
        expect(await appliedPositions(database, `applied_${suffix}`)).toHaveLength(
          await count(database, 'events'),
        );
        return { largest, databaseBatches, after };
      } finally {
        clearInterval(watching);
        await engine.stop();
      }
    };

    // Each engine's window starts at the head: the events before it are read from the database.
    await appendMixed(new PostgresEventStore(database.pool, testEventRegistry()), 30);
    // The slow projection (30 ms a batch of 7) falls hundreds of events behind the appends.
    const fixed = await run('f');
    expect(fixed.largest).toBeLessThanOrEqual(50);
    expect(fixed.databaseBatches).toBeGreaterThan(0);
    const growing = await run('g', 1000);
    expect(growing.largest).toBeGreaterThan(50);
    expect(growing.largest).toBeLessThanOrEqual(1000);
    expect(growing.databaseBatches).toBe(0);
    expect(growing.after).toBeLessThanOrEqual(50);
  });

  it('does not skip a transaction that took a lower position and committed after a refresh', async () => {
    const store = new PostgresEventStore(database.pool, testEventRegistry(), {
      onAppended: () => notifier.appended(),
    });
    const engine = new ProjectionEngine(database.db, store, [appliedEventsProjection()], {
      notifier,
      pollIntervalMs: 50,
    });
    await engine.start();
    await store.append('early-0', [{ type: 'Counted', data: { n: 0 } }]);
    await waitFor(async () => (await count(database, 'proj_applied_events_g1.applied_events')) === 1);

    const slow = new Client({ connectionString: database.url });
    await slow.connect();
    await slow.query('BEGIN');
    const low = await store.append('slow-1', [{ type: 'Counted', data: { n: 1 } }], { executor: slow });
    const high = await store.append('fast-1', [{ type: 'Counted', data: { n: 2 } }]);
    expect(BigInt(low.positions[0])).toBeLessThan(BigInt(high.positions[0]));
    // Wake-ups and polls refresh the tail meanwhile: the watermark holds the high position back too.
    const refresh = jest.spyOn(engine.tail!, 'refresh');
    await waitFor(async () => refresh.mock.calls.length >= 3);
    await sleep(200);
    expect(await count(database, 'proj_applied_events_g1.applied_events')).toBe(1);

    await slow.query('COMMIT');
    await slow.end();
    await waitFor(async () => (await count(database, 'proj_applied_events_g1.applied_events')) === 3);
    await engine.stop();
    expect((await appliedPositions(database, 'applied_events')).slice(1)).toEqual([
      low.positions[0],
      high.positions[0],
    ]);
  });

  it('idle projections open no transaction until a new event comes', async () => {
    const store = new PostgresEventStore(database.pool, testEventRegistry(), {
      onAppended: () => notifier.appended(),
    });
    const idleLocks = async (tailEvents: number) => {
      const engine = new ProjectionEngine(database.db, store, projections(`i${tailEvents}`), {
        notifier,
        pollIntervalMs: 50,
        tailEvents,
      });
      await engine.start();
      await appendMixed(store, 30);
      const last = await head(database);
      await waitFor(async () => (await checkpointOf(database, `counts_i${tailEvents}`)).checkpoint === last);
      await waitFor(async () => (await checkpointOf(database, `applied_i${tailEvents}`)).checkpoint === last);
      await waitFor(async () => (await checkpointOf(database, `counted_i${tailEvents}`)).checkpoint === last);
      await sleep(300); // the quick retries after the last wake-up
      const locks = jest.spyOn(engine.repository, 'lockForBatch');
      await sleep(600);
      const idle = locks.mock.calls.length;
      const late = await store.append('late-1', [{ type: 'Noted', data: { text: 'late' } }]);
      await waitFor(
        async () => (await checkpointOf(database, `applied_i${tailEvents}`)).checkpoint === late.checkpoint,
      );
      const afterAppend = locks.mock.calls.length;
      await engine.stop();
      return { idle, afterAppend };
    };
    const withTail = await idleLocks(1000);
    expect(withTail.idle).toBe(0);
    expect(withTail.afterAppend).toBeGreaterThan(0);
    // The control: without the tail every idle poll is a transaction per projection.
    const withoutTail = await idleLocks(0);
    expect(withoutTail.idle).toBeGreaterThan(3);
  });

  it('past events of other types only, a follower moves its checkpoint once per poll interval, not per append', async () => {
    const store = new PostgresEventStore(database.pool, testEventRegistry(), {
      onAppended: () => notifier.appended(),
    });
    const pollIntervalMs = 400;
    const engine = new ProjectionEngine(database.db, store, projections('o'), {
      notifier,
      pollIntervalMs,
      tailEvents: 1000,
    });
    await engine.start();
    try {
      await store.append('others-0', [{ type: 'Counted', data: { n: 0 } }]);
      const first = await head(database);
      await waitFor(async () => (await checkpointOf(database, 'counted_o')).checkpoint === first);
      const batches = jest.spyOn(engine, 'runBatch');
      // Ten appends of a type `counted_o` does not handle, 50 ms apart: `applied_o` (every type) takes
      // each, `counted_o` does not open a transaction for each.
      for (let i = 0; i < 10; i += 1) {
        await store.append(`others-${i + 1}`, [{ type: 'Noted', data: { text: `n${i}` } }]);
        await sleep(50);
      }
      const last = await head(database);
      await waitFor(async () => (await checkpointOf(database, 'applied_o')).checkpoint === last);
      // Yet it reaches the head: within the poll interval.
      await waitFor(async () => (await checkpointOf(database, 'counted_o')).checkpoint === last, 5000);
      const runs = (name: string) => batches.mock.calls.filter(([n]) => n === name).length;
      expect(runs('applied_o')).toBeGreaterThanOrEqual(5);
      expect(runs('counted_o')).toBeLessThanOrEqual(3);
      expect(Number((await checkpointOf(database, 'counted_o')).applied)).toBe(1);
    } finally {
      await engine.stop();
    }
  });

  it('two engines (replicas) on one database apply every event exactly once', async () => {
    const store = new PostgresEventStore(database.pool, testEventRegistry(), {
      onAppended: () => notifier.appended(),
    });
    const replica = () =>
      new ProjectionEngine(database.db, store, projections('r'), {
        notifier,
        batchSize: 5,
        pollIntervalMs: 50,
        tailEvents: 200,
      });
    const a = replica();
    const b = replica();
    await a.start();
    await b.start();
    await appendMixed(store, 1200, 6);
    const last = await head(database);
    await waitFor(async () => {
      for (const name of ['applied_r', 'counted_r', 'counts_r'])
        if ((await checkpointOf(database, name)).checkpoint !== last) return false;
      return true;
    });
    await Promise.all([a.stop(), b.stop()]);
    // The primary key refuses a second application; the counts add up to the log.
    expect(await count(database, 'proj_applied_r_g1.applied_events')).toBe(1200);
    expect((await checkpointOf(database, 'applied_r')).applied).toBe('1200');
    expect(await count(database, 'proj_counted_r_g1.applied_events')).toBe(await countedEvents(database));
    const { rows } = await database.pool.query<{ n: string }>(
      'SELECT sum(event_count)::text AS n FROM proj_counts_r_g1.event_type_daily_counts',
    );
    expect(rows[0].n).toBe('1200');
    const { rows: errors } = await database.pool.query(
      'SELECT name, last_error FROM projection_checkpoints WHERE last_error IS NOT NULL',
    );
    expect(errors).toEqual([]);
  });
});
