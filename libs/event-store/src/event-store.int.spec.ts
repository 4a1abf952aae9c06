import { createTestDatabase, pollUntil, testEventRegistry, type TestDatabase } from '@frictionwatch/testing';
import { z } from 'zod';
import { deterministicEventId } from './event-ids';
import { EventRegistry } from './event-registry';
import {
  EventTooLargeError,
  MalformedEventError,
  PartialDuplicateAppendError,
  TransactionIdsAheadError,
  UnknownEventTypeError,
  WrongExpectedVersionError,
} from './event-store.errors';
import { PostgresEventStore } from './event-store';

describe('PostgresEventStore', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore(database.pool, testEventRegistry(), { maxEventBytes: 4096 });
  });
  afterAll(() => database.drop());

  it('appends to a new stream and reads it back in version order', async () => {
    const result = await store.append(
      'counter-a',
      [
        { type: 'Counted', data: { n: 1 } },
        { type: 'Counted', data: { n: 2 } },
      ],
      { expectedVersion: 'no_stream' },
    );
    expect(result.nextVersion).toBe('2');
    expect(result.positions).toHaveLength(2);
    expect(result.checkpoint).toMatch(/^\d+:\d+$/);
    expect(result.checkpoint.endsWith(`:${result.positions[1]}`)).toBe(true);

    const events = await store.readStream('counter-a');
    expect(events.map((e) => [e.streamVersion, e.data])).toEqual([
      ['1', { n: 1 }],
      ['2', { n: 2 }],
    ]);
    expect(typeof events[0].globalPosition).toBe('string');
    expect(events[0].metadata.correlationId).toBe(events[0].eventId);
    expect(await store.streamVersion('counter-a')).toBe('2');
  });

  it('stores a payload past the inline limit compressed with lz4 when the server has it, and reads it back exact', async () => {
    const text = Array.from({ length: 70 }, (_, n) => `evidence ${n}: anti-dumping duty on solar cells`).join(
      ' ',
    );
    await store.append('noted-large', [{ type: 'Noted', data: { text } }], { expectedVersion: 'no_stream' });
    const [event] = await store.readStream('noted-large');
    expect(event.data).toEqual({ text });
    const { rows } = await database.pool.query<{ method: string | null; lz4: boolean }>(
      `SELECT pg_column_compression(data) AS method,
              (SELECT 'lz4' = ANY (enumvals) FROM pg_settings WHERE name = 'default_toast_compression') AS lz4
       FROM events WHERE stream_id = 'noted-large'`,
    );
    expect(rows[0].method).toBe(rows[0].lz4 ? 'lz4' : 'pglz');
  });

  it('keeps payloads and metadata exact: newlines, quotes, backslashes, line separators, other scripts', async () => {
    const texts = [
      'two\nlines\r\n',
      'a "quoted" \\ back\\slash',
      'sep\u2028par\u2029',
      '中文 ✓ 🚢',
      '',
      '\\n',
    ];
    await store.appendMany(
      texts.map((text, i) => ({
        streamId: `exact-${i}`,
        events: [{ type: 'Noted', data: { text }, metadata: { note: text } }],
      })),
    );
    for (const [i, text] of texts.entries()) {
      const [event] = await store.readStream(`exact-${i}`);
      expect(event.data).toEqual({ text });
      expect(event.metadata.note).toBe(text);
    }
  });

  it('keeps every payload and its metadata with its own event in a bulk append of thousands', async () => {
    // A database of its own: the log-reading tests below count this file's shared log.
    const own = await createTestDatabase();
    try {
      const bulkStore = new PostgresEventStore(own.pool, testEventRegistry(), { maxEventBytes: 4096 });
      const streams = 1500;
      await bulkStore.appendMany(
        Array.from({ length: streams }, (_, i) => ({
          // Ids out of order: the store sorts its streams, so events are not sent in the caller's order.
          streamId: `many-${(i * 7919) % streams}`,
          expectedVersion: 'no_stream' as const,
          events: [0, 1].map((k) => ({
            type: 'Noted',
            data: { text: `${(i * 7919) % streams}/${k}${'x'.repeat(i % 5 === 0 ? 3000 : 10)}` },
            metadata: { note: `m${(i * 7919) % streams}/${k}` },
          })),
        })),
      );
      const { rows } = await own.pool.query<{ stream_id: string; v: string; text: string; note: string }>(
        `SELECT stream_id, stream_version::text AS v, data->>'text' AS text, metadata->>'note' AS note
         FROM events WHERE stream_id LIKE 'many-%'`,
      );
      expect(rows).toHaveLength(streams * 2);
      for (const row of rows) {
        const n = row.stream_id.slice('many-'.length);
        const k = Number(row.v) - 1;
        expect(row.text.replace(/x+$/, '')).toBe(`${n}/${k}`);
        expect(row.note).toBe(`m${n}/${k}`);
      }
    } finally {
      await own.drop();
    }
  });

  it('refuses no_stream on an existing stream with a typed error naming both versions', async () => {
    await store.append('counter-b', [{ type: 'Counted', data: { n: 1 } }], { expectedVersion: 'no_stream' });
    const attempt = store.append('counter-b', [{ type: 'Counted', data: { n: 2 } }], {
      expectedVersion: 'no_stream',
    });
    await expect(attempt).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(attempt).rejects.toMatchObject({
      streamId: 'counter-b',
      expected: 'no_stream',
      actual: '1',
    });
  });

  it('checks an exact expected version and writes nothing on conflict', async () => {
    await store.append('counter-c', [{ type: 'Counted', data: { n: 1 } }], { expectedVersion: 'no_stream' });
    await store.append('counter-c', [{ type: 'Counted', data: { n: 2 } }], { expectedVersion: 1 });
    await expect(
      store.append('counter-c', [{ type: 'Counted', data: { n: 3 } }], { expectedVersion: 1 }),
    ).rejects.toMatchObject({ name: 'WrongExpectedVersionError', expected: '1', actual: '2' });
    await expect(
      store.append('missing-stream', [{ type: 'Counted', data: { n: 3 } }], { expectedVersion: 0 }),
    ).rejects.toMatchObject({ actual: 'no_stream' });
    expect((await store.readStream('counter-c')).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("appends with 'any' whatever the version", async () => {
    await store.append('counter-d', [{ type: 'Counted', data: { n: 1 } }]);
    const second = await store.append('counter-d', [{ type: 'Counted', data: { n: 2 } }], {
      expectedVersion: 'any',
    });
    expect(second.nextVersion).toBe('2');
  });

  it('returns the original result for a retried append with the same event ids and writes nothing', async () => {
    const events = [
      { type: 'Counted', data: { n: 1 }, eventId: deterministicEventId('retry:1') },
      { type: 'Counted', data: { n: 2 }, eventId: deterministicEventId('retry:2') },
    ];
    const first = await store.append('counter-retry', events, { expectedVersion: 'no_stream' });
    const again = await store.append('counter-retry', events, { expectedVersion: 'no_stream' });
    expect(again).toEqual(first);
    expect(await store.streamVersion('counter-retry')).toBe('2');
    const { rows } = await database.pool.query(
      "SELECT count(*)::int AS n FROM events WHERE stream_id = 'counter-retry'",
    );
    expect(rows[0].n).toBe(2);
  });

  it("recognises a retried 'any' append by its ids and returns the original positions", async () => {
    const events = [{ type: 'Noted', data: { text: 'once' }, eventId: deterministicEventId('retry-any:1') }];
    const first = await store.append('noted-retry', events);
    const again = await store.append('noted-retry', events);
    expect(again).toEqual(first);
    expect(await store.streamVersion('noted-retry')).toBe('1');
  });

  it('refuses an append that reuses some stored ids but not all', async () => {
    const id = deterministicEventId('partial:1');
    await store.append('counter-partial', [{ type: 'Counted', data: { n: 1 }, eventId: id }]);
    await expect(
      store.append('counter-partial', [
        { type: 'Counted', data: { n: 1 }, eventId: id },
        { type: 'Counted', data: { n: 2 } },
      ]),
    ).rejects.toBeInstanceOf(PartialDuplicateAppendError);
  });

  it('appends to many streams at once, all or nothing', async () => {
    const results = await store.appendMany([
      { streamId: 'bulk-2', events: [{ type: 'Counted', data: { n: 1 } }], expectedVersion: 'no_stream' },
      {
        streamId: 'bulk-1',
        events: [
          { type: 'Noted', data: { text: 'a' } },
          { type: 'Noted', data: { text: 'b' } },
        ],
        expectedVersion: 'no_stream',
      },
    ]);
    expect(results.map((r) => [r.streamId, r.nextVersion])).toEqual([
      ['bulk-2', '1'],
      ['bulk-1', '2'],
    ]);
    await expect(
      store.appendMany([
        { streamId: 'bulk-3', events: [{ type: 'Counted', data: { n: 1 } }], expectedVersion: 'no_stream' },
        { streamId: 'bulk-1', events: [{ type: 'Counted', data: { n: 1 } }], expectedVersion: 'no_stream' },
      ]),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(await store.streamVersion('bulk-3')).toBeNull();
  });

  it("mixes new streams and 'any' streams in one bulk append, all or nothing", async () => {
    await store.append('mixed-feed', [{ type: 'Counted', data: { n: 0 } }]);
    const results = await store.appendMany([
      {
        streamId: 'mixed-item-2',
        events: [{ type: 'Counted', data: { n: 1 } }],
        expectedVersion: 'no_stream',
      },
      {
        streamId: 'mixed-feed',
        events: [
          { type: 'Noted', data: { text: 'fetched' } },
          { type: 'Noted', data: { text: 'recovered' } },
        ],
        expectedVersion: 'any',
      },
      {
        streamId: 'mixed-item-1',
        events: [{ type: 'Counted', data: { n: 1 } }],
        expectedVersion: 'no_stream',
      },
      { streamId: 'mixed-new-any', events: [{ type: 'Counted', data: { n: 1 } }], expectedVersion: 'any' },
    ]);
    expect(results.map((r) => [r.streamId, r.nextVersion, r.positions.length])).toEqual([
      ['mixed-item-2', '1', 1],
      ['mixed-feed', '3', 2],
      ['mixed-item-1', '1', 1],
      ['mixed-new-any', '1', 1],
    ]);
    expect((await store.readStream('mixed-feed')).map((e) => [e.streamVersion, e.data])).toEqual([
      ['1', { n: 0 }],
      ['2', { text: 'fetched' }],
      ['3', { text: 'recovered' }],
    ]);

    // A new stream that exists already fails the whole append, the 'any' streams included.
    const attempt = store.appendMany([
      { streamId: 'mixed-feed', events: [{ type: 'Counted', data: { n: 9 } }], expectedVersion: 'any' },
      {
        streamId: 'mixed-item-3',
        events: [{ type: 'Counted', data: { n: 1 } }],
        expectedVersion: 'no_stream',
      },
      {
        streamId: 'mixed-item-1',
        events: [{ type: 'Counted', data: { n: 2 } }],
        expectedVersion: 'no_stream',
      },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(attempt).rejects.toMatchObject({ streamId: 'mixed-item-1', actual: '1' });
    expect(await store.streamVersion('mixed-feed')).toBe('3');
    expect(await store.streamVersion('mixed-item-3')).toBeNull();
  });

  it("bulk 'any' appends to overlapping streams from concurrent writers neither deadlock nor reuse a version", async () => {
    const streams = Array.from({ length: 50 }, (_, i) => `bulk-any-${i}`);
    await store.appendMany(
      streams.slice(0, 25).map((streamId) => ({ streamId, events: [{ type: 'Counted', data: { n: 0 } }] })),
    );
    const shuffled = () => [...streams].sort(() => Math.random() - 0.5);
    await Promise.all(
      Array.from({ length: 4 }, (_, w) =>
        store.appendMany(
          shuffled().map((streamId) => ({
            streamId,
            expectedVersion: 'any' as const,
            events: [
              { type: 'Counted', data: { n: 1, writer: w } },
              { type: 'Counted', data: { n: 2, writer: w } },
            ],
          })),
        ),
      ),
    );
    const { rows } = await database.pool.query<{ stream_id: string; versions: string[]; version: string }>(
      `SELECT e.stream_id, array_agg(e.stream_version::text ORDER BY e.stream_version) AS versions, s.version::text AS version
       FROM events e JOIN event_streams s USING (stream_id) WHERE e.stream_id LIKE 'bulk-any-%' GROUP BY e.stream_id, s.version`,
    );
    expect(rows).toHaveLength(50);
    for (const row of rows) {
      const expected = Number(row.version);
      expect(row.versions).toEqual(Array.from({ length: expected }, (_, i) => String(i + 1)));
    }
    const first = rows.filter((r) => Number(r.stream_id.slice(9)) < 25);
    expect(first.every((r) => r.version === '9')).toBe(true);
    expect(rows.filter((r) => Number(r.stream_id.slice(9)) >= 25).every((r) => r.version === '8')).toBe(true);
  });

  it('refuses unknown types, malformed payloads and oversized events before writing', async () => {
    await expect(store.append('bad-1', [{ type: 'Nope', data: {} }])).rejects.toBeInstanceOf(
      UnknownEventTypeError,
    );
    await expect(store.append('bad-1', [{ type: 'Counted', data: { n: 'x' } }])).rejects.toBeInstanceOf(
      MalformedEventError,
    );
    await expect(
      store.append('bad-1', [{ type: 'Noted', data: { text: 'x'.repeat(5000) } }]),
    ).rejects.toBeInstanceOf(EventTooLargeError);
    // The limit is in UTF-8 bytes: 1,500 characters of 3 bytes each are over 4,096, 1,000 are not.
    await expect(
      store.append('bad-1', [{ type: 'Noted', data: { text: '€'.repeat(1500) } }]),
    ).rejects.toBeInstanceOf(EventTooLargeError);
    expect(await store.streamVersion('bad-1')).toBeNull();
    await store.append('euro-1', [{ type: 'Noted', data: { text: '€'.repeat(1000) } }]);
    expect(await store.streamVersion('euro-1')).toBe('1');
  });

  it('reads the global log in checkpoint order with row and byte bounds, resuming without repeats', async () => {
    // The watermark is the cluster's: a transaction another test file holds open hides the newest
    // events for a moment. This test is about order and bounds, so it reads once all are visible.
    await pollUntil(
      async () => {
        const { visible, latest } = await store.head();
        return visible === latest;
      },
      { what: 'every event below the watermark', timeoutMs: 30000, intervalMs: 20 },
    );
    const seen: string[] = [];
    let checkpoint = '0:0';
    for (let i = 0; i < 2000; i += 1) {
      const batch = await store.readAll({ after: checkpoint, limit: 3, maxBytes: 150 });
      seen.push(...batch.events.map((e) => e.globalPosition));
      expect(batch.events.length).toBeLessThanOrEqual(3);
      checkpoint = batch.checkpoint;
      if (batch.caughtUp) break;
    }
    const { rows } = await database.pool.query<{ p: string }>(
      'SELECT global_position::text AS p FROM events ORDER BY transaction_id, global_position',
    );
    expect(seen).toEqual(rows.map((r) => r.p));
  });

  it('filters by type and still moves the checkpoint past what it skipped', async () => {
    const batch = await store.readAll({ types: ['Noted'], limit: 1000 });
    expect(batch.events.length).toBeGreaterThan(0);
    expect(batch.events.every((e) => e.type === 'Noted')).toBe(true);
    const head = await store.head();
    expect(batch.checkpoint).toBe(head.visible);
    expect(batch.caughtUp).toBe(true);
  });

  it('a reader of a rare type scans the log in bounded windows and misses none of it', async () => {
    for (let i = 0; i < 5; i += 1) {
      await store.appendMany(
        Array.from({ length: 12 }, (_, j) => ({
          streamId: `rare-${i}-${j}`,
          events: [{ type: 'Noted', data: { text: `n${i}-${j}` } }],
        })),
      );
      await store.append('rare-counted', [{ type: 'Counted', data: { n: 100 + i } }]);
    }
    // Transactions of other databases on this cluster hold the watermark back for a moment.
    for (let head = await store.head(); head.visible !== head.latest; head = await store.head())
      await new Promise((resolve) => setTimeout(resolve, 20));
    const seen: unknown[] = [];
    let checkpoint = '0:0';
    let reads = 0;
    for (;;) {
      // limit 1: a window of 10 positions, shorter than the runs of Noted between two Counted.
      const batch = await store.readAll({ after: checkpoint, types: ['Counted'], limit: 1 });
      reads += 1;
      expect(batch.events.every((e) => e.type === 'Counted')).toBe(true);
      seen.push(...batch.events.map((e) => e.data));
      checkpoint = batch.checkpoint;
      if (batch.caughtUp) break;
    }
    const { rows } = await database.pool.query<{ data: unknown }>(
      "SELECT data FROM events WHERE event_type = 'Counted' ORDER BY transaction_id, global_position",
    );
    expect(seen).toEqual(rows.map((r) => r.data));
    expect(reads).toBeGreaterThan(rows.length); // some reads only moved past Noted events
  });

  it('reads envelopes without payloads', async () => {
    const full = await store.readAll({ types: ['Noted'], limit: 5 });
    const envelopes = await store.readAll({ types: ['Noted'], limit: 5, withData: false });
    expect(envelopes.events.map((e) => [e.eventId, e.type, e.streamId, e.metadata])).toEqual(
      full.events.map((e) => [e.eventId, e.type, e.streamId, e.metadata]),
    );
    expect(envelopes.events.every((e) => e.data === null)).toBe(true);
    expect(envelopes.checkpoint).toBe(full.checkpoint);
  });

  it('reads payloads of the named types only, envelopes of the others, in the same order', async () => {
    const after = (await store.head()).visible;
    await store.append('mixed-1', [
      { type: 'Counted', data: { n: 1 } },
      { type: 'Noted', data: { text: 'kept out' } },
      { type: 'Counted', data: { n: 2 } },
    ]);
    const full = await store.readAll({ after, limit: 50 });
    const mixed = await store.readAll({ after, limit: 50, dataTypes: ['Counted'] });
    expect(full.events.map((e) => e.type)).toEqual(['Counted', 'Noted', 'Counted']);
    expect(mixed.checkpoint).toBe(full.checkpoint);
    expect(mixed.events.map((e) => [e.eventId, e.type, e.type === 'Counted' ? e.data : null])).toEqual(
      full.events.map((e) => [e.eventId, e.type, e.type === 'Counted' ? e.data : null]),
    );
    expect(mixed.events.filter((e) => e.type === 'Counted').every((e) => e.data !== null)).toBe(true);
    expect(full.events.filter((e) => e.type === 'Noted').every((e) => e.data !== null)).toBe(true);
    expect(mixed.events.filter((e) => e.type === 'Noted').every((e) => e.data === null)).toBe(true);
  });

  it('fails loudly on a stored event whose type is no longer registered', async () => {
    const narrow = new PostgresEventStore(
      database.pool,
      new EventRegistry().register({
        type: 'Counted',
        schemaVersion: 1,
        schema: z.object({ n: z.number() }),
      }),
    );
    await expect(narrow.readAll({ limit: 1000 })).rejects.toBeInstanceOf(UnknownEventTypeError);
  });

  it('upcasts old schema versions on read', async () => {
    await database.pool.query(
      `INSERT INTO event_streams (stream_id, stream_type, version) VALUES ('legacy-1', 'legacy', 1);
       INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata)
       VALUES ('legacy-1', 1, gen_random_uuid(), 'Renamed', 1, '{"old": "x"}', '{"correlationId": "c", "causationId": null, "occurredAt": "2026-01-01T00:00:00Z"}')`,
    );
    const registry = new EventRegistry().register({
      type: 'Renamed',
      schemaVersion: 2,
      schema: z.object({ name: z.string() }),
      upcasters: { 1: (data) => ({ name: (data as { old: string }).old }) },
    });
    const reader = new PostgresEventStore(database.pool, registry);
    const [event] = await reader.readStream('legacy-1');
    expect(event.data).toEqual({ name: 'x' });
  });

  it('refuses to start when stored transaction ids are ahead of the cluster', async () => {
    await expect(store.assertTransactionIdsNotAhead()).resolves.toBeUndefined();
    const { rows } = await database.pool.query<{ next: string }>(
      'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next',
    );
    await database.pool.query('BEGIN; ALTER TABLE events ALTER COLUMN transaction_id DROP DEFAULT; COMMIT');
    await database.pool.query(
      `INSERT INTO event_streams (stream_id, stream_type, version) VALUES ('future-1', 'future', 1);
       INSERT INTO events (transaction_id, stream_id, stream_version, event_id, event_type, data, metadata)
       VALUES ('${BigInt(rows[0].next) + 1000000n}', 'future-1', 1, gen_random_uuid(), 'Counted', '{"n":1}', '{}')`,
    );
    await expect(store.assertTransactionIdsNotAhead()).rejects.toBeInstanceOf(TransactionIdsAheadError);
  });
});
