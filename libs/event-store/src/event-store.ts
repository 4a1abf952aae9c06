import type { Pool } from 'pg';
import { checkpointFrom, compareCheckpoints, formatCheckpoint, type Checkpoint } from './checkpoint';
import { randomEventId } from './event-ids';
import type { EventRegistry } from './event-registry';
import {
  EventTooLargeError,
  PartialDuplicateAppendError,
  TransactionIdsAheadError,
  WrongExpectedVersionError,
} from './event-store.errors';
import type { AppendResult, EventMetadata, ExpectedVersion, NewEvent, StoredEvent } from './event.types';

/** Anything that runs a query: the pool, a client inside the caller's own transaction, or an adapter. */
export interface Queryable {
  query<R = Record<string, unknown>>(config: {
    text: string;
    values?: unknown[];
    name?: string;
  }): Promise<{ rows: R[] }>;
}

export interface EventStoreOptions {
  lockTimeoutMs?: number;
  maxEventBytes?: number;
  /** Called after each successful append, e.g. to send a NOTIFY hint to followers. */
  onAppended?: () => void;
}

export interface AppendOptions {
  expectedVersion?: ExpectedVersion;
  /** Defaults to the part of the stream id before the first `-` (`item-123` → `item`). */
  streamType?: string;
  /** Run inside the caller's transaction instead of on the pool. */
  executor?: Queryable;
}

export interface StreamAppend {
  streamId: string;
  events: NewEvent[];
  expectedVersion?: ExpectedVersion;
  streamType?: string;
}

export interface ReadAllOptions {
  after?: string | Checkpoint;
  limit?: number;
  maxBytes?: number;
  types?: readonly string[];
  /**
   * `false` reads envelopes only (type, stream, ids, metadata, time; `data` is null and is neither
   * sent nor decoded), for followers that never look at payloads. Default true.
   */
  withData?: boolean;
  /**
   * With data: payloads of these types only; events of other types come as envelopes (`data` null,
   * neither sent nor decoded). For a reader serving several followers, of which only some read payloads.
   */
  dataTypes?: readonly string[];
}

export interface ReadAllResult {
  events: StoredEvent[];
  /** Where the next read resumes: after the last event returned, or past skipped types. */
  checkpoint: string;
  /** True when nothing below the watermark remains after `checkpoint`. */
  caughtUp: boolean;
}

interface EventRow {
  global_position: string;
  transaction_id: string;
  stream_id: string;
  stream_version: string;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
}

interface AppendedRow {
  event_id: string;
  global_position: string;
  stream_id: string;
  stream_version: string;
  transaction_id: string;
}

// Payloads and metadata travel as one JSON array each, parsed once by the server and taken apart
// into the function's jsonb[] without parsing again. (A text[] parameter has every quote of every
// document escaped by the client and unescaped by the server; one text split into lines and cast
// to jsonb[] cost the server twice the CPU of the inserts themselves.)
const jsonbElements = (param: string) =>
  `ARRAY(SELECT d.value FROM jsonb_array_elements(${param}::jsonb) WITH ORDINALITY AS d(value, n) ORDER BY d.n)`;
const APPEND_SQL =
  'SELECT event_id, global_position::text, stream_id, stream_version::text, transaction_id FROM fw_append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ' +
  `${jsonbElements('$11')}, ${jsonbElements('$12')})`;

/** A reader by type looks at most this many times its row limit of positions per read. */
const TYPE_SCAN_FACTOR = 10;

