// `npm run bench -- append`: the event store's append and replay throughput, with the raw baselines
// (unnest insert and COPY into a scratch table with the same constraints) measured in the same run;
// then the ingest pipeline's appends alone, with its payloads (items per second, Postgres CPU per item).
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { Pool } from 'pg';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { ITEM_EVENTS } from '@frictionwatch/items';
import { ProjectionEngine, eventTypeCountsProjection } from '@frictionwatch/projections';
import { createTestDatabase, ensureTemplateDatabase } from '@frictionwatch/testing';
import { z } from 'zod';
import { itemPairAppends } from './support/item-pair-appends';

const BATCH = 100;
const WRITERS = 4;
const BATCHES_PER_WRITER = Number(process.env.BENCH_BATCHES ?? 150);
const SINGLE_WRITERS = 16;
const SINGLE_PER_WRITER = Number(process.env.BENCH_SINGLES ?? 600);
const ITEM_PAIRS = Number(process.env.BENCH_ITEM_PAIRS ?? 20000);

// ~500 bytes of JSON per event, like a small item event.
function payload(i: number) {
  return {
    title: `Certain crystalline silicon photovoltaic cells from China: preliminary results ${i}`,
    summary: 'x'.repeat(330),
    url: `https://example.test/items/${i}`,
    sectors: ['solar_pv'],
  };
}

const registry = new EventRegistry().register(
  {
    type: 'BenchItemNoted',
    schemaVersion: 1,
    schema: z.object({
      title: z.string(),
      summary: z.string(),
      url: z.string(),
      sectors: z.array(z.string()),
    }),
  },
  ...ITEM_EVENTS,
);

async function timed(work: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function batchedAppends(store: PostgresEventStore): Promise<number> {
  const seconds = await timed(async () => {
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let b = 0; b < BATCHES_PER_WRITER; b += 1) {
          const events = Array.from({ length: BATCH }, (_, i) => ({
            type: 'BenchItemNoted',
            data: payload(b * BATCH + i),
          }));
          await store.append(`bench-${w}-${b}`, events, { expectedVersion: 'no_stream' });
        }
      }),
    );
  });
  return (WRITERS * BATCHES_PER_WRITER * BATCH) / seconds;
}

function rawRows(w: number, b: number) {
  const now = new Date().toISOString();
  return Array.from({ length: BATCH }, (_, i) => {
    const id = randomUUID();
    return {
      stream: `raw-${w}-${b}`,
      version: i + 1,
      id,
      data: JSON.stringify(payload(b * BATCH + i)),
      metadata: JSON.stringify({ correlationId: id, causationId: null, occurredAt: now }),
    };
  });
}

async function unnestInserts(pool: Pool): Promise<number> {
  const seconds = await timed(async () => {
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let b = 0; b < BATCHES_PER_WRITER; b += 1) {
          const rows = rawRows(w, b);
          await pool.query({
            name: 'bench_unnest',
            text: `INSERT INTO bench_raw (stream_id, stream_version, event_id, event_type, schema_version, data, metadata)
                   SELECT s, v, id, 'BenchItemNoted', 1, d, m FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::jsonb[], $5::jsonb[]) AS x(s, v, id, d, m)`,
            values: [
              rows.map((r) => r.stream),
              rows.map((r) => r.version),
              rows.map((r) => r.id),
              rows.map((r) => r.data),
              rows.map((r) => r.metadata),
            ],
          });
        }
      }),
    );
  });
  return (WRITERS * BATCHES_PER_WRITER * BATCH) / seconds;
}

function copyLine(values: string[]): string {
  return `${values.map((v) => v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n')).join('\t')}\n`;
}

async function copyInserts(pool: Pool): Promise<number> {
  const seconds = await timed(async () => {
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        const client = await pool.connect();
        try {
          for (let b = 0; b < BATCHES_PER_WRITER; b += 1) {
            const lines = rawRows(w, b).map((r) =>
              copyLine([
                `copy-${w}-${b}`,
                String(r.version),
                r.id,
                'BenchItemNoted',
                '1',
                r.data,
                r.metadata,
              ]),
            );
            const sink = client.query(
              copyFrom(
                'COPY bench_raw (stream_id, stream_version, event_id, event_type, schema_version, data, metadata) FROM STDIN',
              ),
            );
            await pipeline(Readable.from(lines), sink);
          }
        } finally {
          client.release();
        }
      }),
    );
  });
  return (WRITERS * BATCHES_PER_WRITER * BATCH) / seconds;
}

