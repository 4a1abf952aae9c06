/** What the caller appends: plain typed data. Ids and metadata default when not given. */
export interface NewEvent<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
  /** Give a deterministic id where the event has a natural key, so a retried append is a no-op. */
  eventId?: string;
  metadata?: EventMetadataInput;
}

export interface EventMetadataInput {
  correlationId?: string;
  causationId?: string;
  occurredAt?: Date | string;
  [key: string]: unknown;
}

export interface EventMetadata {
  correlationId: string;
  causationId: string | null;
  occurredAt: string;
  [key: string]: unknown;
}

/** An event as stored. Positions and transaction ids are decimal strings (bigint in Postgres). */
export interface StoredEvent<TType extends string = string, TData = unknown> {
  globalPosition: string;
  transactionId: string;
  streamId: string;
  streamVersion: string;
  eventId: string;
  type: TType;
  schemaVersion: number;
  data: TData;
  metadata: EventMetadata;
  recordedAt: Date;
}

/** `no_stream`: the stream must not exist; a number: it must be exactly at that version; `any`. */
export type ExpectedVersion = 'no_stream' | 'any' | number | bigint;

export interface AppendResult {
  streamId: string;
  /** The stream's version after the append. */
  nextVersion: string;
  /** Global positions of the appended events, in order. */
  positions: string[];
  /** `<transaction id>:<global position>` of the last event. */
  checkpoint: string;
}
