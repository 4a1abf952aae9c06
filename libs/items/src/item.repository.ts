import type { Pool } from 'pg';
import type { StoredEvent } from '@frictionwatch/event-store';

export interface ItemState {
  streamId: string;
  version: string;
  contentHash: string;
  /** The event whose text is current (ItemIngested or the latest ItemRevised). */
  currentEventId: string;
  current: Record<string, unknown>;
  source: { name: string; jurisdictionHint: string | null };
}

/** What ingestion needs of an existing item: its current text's hash and its first date. */
export interface ItemTextHead {
  contentHash: string;
  publishedAt: string | null;
}

/** What classification needs of an item: its current text and publisher. */
export interface ItemClassifiable {
  streamId: string;
  itemId: string;
  /** The ItemIngested or ItemRevised event whose text is current. */
  currentEventId: string;
  contentHash: string;
  title: string;
  summary: string;
  source: { name: string; jurisdictionHint: string | null };
  /** True when an ItemClassified of this text by the given classifier versions is stored. */
  classified: boolean;
}

// Both reads walk each stream's few events on the (stream_id, stream_version) index; OFFSET 0 keeps
// the type filter out of that walk. Without it, before the events table has statistics the planner
// scans every event of the type (the whole log's ItemIngested) and filters by stream: that made each
// read's cost grow with the log.
const STREAM_EVENTS = `
FROM unnest($1::text[]) AS s(stream_id)
CROSS JOIN LATERAL (
  SELECT e.stream_version, e.event_id, e.event_type, e.data FROM events e
  WHERE e.stream_id = s.stream_id OFFSET 0
) t`;

// The latest text event (ItemIngested, then any ItemRevised) of each stream, with the few fields
// ingestion needs.
const TEXT_HEADS_SQL = `
SELECT DISTINCT ON (s.stream_id) s.stream_id, t.data->>'contentHash' AS content_hash,
       t.data->>'publishedAt' AS published_at
${STREAM_EVENTS}
WHERE t.event_type IN ('ItemIngested', 'ItemRevised')
ORDER BY s.stream_id, t.stream_version DESC`;

// Each stream's text events and classifications in version order, with the fields classification
// needs of each (payloads are not sent whole).
const CLASSIFIABLE_SQL = `
SELECT s.stream_id, t.event_id, t.event_type, t.data->>'itemId' AS item_id,
       t.data->>'contentHash' AS content_hash,
       CASE WHEN t.event_type <> 'ItemClassified' THEN t.data->>'title' END AS title,
       CASE WHEN t.event_type <> 'ItemClassified' THEN t.data->>'summary' END AS summary,
       CASE WHEN t.event_type = 'ItemIngested' THEN t.data->'source' END AS source,
       CASE WHEN t.event_type = 'ItemClassified' THEN t.data->>'classifierVersion' END AS classifier_version,
       CASE WHEN t.event_type = 'ItemClassified' THEN t.data->>'taxonomyVersion' END AS taxonomy_version
${STREAM_EVENTS}
WHERE t.event_type IN ('ItemIngested', 'ItemRevised', 'ItemClassified')
ORDER BY s.stream_id, t.stream_version`;

/** Reads item state straight from the log (the write side never waits for a projection). */
export class ItemRepository {
  constructor(private readonly pool: Pool) {}

  async states(streamIds: string[]): Promise<Map<string, ItemState>> {
    const states = new Map<string, ItemState>();
    if (streamIds.length === 0) return states;
    const { rows } = await this.pool.query<{
      stream_id: string;
      stream_version: string;
      event_id: string;
      event_type: string;
      data: Record<string, unknown>;
    }>(
      `SELECT stream_id, stream_version::text, event_id, event_type, data
       FROM events
       WHERE stream_id = ANY ($1::text[]) AND event_type IN ('ItemIngested', 'ItemRevised')
       ORDER BY stream_id, stream_version`,
      [streamIds],
    );
    for (const row of rows) {
      const previous = states.get(row.stream_id);
      const source =
        row.event_type === 'ItemIngested'
          ? (row.data.source as ItemState['source'])
          : (previous?.source ?? { name: '', jurisdictionHint: null });
      states.set(row.stream_id, {
        streamId: row.stream_id,
        version: row.stream_version,
        contentHash: String(row.data.contentHash),
        currentEventId: row.event_id,
        current: row.data,
        source,
      });
    }
    // The stream's version counts every event (classifications too): read it from the streams table.
    const { rows: versions } = await this.pool.query<{ stream_id: string; version: string }>(
      'SELECT stream_id, version::text FROM event_streams WHERE stream_id = ANY ($1::text[])',
      [streamIds],
    );
    for (const row of versions) {
      const state = states.get(row.stream_id);
      if (state) state.version = row.version;
    }
    return states;
  }

  /** The current text's hash and date of each of these item streams that exists, in one statement. */
  async textHeads(streamIds: string[]): Promise<Map<string, ItemTextHead>> {
    const heads = new Map<string, ItemTextHead>();
    if (streamIds.length === 0) return heads;
    const { rows } = await this.pool.query<{
      stream_id: string;
      content_hash: string;
      published_at: string | null;
    }>({ name: 'fw_item_text_heads', text: TEXT_HEADS_SQL, values: [streamIds] });
    for (const row of rows)
      heads.set(row.stream_id, { contentHash: row.content_hash, publishedAt: row.published_at });
    return heads;
  }

  /**
   * The current text and publisher of each of these item streams that exists, in one statement; with
   * classifier versions, also whether that text is classified by them already.
   */
  async classifiable(
    streamIds: string[],
    versions?: { classifierVersion: string; taxonomyVersion: string },
  ): Promise<Map<string, ItemClassifiable>> {
    const items = new Map<string, ItemClassifiable>();
    if (streamIds.length === 0) return items;
    const { rows } = await this.pool.query<{
      stream_id: string;
      event_id: string;
      event_type: string;
      item_id: string;
      content_hash: string;
      title: string | null;
      summary: string | null;
      source: ItemClassifiable['source'] | null;
      classifier_version: string | null;
      taxonomy_version: string | null;
    }>({ name: 'fw_item_classifiable', text: CLASSIFIABLE_SQL, values: [streamIds] });
    const classifiedTexts = new Set<string>();
    for (const row of rows) {
      if (row.event_type === 'ItemClassified') {
        if (
          versions &&
          row.classifier_version === versions.classifierVersion &&
          row.taxonomy_version === versions.taxonomyVersion
        )
          classifiedTexts.add(`${row.stream_id}|${row.content_hash}`);
        continue;
      }
      const previous = items.get(row.stream_id);
      items.set(row.stream_id, {
        streamId: row.stream_id,
        itemId: row.item_id,
        currentEventId: row.event_id,
        contentHash: row.content_hash,
        title: row.title ?? '',
        summary: row.summary ?? '',
        source: row.source ?? previous?.source ?? { name: '', jurisdictionHint: null },
        classified: false,
      });
    }
    for (const item of items.values())
      item.classified = classifiedTexts.has(`${item.streamId}|${item.contentHash}`);
    return items;
  }

  /** Which of these event ids are stored already. */
  async storedEventIds(eventIds: string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const { rows } = await this.pool.query<{ event_id: string }>(
      'SELECT event_id FROM events WHERE event_id = ANY ($1::uuid[])',
      [eventIds],
    );
    return new Set(rows.map((r) => r.event_id));
  }
}

export function isItemTextEvent(event: StoredEvent): boolean {
  return event.type === 'ItemIngested' || event.type === 'ItemRevised';
}