// One statement: the next positions strictly below the watermark, in (transaction id, position)
// order, at most $5 of them (the scan window, on the (transaction_id, global_position) index); of
// those, the first $3 of the wanted types ($6, or all) are read whole, bounded by $4 bytes. Unless
// that filled the batch, the last position scanned comes back too (scanning the window once more),
// so a reader by type moves its checkpoint past what it skipped.
// (Filtering by type inside the ordered scan let the planner, before the table had statistics, take
// every event of those types after the checkpoint, payloads included, and sort them, for every batch:
// a follower's cost grew with how far behind it was.) Without data, payloads are neither sent nor
// counted against the byte bound.
function readAllSql(withData: boolean): string {
  // With data, $7 (null: every type) names the types whose payloads are read.
  const data = withData
    ? 'CASE WHEN $7::text[] IS NULL OR e.event_type = ANY ($7::text[]) THEN e.data END'
    : 'NULL::jsonb';
  const bytes = withData
    ? `coalesce(pg_column_size(${data}), 0) + pg_column_size(e.metadata)`
    : 'pg_column_size(e.metadata)';
  return `
WITH watermark AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
scanned AS NOT MATERIALIZED (
  SELECT e.transaction_id, e.global_position, e.event_type FROM events e, watermark w
  WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
    AND e.transaction_id < w.xmin
  ORDER BY e.transaction_id, e.global_position
  LIMIT $5
),
picked AS (
  SELECT s.global_position FROM scanned s
  WHERE $6::text[] IS NULL OR s.event_type = ANY ($6::text[])
  ORDER BY s.transaction_id, s.global_position
  LIMIT $3
),
batch AS (
  SELECT e.global_position, e.transaction_id, e.stream_id, e.stream_version, e.event_id, e.event_type,
         e.schema_version, ${data} AS data, e.metadata, e.recorded_at,
         sum(${bytes}) OVER (ORDER BY e.transaction_id, e.global_position) AS running_bytes,
         row_number() OVER (ORDER BY e.transaction_id, e.global_position) AS n
  FROM picked p JOIN events e ON e.global_position = p.global_position
),
last_scanned AS (
  SELECT s.transaction_id, s.global_position, (SELECT count(*) FROM scanned) AS scanned FROM scanned s
  WHERE (SELECT count(*) FROM batch) < $3
  ORDER BY s.transaction_id DESC, s.global_position DESC LIMIT 1
)
SELECT 'event' AS kind, b.global_position::text, b.transaction_id::text, b.stream_id, b.stream_version::text,
       b.event_id, b.event_type, b.schema_version, b.data, b.metadata, b.recorded_at,
       (SELECT count(*) FROM batch) AS batch_count, b.n
FROM batch b WHERE b.n = 1 OR b.running_bytes <= $4
UNION ALL
SELECT 'scanned', l.global_position::text, l.transaction_id::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       l.scanned, 0
FROM last_scanned l
ORDER BY kind, n`;
}

const READ_EVENTS = { name: 'fw_read_events', text: readAllSql(true) };
const READ_ENVELOPES = { name: 'fw_read_envelopes', text: readAllSql(false) };

function expectedCode(expected: ExpectedVersion): string {
  if (expected === 'no_stream') return '-1';
  if (expected === 'any') return '-2';
  const n = BigInt(expected);
  if (n < 0n) throw new RangeError(`expectedVersion must be 'no_stream', 'any' or >= 0, got ${expected}`);
  return n.toString();
}

function streamTypeOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
}

/**
 * The Postgres event store: atomic appends with expected versions, and gap-safe reads of the global log
 * in (transaction id, position) order below the oldest running transaction.
 */
export class PostgresEventStore {
  private readonly lockTimeout: string;
  private readonly maxEventBytes: number;

  constructor(
    private readonly pool: Pool,
    private readonly registry: EventRegistry,
    private readonly options: EventStoreOptions = {},
  ) {
    this.lockTimeout = `${options.lockTimeoutMs ?? 5000}ms`;
    this.maxEventBytes = options.maxEventBytes ?? 262144;
  }

  private readonly appendListeners: ((types: string[]) => void)[] = [];

  /**
   * Tells `listener` the types of the events each append wrote (metrics); not called for an
   * idempotent re-append that wrote nothing. Inside a caller's transaction it is told before commit.
   */
  onAppend(listener: (types: string[]) => void): void {
    this.appendListeners.push(listener);
  }

