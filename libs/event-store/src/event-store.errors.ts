/** The stream was not at the version the caller expected. Retry after re-reading the stream. */
export class WrongExpectedVersionError extends Error {
  override name = 'WrongExpectedVersionError';
  constructor(
    readonly streamId: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`Wrong expected version for stream ${streamId}: expected ${expected}, actual ${actual}`);
  }
}

/** Some ids of an append were stored before and others not: the caller mixed up two appends. */
export class PartialDuplicateAppendError extends Error {
  override name = 'PartialDuplicateAppendError';
}

/** An event's data and metadata exceed the configured size limit. */
export class EventTooLargeError extends Error {
  override name = 'EventTooLargeError';
}

/** An event type that no registry entry describes: never silently skipped. */
export class UnknownEventTypeError extends Error {
  override name = 'UnknownEventTypeError';
}

/** An event whose data does not match its registered schema, on write or on read. */
export class MalformedEventError extends Error {
  override name = 'MalformedEventError';
}

/** Stored transaction ids are ahead of the cluster's: a restore into a younger cluster would hide events. */
export class TransactionIdsAheadError extends Error {
  override name = 'TransactionIdsAheadError';
}
