import type { Pool } from 'pg';
import { checkResult, sample, type CheckResult } from './verify.types';

/**
 * The log's own guarantees: no global position twice, no (stream id, stream version) twice, each
 * stream's versions 1..n without a gap, and n is the version its stream row records. The schema's
 * constraints promise the first two; this checks what is actually stored (a restore, a dropped
 * constraint or a hand-made insert can break them).
 */
export async function checkEventLog(pool: Pool): Promise<CheckResult> {
  const { rows } = await pool.query<{ kind: string; what: string }>(`
    SELECT 'position' AS kind, global_position::text || ' (' || count(*) || ' events)' AS what
    FROM events GROUP BY global_position HAVING count(*) > 1
    UNION ALL
    SELECT 'stream version', stream_id || ' v' || stream_version || ' (' || count(*) || ' events)'
    FROM events GROUP BY stream_id, stream_version HAVING count(*) > 1
    UNION ALL
    SELECT 'gap', coalesce(e.stream_id, s.stream_id) || ': versions ' || coalesce(min(e.stream_version)::text, '-')
             || '..' || coalesce(max(e.stream_version)::text, '-') || ' in ' || count(DISTINCT e.stream_version)
             || ' distinct, stream row at ' || coalesce(s.version::text, 'none')
    FROM events e FULL JOIN event_streams s ON s.stream_id = e.stream_id
    GROUP BY coalesce(e.stream_id, s.stream_id), s.version
    HAVING coalesce(min(e.stream_version), 0) <> 1
        OR max(e.stream_version) <> count(DISTINCT e.stream_version)
        OR s.version IS DISTINCT FROM max(e.stream_version)
    ORDER BY 1, 2
    LIMIT 1000`);
  const { rows: totals } = await pool.query<{ events: string; streams: string }>(
    'SELECT (SELECT count(*) FROM events)::text AS events, (SELECT count(*) FROM event_streams)::text AS streams',
  );
  const size = `${totals[0].events} events in ${totals[0].streams} streams`;
  if (rows.length === 0)
    return checkResult(
      'event-log',
      0,
      `${size}: no duplicate global position or (stream, version), no gap in any stream's versions`,
    );
  const byKind = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => r.what);
  const parts = [
    ['duplicate global positions', byKind('position')],
    ['duplicate stream versions', byKind('stream version')],
    ['streams with gaps or a stream row out of step', byKind('gap')],
  ] as const;
  return checkResult(
    'event-log',
    rows.length,
    `${size}: ` +
      parts
        .filter(([, list]) => list.length > 0)
        .map(([label, list]) => `${list.length} ${label}: ${sample(list)}`)
        .join('; '),
  );
}