  /** Appends to one stream in one round trip. */
  async append(streamId: string, events: NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const [result] = await this.appendMany(
      [
        {
          streamId,
          events,
          expectedVersion: options.expectedVersion ?? 'any',
          streamType: options.streamType,
        },
      ],
      options.executor,
    );
    return result;
  }

  /**
   * Appends to many streams in one round trip and one transaction (the bulk path for backfills):
   * all or nothing. Streams are locked in sorted order so concurrent bulk appends cannot deadlock.
   */
  async appendMany(appends: StreamAppend[], executor: Queryable = this.pool): Promise<AppendResult[]> {
    if (appends.length === 0) return [];
    const order = appends
      .map((_, i) => i)
      .sort((a, b) => (appends[a].streamId < appends[b].streamId ? -1 : 1));
    const seen = new Set<string>();
    const streamIds: string[] = [];
    const streamTypes: string[] = [];
    const expected: string[] = [];
    const counts: number[] = [];
    const eventStreamIndex: number[] = [];
    const offsets: number[] = [];
    const ids: string[] = [];
    const types: string[] = [];
    const schemaVersions: number[] = [];
    const data: string[] = [];
    const metadata: string[] = [];
    const now = new Date().toISOString();

    for (const index of order) {
      const { streamId, events } = appends[index];
      if (!streamId) throw new RangeError('streamId must not be empty');
      if (seen.has(streamId)) throw new RangeError(`Stream ${streamId} appears twice in one append`);
      if (events.length === 0) throw new RangeError(`No events to append to stream ${streamId}`);
      seen.add(streamId);
      streamIds.push(streamId);
      streamTypes.push(appends[index].streamType ?? streamTypeOf(streamId));
      expected.push(expectedCode(appends[index].expectedVersion ?? 'any'));
      counts.push(events.length);
      events.forEach((event, offset) => {
        const schemaVersion = this.registry.validateForWrite(event.type, event.data);
        const eventId = event.eventId ?? randomEventId();
        const { correlationId, causationId, occurredAt, ...rest } = event.metadata ?? {};
        const meta: EventMetadata = {
          ...rest,
          correlationId: correlationId ?? eventId,
          causationId: causationId ?? null,
          occurredAt: occurredAt instanceof Date ? occurredAt.toISOString() : (occurredAt ?? now),
        };
        const dataJson = JSON.stringify(event.data);
        const metaJson = JSON.stringify(meta);
        // A UTF-16 code unit is at most 3 bytes of UTF-8: only JSON long enough to be over the limit is counted in bytes.
        if ((dataJson.length + metaJson.length) * 3 > this.maxEventBytes) {
          const bytes = Buffer.byteLength(dataJson) + Buffer.byteLength(metaJson);
          if (bytes > this.maxEventBytes)
            throw new EventTooLargeError(
              `Event ${event.type} for stream ${streamId} is ${bytes} bytes; the limit is ${this.maxEventBytes}`,
            );
        }
        eventStreamIndex.push(streamIds.length);
        offsets.push(offset + 1);
        ids.push(eventId);
        types.push(event.type);
        schemaVersions.push(schemaVersion);
        data.push(dataJson);
        metadata.push(metaJson);
      });
    }

    let rows: AppendedRow[];
    let written = true;
    try {
      const result = await executor.query<AppendedRow>({
        name: 'fw_append_events',
        text: APPEND_SQL,
        values: [
          this.lockTimeout,
          streamIds,
          streamTypes,
          expected,
          counts,
          eventStreamIndex,
          offsets,
          ids,
          types,
          schemaVersions,
          `[${data.join(',')}]`,
          `[${metadata.join(',')}]`,
        ],
      });
      rows = result.rows;
    } catch (error) {
      const translated = this.translate(error);
      const mayBeRetry =
        translated instanceof WrongExpectedVersionError ||
        (error as { constraint?: string }).constraint === 'events_event_id_key';
      // Only on the pool: inside the caller's transaction the failed statement has aborted it anyway.
      if (!mayBeRetry || executor !== this.pool) throw translated;
      rows = await this.storedAppend(ids, translated);
      written = false;
    }
    this.options.onAppended?.();
    if (written && this.appendListeners.length) {
      const typeOf = new Map(ids.map((id, i) => [id, types[i]]));
      const appended = rows.map((row) => typeOf.get(row.event_id) ?? 'unknown');
      for (const listener of this.appendListeners) listener(appended);
    }

    const byStream = new Map<string, AppendResult>();
    for (const row of rows) {
      let entry = byStream.get(row.stream_id);
      if (!entry) {
        entry = { streamId: row.stream_id, nextVersion: row.stream_version, positions: [], checkpoint: '' };
        byStream.set(row.stream_id, entry);
      }
      entry.positions.push(row.global_position);
      if (BigInt(row.stream_version) > BigInt(entry.nextVersion)) entry.nextVersion = row.stream_version;
      entry.checkpoint = `${row.transaction_id}:${row.global_position}`;
    }
    return appends.map((append) => {
      const entry = byStream.get(append.streamId);
      if (!entry) throw new Error(`Append to ${append.streamId} returned no rows`);
      return entry;
    });
  }

