import { sql, type Kysely } from 'kysely';

/**
 * The event store: one row per stream (its version is the compare-and-set target) and the append-only
 * events table. `transaction_id` is the writing transaction's id; readers order by
 * (transaction_id, global_position) below the snapshot's xmin so no late commit is ever skipped.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE event_streams (
      stream_id text NOT NULL,
      stream_type text NOT NULL,
      version bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT event_streams_pkey PRIMARY KEY (stream_id),
      CONSTRAINT event_streams_version_positive CHECK (version > 0),
      CONSTRAINT event_streams_id_length CHECK (length(stream_id) BETWEEN 1 AND 512)
    )`.execute(db);

  await sql`
    CREATE TABLE events (
      global_position bigint GENERATED ALWAYS AS IDENTITY,
      transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
      stream_id text NOT NULL,
      stream_version bigint NOT NULL,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      schema_version integer NOT NULL DEFAULT 1,
      data jsonb NOT NULL,
      metadata jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT events_pkey PRIMARY KEY (global_position),
      CONSTRAINT events_event_id_key UNIQUE (event_id),
      CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
      CONSTRAINT events_stream_version_positive CHECK (stream_version > 0),
      CONSTRAINT events_schema_version_positive CHECK (schema_version > 0),
      -- A backstop only: the application refuses oversized events first, with a clear error.
      CONSTRAINT events_payload_size CHECK (pg_column_size(data) + pg_column_size(metadata) <= 1048576)
    )`.execute(db);
  await sql`CREATE INDEX events_transaction_position_idx ON events (transaction_id, global_position)`.execute(
    db,
  );
  await sql`CREATE INDEX events_type_idx ON events (event_type, transaction_id, global_position)`.execute(db);

  // One round trip per append, for one stream or many. A retried append (same event ids) is recognised
  // by the caller from the unique violation or version conflict it meets, which keeps the common path
  // free of a lookup. Each stream's compare-and-set is the transaction's first write (streams taken in the caller's sorted order, so no deadlock), then
  // the events in one INSERT. Expected version: -1 = no stream yet, -2 = any, n >= 0 = exactly n.
  await sql`
    CREATE FUNCTION fw_append_events(
      p_lock_timeout text,
      p_stream_ids text[],
      p_stream_types text[],
      p_expected bigint[],
      p_counts integer[],
      p_event_stream_index integer[],
      p_event_offsets integer[],
      p_event_ids uuid[],
      p_event_types text[],
      p_schema_versions integer[],
      p_data jsonb[],
      p_metadata jsonb[]
    ) RETURNS TABLE (event_id uuid, global_position bigint, stream_id text, stream_version bigint, transaction_id text)
    LANGUAGE plpgsql AS $fn$
    #variable_conflict use_column
    DECLARE
      bases bigint[] := '{}';
      new_version bigint;
      current_version bigint;
      i integer;
      n integer := cardinality(p_stream_ids);
      done text[];
      failed text;
    BEGIN
      PERFORM set_config('lock_timeout', p_lock_timeout, true);

      -- Many streams with one kind of expectation ('any' or no_stream): one set-based statement,
      -- streams taken in id order (so concurrent bulk appends cannot deadlock). Otherwise one by one.
      IF n > 1 AND p_expected <@ ARRAY[-2]::bigint[] THEN
        WITH up AS (
          INSERT INTO event_streams AS s (stream_id, stream_type, version)
          SELECT x.id, x.t, x.c FROM unnest(p_stream_ids, p_stream_types, p_counts) AS x(id, t, c) ORDER BY x.id
          ON CONFLICT (stream_id) DO UPDATE SET version = s.version + EXCLUDED.version, updated_at = now()
          RETURNING s.stream_id, s.version
        )
        SELECT array_agg(up.version - x.c ORDER BY x.i) INTO bases
        FROM unnest(p_stream_ids, p_counts) WITH ORDINALITY AS x(id, c, i) JOIN up ON up.stream_id = x.id;
      ELSIF n > 1 AND p_expected <@ ARRAY[-1]::bigint[] THEN
        WITH ins AS (
          INSERT INTO event_streams AS s (stream_id, stream_type, version)
          SELECT x.id, x.t, x.c FROM unnest(p_stream_ids, p_stream_types, p_counts) AS x(id, t, c) ORDER BY x.id
          ON CONFLICT (stream_id) DO NOTHING
          RETURNING s.stream_id
        )
        SELECT array_agg(ins.stream_id) INTO done FROM ins;
        IF coalesce(cardinality(done), 0) < n THEN
          SELECT x.id INTO failed FROM unnest(p_stream_ids) AS x(id) WHERE NOT (x.id = ANY (coalesce(done, '{}'))) ORDER BY x.id LIMIT 1;
          SELECT s.version INTO current_version FROM event_streams s WHERE s.stream_id = failed;
          RAISE EXCEPTION 'wrong expected version for stream %', failed
            USING ERRCODE = 'FW001', DETAIL = format('expected=no_stream actual=%s', current_version);
        END IF;
        bases := array_fill(0::bigint, ARRAY[n]);
      ELSE
      FOR i IN 1 .. n LOOP
        IF p_expected[i] = -1 THEN
          INSERT INTO event_streams AS s (stream_id, stream_type, version)
          VALUES (p_stream_ids[i], p_stream_types[i], p_counts[i])
          ON CONFLICT (stream_id) DO NOTHING;
          IF NOT FOUND THEN
            SELECT s.version INTO current_version FROM event_streams s WHERE s.stream_id = p_stream_ids[i];
            RAISE EXCEPTION 'wrong expected version for stream %', p_stream_ids[i]
              USING ERRCODE = 'FW001', DETAIL = format('expected=no_stream actual=%s', current_version);
          END IF;
          bases := bases || 0::bigint;
        ELSIF p_expected[i] = -2 THEN
          INSERT INTO event_streams AS s (stream_id, stream_type, version)
          VALUES (p_stream_ids[i], p_stream_types[i], p_counts[i])
          ON CONFLICT (stream_id) DO UPDATE SET version = s.version + EXCLUDED.version, updated_at = now()
          RETURNING s.version INTO new_version;
          bases := bases || (new_version - p_counts[i]);
        ELSE
          UPDATE event_streams s SET version = s.version + p_counts[i], updated_at = now()
          WHERE s.stream_id = p_stream_ids[i] AND s.version = p_expected[i];
          IF NOT FOUND THEN
            SELECT s.version INTO current_version FROM event_streams s WHERE s.stream_id = p_stream_ids[i];
            RAISE EXCEPTION 'wrong expected version for stream %', p_stream_ids[i]
              USING ERRCODE = 'FW001',
                    DETAIL = format('expected=%s actual=%s', p_expected[i], coalesce(current_version::text, 'no_stream'));
          END IF;
          bases := bases || p_expected[i];
        END IF;
      END LOOP;
      END IF;

      RETURN QUERY
        WITH inserted AS (
          INSERT INTO events AS e (stream_id, stream_version, event_id, event_type, schema_version, data, metadata)
          SELECT p_stream_ids[x.stream_index], bases[x.stream_index] + x.event_offset,
                 x.event_id, x.event_type, x.schema_version, x.data, x.metadata
          FROM unnest(p_event_stream_index, p_event_offsets, p_event_ids, p_event_types, p_schema_versions, p_data, p_metadata)
            AS x(stream_index, event_offset, event_id, event_type, schema_version, data, metadata)
          RETURNING e.event_id, e.global_position, e.stream_id, e.stream_version, e.transaction_id::text
        )
        SELECT * FROM inserted ORDER BY global_position;
    END
    $fn$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS fw_append_events`.execute(db);
  await sql`DROP TABLE IF EXISTS events`.execute(db);
  await sql`DROP TABLE IF EXISTS event_streams`.execute(db);
}