async function singleAppends(store: PostgresEventStore): Promise<{ perSec: number; p99Ms: number }> {
  const latencies: number[] = [];
  const seconds = await timed(async () => {
    await Promise.all(
      Array.from({ length: SINGLE_WRITERS }, async (_, w) => {
        for (let i = 0; i < SINGLE_PER_WRITER; i += 1) {
          const start = process.hrtime.bigint();
          await store.append(`single-${w}-${i % 50}`, [{ type: 'BenchItemNoted', data: payload(i) }]);
          latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
      }),
    );
  });
  latencies.sort((a, b) => a - b);
  return { perSec: latencies.length / seconds, p99Ms: latencies[Math.floor(latencies.length * 0.99)] };
}

/** The floor for single appends: one-row autocommit inserts into the scratch table, same concurrency. */
async function singleRawInserts(pool: Pool): Promise<{ perSec: number; p99Ms: number }> {
  const latencies: number[] = [];
  const seconds = await timed(async () => {
    await Promise.all(
      Array.from({ length: SINGLE_WRITERS }, async (_, w) => {
        for (let i = 0; i < SINGLE_PER_WRITER; i += 1) {
          const id = randomUUID();
          const row = {
            id,
            data: JSON.stringify(payload(i)),
            metadata: JSON.stringify({
              correlationId: id,
              causationId: null,
              occurredAt: new Date().toISOString(),
            }),
          };
          const start = process.hrtime.bigint();
          await pool.query({
            name: 'bench_single_raw',
            text: `INSERT INTO bench_raw (stream_id, stream_version, event_id, event_type, data, metadata) VALUES ($1, $2, $3, 'BenchItemNoted', $4, $5)`,
            values: [`single-raw-${w}-${i}`, 1, row.id, row.data, row.metadata],
          });
          latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
      }),
    );
  });
  latencies.sort((a, b) => a - b);
  return { perSec: latencies.length / seconds, p99Ms: latencies[Math.floor(latencies.length * 0.99)] };
}

export default async function bench(): Promise<void> {
  await ensureTemplateDatabase();
  const database = await createTestDatabase({ poolMax: SINGLE_WRITERS + 2 });
  try {
    const { pool, db } = database;
    await pool.query('CREATE TABLE bench_raw (LIKE events INCLUDING ALL)');
    const store = new PostgresEventStore(pool, registry);

    // Warm-up: plans, connections, caches.
    await store.append('warmup', [{ type: 'BenchItemNoted', data: payload(0) }]);

    const batchedEventsPerSec = await batchedAppends(store);
    const unnestRowsPerSec = await unnestInserts(pool);
    const copyRowsPerSec = await copyInserts(pool);
    const single = await singleAppends(store);
    const singleRaw = await singleRawInserts(pool);

    const { rows } = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM events');
    const engine = new ProjectionEngine(db, store, [eventTypeCountsProjection], {
      batchSize: 5000,
      dropGraceMs: 0,
    });
    await engine.initialise();
    const replaySeconds = await timed(async () => {
      await engine.rebuild('event_type_counts');
    });
    const replayEventsPerSec = Number(rows[0].n) / replaySeconds;
    const itemPairs = await itemPairAppends(store, pool, database.name, 'bench_raw', ITEM_PAIRS);

    const round = (n: number) => Math.round(n);
    const cpuFigure = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
    const result = {
      bench: 'append',
      events: {
        batched: WRITERS * BATCHES_PER_WRITER * BATCH,
        single: SINGLE_WRITERS * SINGLE_PER_WRITER,
        replayed: Number(rows[0].n),
      },
      batchedEventsPerSec: round(batchedEventsPerSec),
      unnestRowsPerSec: round(unnestRowsPerSec),
      copyRowsPerSec: round(copyRowsPerSec),
      ratio: Math.round((batchedEventsPerSec / unnestRowsPerSec) * 100) / 100,
      singleEventsPerSec: round(single.perSec),
      singleP99Ms: Math.round(single.p99Ms * 100) / 100,
      singleRawInsertsPerSec: round(singleRaw.perSec),
      singleRawP99Ms: Math.round(singleRaw.p99Ms * 100) / 100,
      replayEventsPerSec: round(replayEventsPerSec),
      // The ingest pipeline's two appends per item alone (ItemIngested, then ItemClassified).
      itemPairs: ITEM_PAIRS,
      itemPairsPerSec: round(itemPairs.store.itemsPerSec),
      itemPairsPostgresCpuSecondsPer10k: cpuFigure(itemPairs.store.postgresCpuSecondsPer10k),
      // Baseline: the same rows by raw unnest inserts, no stream rows.
      itemPairsRawPerSec: round(itemPairs.rawInsert.itemsPerSec),
      itemPairsRawPostgresCpuSecondsPer10k: cpuFigure(itemPairs.rawInsert.postgresCpuSecondsPer10k),
      itemPairsRatio: Math.round((itemPairs.store.itemsPerSec / itemPairs.rawInsert.itemsPerSec) * 100) / 100,
    };
    console.log(JSON.stringify(result));
  } finally {
    await database.drop();
  }
}