  /** A stream's events from a version on (inclusive), in version order. No watermark: a stream is never gappy. */
  async readStream(
    streamId: string,
    fromVersion: number | bigint = 1,
    limit = 10000,
  ): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT global_position::text, transaction_id::text, stream_id, stream_version::text, event_id, event_type,
              schema_version, data, metadata, recorded_at
       FROM events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version LIMIT $3`,
      [streamId, BigInt(fromVersion).toString(), limit],
    );
    return rows.map((row) => this.decode(row));
  }

  /** The stream's current version, or null when it does not exist. */
  async streamVersion(streamId: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ version: string }>(
      'SELECT version::text FROM event_streams WHERE stream_id = $1',
      [streamId],
    );
    return rows[0]?.version ?? null;
  }

  /**
   * Reads the global log after a checkpoint in (transaction id, position) order, only what committed
   * below the oldest running transaction: a late commit is read later, never skipped, never twice.
   */
  async readAll(options: ReadAllOptions = {}, executor: Queryable = this.pool): Promise<ReadAllResult> {
    const after = checkpointFrom(options.after);
    const limit = options.limit ?? 1000;
    const withData = options.withData ?? true;
    const dataTypes = withData && options.dataTypes ? new Set(options.dataTypes) : null;
    const window = options.types ? limit * TYPE_SCAN_FACTOR : limit;
    const { rows } = await executor.query<EventRow & { kind: 'event' | 'scanned'; batch_count: string }>({
      ...(withData ? READ_EVENTS : READ_ENVELOPES),
      values: [
        after.transactionId.toString(),
        after.position.toString(),
        limit,
        options.maxBytes ?? 8 * 1024 * 1024,
        window,
        options.types ? [...options.types] : null,
        ...(withData ? [options.dataTypes ? [...options.dataTypes] : null] : []),
      ],
    });
    const events: StoredEvent[] = [];
    let lastScanned: Checkpoint | null = null;
    let scanned = 0;
    let batchCount = 0;
    for (const row of rows) {
      if (row.kind === 'scanned') {
        lastScanned = { transactionId: BigInt(row.transaction_id), position: BigInt(row.global_position) };
        scanned = Number(row.batch_count);
      } else {
        batchCount = Number(row.batch_count);
        events.push(
          withData && (!dataTypes || dataTypes.has(row.event_type)) ? this.decode(row) : this.envelope(row),
        );
      }
    }
    const last = events.at(-1);
    // Cut short by the row bound or by the byte bound: resume right after the last event returned.
    if (last && (batchCount >= limit || events.length < batchCount)) {
      return { events, checkpoint: `${last.transactionId}:${last.globalPosition}`, caughtUp: false };
    }
    // Everything scanned was returned or is of other types: resume after the last position scanned;
    // caught up unless the scan window was full.
    const resume = lastScanned && compareCheckpoints(lastScanned, after) > 0 ? lastScanned : after;
    return { events, checkpoint: formatCheckpoint(resume), caughtUp: scanned < window };
  }

  /** The newest checkpoint below the watermark, and the newest overall (which may be hidden). */
  async head(): Promise<{ visible: string; latest: string }> {
    const { rows } = await this.pool.query<{ visible: string | null; latest: string | null }>(`
      SELECT
        (SELECT transaction_id::text || ':' || global_position FROM events
          WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY transaction_id DESC, global_position DESC LIMIT 1) AS visible,
        (SELECT transaction_id::text || ':' || global_position FROM events
          ORDER BY transaction_id DESC, global_position DESC LIMIT 1) AS latest`);
    return { visible: rows[0]?.visible ?? '0:0', latest: rows[0]?.latest ?? '0:0' };
  }

  /**
   * Refuses to run when stored transaction ids are at or beyond the cluster's next id: after a logical
   * restore into a younger cluster, new events would sort before old ones and readers would miss them.
   */
  async assertTransactionIdsNotAhead(): Promise<void> {
    const { rows } = await this.pool.query<{ stored: string | null; next: string }>(`
      SELECT (SELECT max(transaction_id)::text FROM events) AS stored,
             pg_snapshot_xmax(pg_current_snapshot())::text AS next`);
    const stored = rows[0]?.stored;
    if (stored && BigInt(stored) >= BigInt(rows[0].next)) {
      throw new TransactionIdsAheadError(
        `Refusing to start: the events table holds transaction id ${stored}, but this cluster's next ` +
          `transaction id is ${rows[0].next}. The data was restored into a younger cluster; new events ` +
          `would be hidden from readers. Restore physically (pg_basebackup) or advance the cluster's ` +
          `transaction counter past ${stored} before starting.`,
      );
    }
  }

  private decode(row: EventRow): StoredEvent {
    const where = `event ${row.global_position} (stream ${row.stream_id} v${row.stream_version})`;
    return this.stored(row, this.registry.decode(row.event_type, row.schema_version, row.data, where));
  }

  /** An event without its payload; its type must still be registered. */
  private envelope(row: EventRow): StoredEvent {
    this.registry.definition(row.event_type);
    return this.stored(row, null);
  }

  private stored(row: EventRow, data: unknown): StoredEvent {
    return {
      globalPosition: row.global_position,
      transactionId: row.transaction_id,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      eventId: row.event_id,
      type: row.event_type,
      schemaVersion: row.schema_version,
      data,
      metadata: row.metadata,
      recordedAt: row.recorded_at,
    };
  }

  private translate(error: unknown): unknown {
    const pgError = error as { code?: string; message?: string; detail?: string; constraint?: string };
    if (pgError.code === 'FW001') {
      const stream = /stream (.*)$/.exec(pgError.message ?? '')?.[1] ?? '?';
      const detail = /expected=(\S+) actual=(\S+)/.exec(pgError.detail ?? '');
      return new WrongExpectedVersionError(stream, detail?.[1] ?? '?', detail?.[2] ?? '?');
    }
    if (pgError.constraint === 'events_event_id_key') {
      return new PartialDuplicateAppendError(
        `An event id of this append is already stored: ${pgError.detail ?? ''}`,
      );
    }
    return error;
  }

  /**
   * A retried append meets a conflict or a duplicate id: when every one of its ids is stored, it
   * returns what the first append wrote; when only some are, the caller mixed up two appends.
   */
  private async storedAppend(ids: string[], failure: unknown): Promise<AppendedRow[]> {
    const { rows } = await this.pool.query<AppendedRow>(
      `SELECT event_id, global_position::text, stream_id, stream_version::text, transaction_id::text
       FROM events WHERE event_id = ANY ($1::uuid[]) ORDER BY global_position`,
      [ids],
    );
    if (rows.length === ids.length) return rows;
    if (rows.length === 0) throw failure;
    throw new PartialDuplicateAppendError('Some event ids of this append are already stored, others are not');
  }
}
