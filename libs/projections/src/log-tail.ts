import {
  compareCheckpoints,
  formatCheckpoint,
  parseCheckpoint,
  type Checkpoint,
  type PostgresEventStore,
  type StoredEvent,
} from '@frictionwatch/event-store';

export interface LogTailOptions {
  /** The newest events, always kept; the oldest are dropped first. */
  maxEvents: number;
  /**
   * While a tracked follower is behind the newest `maxEvents`, the window keeps the events it has yet
   * to take, up to this many in all (a backfill: the slow projections then read memory, not the
   * database). Default `maxEvents`: a window of fixed size.
   */
  maxEventsWhileBehind?: number;
  /** Events per read of the log. */
  readLimit?: number;
  /**
   * Also freezes each event's data all the way down, so a handler that changes a shared event fails
   * loudly (tests, development). Off in production: decoded data may share zod's default values
   * with other code of the process, and the walk costs.
   */
  freezeData?: boolean;
}

/** What the window holds: the events of `types`, with payloads for `dataTypes` (default: all, all). */
export interface TailCoverage {
  types: readonly string[] | 'all';
  dataTypes: readonly string[] | 'all';
}

const EVERYTHING: TailCoverage = { types: 'all', dataTypes: 'all' };

/** A batch taken from the window: the same shape and meaning as a `readAll` result. */
export interface TailBatch {
  events: StoredEvent[];
  checkpoint: string;
  caughtUp: boolean;
}

interface Entry {
  at: Checkpoint;
  event: StoredEvent;
}

/** Frozen all the way down. */
function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

/**
 * The newest events of the log (every type its followers handle, decoded once) for all the projections
 * of one engine, so that followers at the head do not each read and decode the same new events. The
 * window holds every event of the covered types after `start` up to `end`: `readAll` returns all
 * events of its types after its `after` up to the checkpoint it returns, and, that checkpoint being
 * below the watermark, nothing can later commit before it.
 */
export class LogTail {
  /** The window is `entries` from index `first` on: dropping the oldest moves `first`, not the rest. */
  private entries: Entry[] = [];
  private first = 0;
  /** Null until the first read: the window then starts at the log's visible head. */
  private start: Checkpoint | null = null;
  private end: Checkpoint | null = null;
  private caughtUp = false;
  /** False after a failed read: the window may be stale at its end, so it answers nothing there. */
  private fresh = false;
  /** Counts "new events may exist" hints; a read answers the hints given before it started. */
  private hints = 0;
  private answeredHints = -1;
  private reading: { hints: number; done: Promise<void> } | null = null;
  private readonly readLimit: number;
  /** Bound on one refresh: it never reads so much that it trims what it has just read. */
  private readonly maxRead: number;
  private coverage: TailCoverage = EVERYTHING;
  private coveredTypes: ReadonlySet<string> | null = null;
  private coveredDataTypes: ReadonlySet<string> | null = null;
  private readonly limitBehind: number;
  /** Where each tracked follower is (its last checkpoint): what they have yet to take is kept. */
  private readonly followers = new Map<string, Checkpoint>();

  constructor(
    private readonly store: PostgresEventStore,
    private readonly options: LogTailOptions,
  ) {
    if (!(options.maxEvents > 0)) throw new RangeError('maxEvents must be greater than 0');
    this.readLimit = Math.min(options.readLimit ?? 1000, options.maxEvents);
    this.maxRead = Math.max(this.readLimit, Math.floor(options.maxEvents / 2));
    this.limitBehind = Math.max(options.maxEvents, options.maxEventsWhileBehind ?? 0);
  }

  /**
   * A follower is at `checkpoint`: the window keeps what it has yet to take (up to
   * `maxEventsWhileBehind`), and lets go of what every follower has taken (so a backfill's memory goes
   * when it ends, not at the next append).
   */
  track(follower: string, checkpoint: string): void {
    this.followers.set(follower, parseCheckpoint(checkpoint));
    this.trim();
  }

  /** The follower stopped (or no longer exists): it holds nothing back any more. */
  untrack(follower: string): void {
    this.followers.delete(follower);
    this.trim();
  }

  /**
   * Holds only what its followers use from now on (their types; payloads only of the types some
   * follower reads): the rest of the log is neither read nor decoded. Starts the window afresh; a
   * batch outside the coverage reads the database.
   */
  async cover(coverage: TailCoverage): Promise<void> {
    await this.reading?.done.catch(() => undefined);
    this.coverage = coverage;
    this.coveredTypes = coverage.types === 'all' ? null : new Set(coverage.types);
    this.coveredDataTypes = coverage.dataTypes === 'all' ? null : new Set(coverage.dataTypes);
    this.entries = [];
    this.first = 0;
    this.followers.clear();
    this.start = this.end = null;
    this.caughtUp = false;
    this.fresh = false;
  }

  /** New events may have been appended (a wake-up): the next refresh reads. */
  hint(): void {
    this.hints += 1;
  }

  /**
   * Reads the events appended since the last read. Single-flight: a caller joins the read in flight
   * when it started after the caller's last hint. Without a new hint and after a read that caught
   * up, it does nothing unless forced (a follower polling for what a NOTIFY may not announce).
   */
  async refresh(force = false): Promise<void> {
    if (force) this.hint();
    const wanted = this.hints;
    for (;;) {
      if (this.reading) {
        const { hints, done } = this.reading;
        await done;
        if (hints >= wanted) return;
        continue;
      }
      if (this.fresh && this.caughtUp && this.answeredHints >= wanted) return;
      const hints = this.hints;
      const done = this.read(hints).finally(() => {
        this.reading = null;
      });
      this.reading = { hints, done };
      return done;
    }
  }

