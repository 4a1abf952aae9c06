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
