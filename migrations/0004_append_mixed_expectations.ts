import { sql, type Kysely } from 'kysely';

/**
 * fw_append_events, same signature: an append to many streams that mixes "no stream yet" and "any
 * version" (a feed's new items together with the feed's own events) takes the set-based path too, in
 * two statements, instead of one insert per stream. Behaviour is otherwise unchanged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION fw_append_events(
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

      -- Many streams expecting no stream or any version (new items beside their feed, say): set-based,
      -- new streams first, then the others, each statement taking its streams in id order. (Two
      -- appends could only wait on each other if each created a stream the other appends to with
      -- 'any'; Postgres would then fail one of them as a deadlock, to be retried.) Streams with exact
      -- expected versions go one by one.
      IF n > 1 AND p_expected <@ ARRAY[-1, -2]::bigint[] THEN
        IF -1 = ANY (p_expected) THEN
          WITH ins AS (
            INSERT INTO event_streams AS s (stream_id, stream_type, version)
            SELECT x.id, x.t, x.c
            FROM unnest(p_stream_ids, p_stream_types, p_counts, p_expected) AS x(id, t, c, e)
            WHERE x.e = -1 ORDER BY x.id
            ON CONFLICT (stream_id) DO NOTHING
            RETURNING s.stream_id
          )
          SELECT array_agg(ins.stream_id) INTO done FROM ins;
          IF coalesce(cardinality(done), 0) < (SELECT count(*) FROM unnest(p_expected) AS x(e) WHERE x.e = -1) THEN
            SELECT x.id INTO failed FROM unnest(p_stream_ids, p_expected) AS x(id, e)
            WHERE x.e = -1 AND NOT (x.id = ANY (coalesce(done, '{}'))) ORDER BY x.id LIMIT 1;
            SELECT s.version INTO current_version FROM event_streams s WHERE s.stream_id = failed;
            RAISE EXCEPTION 'wrong expected version for stream %', failed
              USING ERRCODE = 'FW001', DETAIL = format('expected=no_stream actual=%s', current_version);
          END IF;
        END IF;
        WITH up AS (
          INSERT INTO event_streams AS s (stream_id, stream_type, version)
          SELECT x.id, x.t, x.c
          FROM unnest(p_stream_ids, p_stream_types, p_counts, p_expected) AS x(id, t, c, e)
          WHERE x.e = -2 ORDER BY x.id
          ON CONFLICT (stream_id) DO UPDATE SET version = s.version + EXCLUDED.version, updated_at = now()
          RETURNING s.stream_id, s.version
        )
        SELECT array_agg(CASE WHEN x.e = -1 THEN 0 ELSE up.version - x.c END ORDER BY x.i) INTO bases
        FROM unnest(p_stream_ids, p_counts, p_expected) WITH ORDINALITY AS x(id, c, e, i)
          LEFT JOIN up ON up.stream_id = x.id;
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

/** Back to 0001's function. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION fw_append_events(
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
