import type { ColumnType, Generated } from 'kysely';

/** Postgres bigint and xid8 arrive as strings: positions are never JavaScript numbers. */
type BigintColumn = ColumnType<string, string | bigint, string | bigint>;

export interface EventStreamsTable {
  stream_id: string;
  stream_type: string;
  version: BigintColumn;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export interface EventsTable {
  global_position: ColumnType<string, never, never>;
  transaction_id: ColumnType<string, never, never>;
  stream_id: string;
  stream_version: BigintColumn;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: unknown;
  recorded_at: ColumnType<Date, never, never>;
}

export interface ProjectionsTable {
  name: string;
  active_generation: number | null;
  updated_at: ColumnType<Date, never, Date>;
}

export interface ProjectionCheckpointsTable {
  name: string;
  generation: number;
  status: 'live' | 'building' | 'failed' | 'retired';
  transaction_id: ColumnType<string, string, string>;
  global_position: BigintColumn;
  events_applied: BigintColumn;
  attempts: number;
  last_error: string | null;
  started_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export interface EventTypeDailyCountsTable {
  day: ColumnType<string, string, string>;
  event_type: string;
  event_count: BigintColumn;
}

export interface ApiKeysTable {
  key_id: string;
  name: string;
  scope: 'read' | 'admin';
  secret_sha256: Buffer;
  created_at: ColumnType<Date, never, never>;
  revoked_at: ColumnType<Date | null, never, Date | null>;
}

/** The tables of the shared schema. Projection tables live in per-generation schemas. */
export interface Database {
  event_streams: EventStreamsTable;
  events: EventsTable;
  projections: ProjectionsTable;
  projection_checkpoints: ProjectionCheckpointsTable;
  event_type_daily_counts: EventTypeDailyCountsTable;
  api_keys: ApiKeysTable;
}

export type { Generated };