  /** True when the window ends exactly at `checkpoint` and is fresh: a follower there has nothing to do. */
  endsAt(checkpoint: string | undefined): boolean {
    return (
      this.fresh && this.end !== null && checkpoint !== undefined && checkpoint === formatCheckpoint(this.end)
    );
  }

  /** True when a follower at `checkpoint` (unknown: undefined) would find nothing new in the window. */
  exhaustedAt(checkpoint: string | undefined): boolean {
    if (this.end === null || checkpoint === undefined) return true;
    return compareCheckpoints(parseCheckpoint(checkpoint), this.end) >= 0;
  }

  /**
   * The events after `after` of the given types, at most `limit`, when the window covers `after`, those
   * types and (`withData`) their payloads; null otherwise (the caller reads the database).
   */
  take(after: string, types: readonly string[] | 'all', limit: number, withData = true): TailBatch | null {
    if (this.start === null || this.end === null) return null;
    if (!this.covers(types, withData)) return null;
    const from = parseCheckpoint(after);
    const toEnd = compareCheckpoints(from, this.end);
    if (compareCheckpoints(from, this.start) < 0 || toEnd > 0 || (toEnd === 0 && !this.fresh)) return null;
    const { entries } = this;
    const events: StoredEvent[] = [];
    for (let i = this.firstAfter(from); i < entries.length; i += 1) {
      const { event, at } = entries[i];
      if (types !== 'all' && !types.includes(event.type)) continue;
      events.push(event);
      // Cut short by the limit: resume right after the last event taken, as `readAll` does.
      if (events.length >= limit) return { events, checkpoint: formatCheckpoint(at), caughtUp: false };
    }
    return { events, checkpoint: formatCheckpoint(this.end), caughtUp: this.caughtUp };
  }

  private covers(types: readonly string[] | 'all', withData: boolean): boolean {
    for (const covered of withData ? [this.coveredTypes, this.coveredDataTypes] : [this.coveredTypes]) {
      if (covered === null) continue;
      if (types === 'all' || types.some((type) => !covered.has(type))) return false;
    }
    return true;
  }

  /** The window's bounds and size, for tests and status. */
  window(): { start: string | null; end: string | null; events: number } {
    return {
      start: this.start && formatCheckpoint(this.start),
      end: this.end && formatCheckpoint(this.end),
      events: this.size(),
    };
  }

  private async read(hints: number): Promise<void> {
    try {
      if (this.end === null) {
        // Followers behind the log's head read the database as before; the window starts here.
        const head = parseCheckpoint((await this.store.head()).visible);
        if (this.end === null) this.start = this.end = head;
      }
      let read = 0;
      for (;;) {
        const result = await this.store.readAll({
          after: this.end as Checkpoint,
          limit: this.readLimit,
          withData: true,
          types: this.coverage.types === 'all' ? undefined : this.coverage.types,
          dataTypes: this.coverage.dataTypes === 'all' ? undefined : this.coverage.dataTypes,
        });
        // Entries, end and trim change together, between awaits: a take never sees half of a read.
        for (const event of result.events) {
          this.entries.push({
            at: { transactionId: BigInt(event.transactionId), position: BigInt(event.globalPosition) },
            event: this.freeze(event),
          });
        }
        this.end = parseCheckpoint(result.checkpoint);
        this.caughtUp = result.caughtUp;
        this.fresh = true;
        this.trim();
        read += result.events.length;
        if (result.caughtUp || read >= this.maxRead) break;
      }
      this.answeredHints = hints;
    } catch (error) {
      this.fresh = false;
      this.caughtUp = false;
      throw error;
    }
  }

  /**
   * One decoded event is handed to every projection: none may change it. The envelope and the
   * metadata (parsed from the row, owned by this event alone) are always frozen.
   */
  private freeze(event: StoredEvent): StoredEvent {
    deepFreeze(event.metadata);
    if (this.options.freezeData) deepFreeze(event.data);
    return Object.freeze(event);
  }

  /** Binary search: the index of the first entry after `checkpoint`. */
  private firstAfter(checkpoint: Checkpoint): number {
    const { entries } = this;
    let low = this.first;
    let high = entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareCheckpoints(entries[mid].at, checkpoint) <= 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /**
   * Keeps the newest `maxEvents`, and older events too while a tracked follower has yet to take them,
   * up to `maxEventsWhileBehind` in all.
   */
  private trim(): void {
    const size = this.size();
    const excess = size - this.options.maxEvents;
    if (excess <= 0) return;
    let slowest: Checkpoint | null = null;
    for (const at of this.followers.values())
      if (slowest === null || compareCheckpoints(at, slowest) < 0) slowest = at;
    // Entries at or before the slowest follower's checkpoint are taken by every follower already.
    const unused = slowest === null ? excess : Math.min(excess, this.firstAfter(slowest) - this.first);
    const drop = Math.max(unused, size - this.limitBehind);
    if (drop <= 0) return;
    const { entries } = this;
    this.start = entries[this.first + drop - 1].at;
    // The dropped slots point at the first kept entry, so their events can be collected now; the
    // slots go once they are half the array (amortised O(1) per event, no copy of the window per trim).
    entries.fill(entries[this.first + drop], this.first, this.first + drop);
    this.first += drop;
    if (this.first * 2 >= entries.length) {
      this.entries = entries.slice(this.first);
      this.first = 0;
    }
  }

  private size(): number {
    return this.entries.length - this.first;
  }
}
