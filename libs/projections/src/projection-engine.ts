import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '@frictionwatch/database';
import {
  compareCheckpoints,
  parseCheckpoint,
  type EventNotifier,
  type PostgresEventStore,
} from '@frictionwatch/event-store';
import { kyselyQueryable } from './kysely-queryable';
import { LogTail, type TailCoverage } from './log-tail';
import { assertProjectionName, generationSchema, type AnyProjection } from './projection';
import { ProjectionRepository } from './projection.repository';

export interface ProjectionEngineOptions {
  batchSize?: number;
  maxAttempts?: number;
  pollIntervalMs?: number;
  /**
   * Events of the shared tail of the log kept in memory (decoded once for all followers of this
   * engine); 0 turns the tail off and every batch reads the database. Default 20,000.
   */
  tailEvents?: number;
  /**
   * The most events the tail holds while a followed projection is behind its newest `tailEvents` (a
   * backfill): what that projection has yet to take stays in memory. Default `tailEvents`.
   */
  tailMaxEvents?: number;
  /** Deep-freezes the data of the tail's events, so a handler that changes a shared event fails (not in production). */
  freezeTailData?: boolean;
  /** How long a retired generation's schema is kept for readers still using it. */
  dropGraceMs?: number;
  notifier?: EventNotifier;
  log?: (message: string) => void;
}

/** What one batch did: applied events, found nothing new, found the row held by another runner, or failed. */
export type BatchOutcome =
  | { kind: 'applied'; events: number; checkpoint: string; caughtUp: boolean }
  | { kind: 'idle'; checkpoint: string }
  | { kind: 'busy' }
  | { kind: 'error'; error: string; failed: boolean };

export interface RebuildProgress {
  generation: number;
  eventsApplied: number;
  checkpoint: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A live follower of one projection generation, as the tail tracks it. */
const follower = (name: string, generation: number) => `${name}#${generation}`;

/**
 * Runs projections: each batch locks the generation's checkpoint row (SKIP LOCKED, so replicas compete
 * per batch), reads the next events below the watermark, applies them and advances the checkpoint in one
 * short transaction. Follows live on NOTIFY hints with a polling fallback.
 */
export class ProjectionEngine {
  readonly repository: ProjectionRepository;
  /** The newest events, read once for all followers; null when turned off. */
  readonly tail: LogTail | null;
  private readonly projections = new Map<string, AnyProjection>();
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly pollIntervalMs: number;
  private readonly dropGraceMs: number;
  private running = false;
  private loops: Promise<void>[] = [];
  private wakers = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;
  private tailFailing = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly store: PostgresEventStore,
    projections: readonly AnyProjection[],
    private readonly options: ProjectionEngineOptions = {},
  ) {
    for (const projection of projections) {
      assertProjectionName(projection.name);
      if (this.projections.has(projection.name))
        throw new Error(`Projection ${projection.name} is registered twice`);
      this.projections.set(projection.name, projection);
    }
    this.repository = new ProjectionRepository(db);
    this.batchSize = options.batchSize ?? 500;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.dropGraceMs = options.dropGraceMs ?? 5000;
    const tailEvents = options.tailEvents ?? 20000;
    this.tail =
      tailEvents > 0
        ? new LogTail(store, {
            maxEvents: tailEvents,
            maxEventsWhileBehind: options.tailMaxEvents,
            freezeData: options.freezeTailData,
          })
        : null;
  }

  names(): string[] {
    return [...this.projections.keys()];
  }

  projection(name: string): AnyProjection {
    const projection = this.projections.get(name);
    if (!projection)
      throw new Error(`Unknown projection "${name}" (known: ${this.names().join(', ') || 'none'})`);
    return projection;
  }

  /** Gives every registered projection its first generation if it has none. */
  async initialise(): Promise<void> {
    for (const projection of this.projections.values()) await this.repository.initialise(projection);
  }

  /** One batch of one generation, in one transaction. A handler error rolls back rows and checkpoint together. */
  async runBatch(name: string, generation: number): Promise<BatchOutcome> {
    const projection = this.projection(name);
    try {
      return await this.db.transaction().execute(async (trx): Promise<BatchOutcome> => {
        const row = await this.repository.lockForBatch(trx, name, generation);
        if (!row) return { kind: 'busy' };
        const after = `${row.transaction_id}:${row.global_position}`;
        const batch =
          this.tail?.take(after, projection.canHandle, this.batchSize, projection.readsData ?? true) ??
          (await this.readBatch(projection, after, trx));
        if (batch.events.length > 0) {
          const schema = generationSchema(name, generation);
          await projection.handle(batch.events, {
            db: trx.withSchema(schema) as unknown as Kysely<unknown>,
            schema,
          });
        }
        if (batch.checkpoint === after) return { kind: 'idle', checkpoint: after };
        await this.repository.advance(trx, name, generation, batch.checkpoint, batch.events.length);
        return batch.events.length > 0
          ? {
              kind: 'applied',
              events: batch.events.length,
              checkpoint: batch.checkpoint,
              caughtUp: batch.caughtUp,
            }
          : { kind: 'idle', checkpoint: batch.checkpoint };
      });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const verdict = await this.repository.recordFailure(
        name,
        generation,
        message,
        projection.maxAttempts ?? this.maxAttempts,
      );
      this.options.log?.(`projection ${name} g${generation} batch failed (${verdict}): ${message}`);
      return { kind: 'error', error: message, failed: verdict === 'failed' };
    }
  }

  /** Applies batches until nothing below the watermark remains; throws if the generation fails. */
  async catchUp(
    name: string,
    generation: number,
    onProgress?: (progress: RebuildProgress) => void,
  ): Promise<string | undefined> {
    let applied = 0;
    let checkpoint: string | undefined;
    for (;;) {
      // Batches at the tail's end come from it: it must have read what is there now (the caller
      // appended just before, or waits for "nothing below the watermark remains").
      if (this.tail?.exhaustedAt(checkpoint)) await this.refreshTail(true);
      const outcome = await this.runBatch(name, generation);
      if (outcome.kind === 'error') {
        if (outcome.failed)
          throw new Error(`Projection ${name} generation ${generation} failed: ${outcome.error}`);
        await sleep(this.backoff(1));
        continue;
      }
      if (outcome.kind === 'busy') {
        // Another runner is applying this generation; its progress counts too.
        await sleep(20);
        continue;
      }
      if (outcome.kind === 'applied' || outcome.kind === 'idle') checkpoint = outcome.checkpoint;
      if (outcome.kind === 'applied') {
        applied += outcome.events;
        onProgress?.({ generation, eventsApplied: applied, checkpoint: outcome.checkpoint });
        if (!outcome.caughtUp) continue;
      }
      return checkpoint;
    }
  }

  /**
   * Catches up until every event committed before this call is applied, including those the watermark
   * still hides behind another open transaction (plain catchUp stops there): a command that has just
   * appended, perhaps in another process, then reads its own writes. Throws after `timeoutMs`.
   */
  async catchUpToHead(name: string, generation: number, timeoutMs = 30000): Promise<void> {
    const target = parseCheckpoint((await this.store.head()).latest);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reached = await this.catchUp(name, generation);
      if (reached && compareCheckpoints(parseCheckpoint(reached), target) >= 0) return;
      if (Date.now() >= deadline)
        throw new Error(
          `Projection ${name} did not reach the log's head within ${timeoutMs} ms: an open transaction holds the watermark back`,
        );
      await sleep(20);
    }
  }

  /**
   * Blue/green rebuild: builds a new generation from zero beside the live one in short batches, switches
   * reads to it once it has caught up, then drops the old one after a grace period. Never truncates in place.
   */
  async rebuild(
    name: string,
    onProgress?: (progress: RebuildProgress) => void,
  ): Promise<{ generation: number; previous: number | null }> {
    const projection = this.projection(name);
    if (projection.reactor)
      throw new Error(`${name} is a reactor (it causes side effects): it is never rebuilt`);
    await this.repository.initialise(projection);
    const generation = await this.db.transaction().execute(async (trx) => {
      const next = await this.repository.nextGeneration(trx, name);
      await this.repository.createGeneration(trx, projection, next, 'building');
      return next;
    });
    // Reads switch only once the new generation is at or past the live one (which keeps moving).
    let previous: number | null | 'behind' = 'behind';
    while (previous === 'behind') {
      await this.catchUp(name, generation, onProgress);
      previous = await this.repository.switchTo(name, generation, { onlyIfCaughtUp: true });
    }
    this.wakeAll();
    if (previous !== null && previous !== generation) {
      if (this.dropGraceMs > 0) await sleep(this.dropGraceMs);
      await this.repository.dropGeneration(name, previous);
    }
    return { generation, previous };
  }

  /**
   * Replays a projection from zero into a scratch schema of the caller's (created here, never
   * followed by runners, no checkpoint row), applying exactly the events at or before `until`: a
   * rebuild to compare with a live generation at that generation's checkpoint. Short transactions,
   * one per batch (a long writing transaction would hold the log's watermark back for every
   * follower). The caller drops the schema.
   */
  async replayInto(name: string, schema: string, until: string): Promise<{ eventsApplied: number }> {
    const projection = this.projection(name);
    const limit = parseCheckpoint(until);
    await this.db.transaction().execute(async (trx) => {
      await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(trx);
      await projection.createTables(trx.withSchema(schema) as unknown as Kysely<unknown>, schema);
    });
    let after = '0:0';
    let applied = 0;
    while (compareCheckpoints(parseCheckpoint(after), limit) < 0) {
      const next = await this.db.transaction().execute(async (trx) => {
        const batch = await this.readBatch(projection, after, trx);
        const events = batch.events.filter(
          (e) => compareCheckpoints(parseCheckpoint(`${e.transactionId}:${e.globalPosition}`), limit) <= 0,
        );
        if (events.length > 0)
          await projection.handle(events, {
            db: trx.withSchema(schema) as unknown as Kysely<unknown>,
            schema,
          });
        applied += events.length;
        // Nothing more below the watermark: everything up to `until` (below it already) was read.
        if (batch.checkpoint === after) return until;
        return batch.checkpoint;
      });
      after = next;
    }
    return { eventsApplied: applied };
  }

  /** The next batch of the events a projection handles, after a checkpoint, in the caller's transaction. */
  private readBatch(projection: AnyProjection, after: string, trx: Transaction<Database>) {
    return this.store.readAll(
      {
        after,
        limit: this.batchSize,
        types: projection.canHandle === 'all' ? undefined : projection.canHandle,
        withData: projection.readsData ?? true,
      },
      kyselyQueryable(trx),
    );
  }

  /** The schema that reads of a projection use now. */
  async activeSchema(name: string): Promise<string> {
    const generation = await this.repository.activeGeneration(name);
    if (generation === null) throw new Error(`Projection ${name} has no active generation yet`);
    return generationSchema(name, generation);
  }

  /** Follows the log live for the named projections (default: all) until `stop()`. */
  async start(only?: readonly string[]): Promise<void> {
    if (this.running) return;
    for (const name of only ?? []) this.projection(name); // unknown names fail loudly
    this.running = true;
    await this.initialise();
    await this.tail?.cover(
      tailCoverage([...(only ?? this.projections.keys())].map((n) => this.projection(n))),
    );
    if (this.options.notifier) this.unsubscribe = this.options.notifier.onWake(() => this.wakeAll());
    for (const name of only ?? this.projections.keys()) this.loops.push(this.follow(name));
  }

  /** Stops taking batches and waits for the batches in flight: nothing is left half-applied. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.wakeAll();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async follow(name: string): Promise<void> {
    let failures = 0;
    let quietRetries = 0;
    // The generations to follow change only with rebuilds and retries: looked up once per poll
    // interval, not before every batch.
    let generations: number[] = [];
    let generationsAt = -Infinity;
    // Where each generation's last batch left it: a hint that spares a transaction when the tail has
    // nothing newer. The locked row stays the truth (another replica may have moved it).
    const known = new Map<number, string>();
    // When each generation's checkpoint last moved: past events of other types only, it moves at most
    // once per poll interval (a transaction for each append would move it past nothing it keeps).
    const movedAt = new Map<number, number>();
    const projection = this.projection(name);
    // After a timeout (no wake-up came) the tail reads anyway: a NOTIFY may have come before the
    // commit, or not at all.
    let timedOut = true;
    while (this.running) {
      if (Date.now() - generationsAt >= this.pollIntervalMs) {
        const rows = await this.repository.checkpoints(name).catch(() => null);
        if (rows) {
          const followed = rows
            .filter((row) => row.status === 'live' || row.status === 'building')
            .map((row) => row.generation);
          for (const generation of generations)
            if (!followed.includes(generation)) this.tail?.untrack(follower(name, generation));
          generations = followed;
          generationsAt = Date.now();
        }
      }
      const tail = this.tail;
      if (tail && generations.some((generation) => tail.exhaustedAt(known.get(generation))))
        await this.refreshTail(timedOut);
      let progressed = false;
      let errored = false;
      for (const generation of generations) {
        if (!this.running) break;
        const hint = known.get(generation);
        if (tail?.endsAt(hint)) continue; // idle, without a transaction
        if (
          hint !== undefined &&
          Date.now() - (movedAt.get(generation) ?? -Infinity) < this.pollIntervalMs &&
          tail?.take(hint, projection.canHandle, 1, projection.readsData ?? true)?.events.length === 0
        )
          continue;
        const outcome = await this.runBatch(name, generation).catch((error: unknown) => {
          // The database itself is unreachable: keep following once it is back.
          return { kind: 'error', error: String(error), failed: false } as const;
        });
        if (outcome.kind === 'applied' || outcome.kind === 'idle') {
          if (outcome.checkpoint !== hint) movedAt.set(generation, Date.now());
          known.set(generation, outcome.checkpoint);
          this.tail?.track(follower(name, generation), outcome.checkpoint);
        } else known.delete(generation);
        if (outcome.kind === 'applied') progressed = !outcome.caughtUp || progressed;
        if (outcome.kind === 'applied' && outcome.caughtUp) quietRetries = 0;
        if (outcome.kind === 'error') errored = true;
        // Retired or failed meanwhile: look the generations up again.
        if (outcome.kind === 'busy' || outcome.kind === 'error') generationsAt = -Infinity;
      }
      if (!this.running) break;
      timedOut = false;
      if (progressed) {
        failures = 0;
        continue;
      }
      if (errored) {
        failures += 1;
        timedOut = !(await this.waitForWake(this.backoff(failures)));
        continue;
      }
      failures = 0;
      // Idle: a wake-up may come before an older transaction lets the new events below the watermark,
      // so look again a few times quickly, then wait for the next hint or the poll interval.
      if (quietRetries < 5) {
        quietRetries += 1;
        timedOut = !(await this.waitForWake(10 * 2 ** quietRetries));
      } else {
        const woke = await this.waitForWake(this.pollIntervalMs);
        if (woke) quietRetries = 0;
        timedOut = !woke;
      }
    }
    for (const generation of generations) this.tail?.untrack(follower(name, generation));
  }

  private backoff(failures: number): number {
    return Math.min(30000, 100 * 2 ** Math.min(failures, 8));
  }

  private waitForWake(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakers.delete(wake);
        resolve(false);
      }, ms);
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve(true);
      };
      this.wakers.add(wake);
    });
  }

  /** A failed read of the tail is not fatal: batches read the database meanwhile. Logged once per outage. */
  private async refreshTail(force: boolean): Promise<void> {
    try {
      await this.tail?.refresh(force);
      this.tailFailing = false;
    } catch (error) {
      if (!this.tailFailing)
        this.options.log?.(
          `projection tail read failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      this.tailFailing = true;
    }
  }

  private wakeAll(): void {
    this.tail?.hint();
    for (const wake of [...this.wakers]) wake();
  }
}

/** The types the followed projections handle, with payloads only of those some of them read. */
export function tailCoverage(projections: readonly AnyProjection[]): TailCoverage {
  const union = (handled: readonly (readonly string[] | 'all')[]): readonly string[] | 'all' =>
    handled.includes('all') ? 'all' : [...new Set(handled.flatMap((types) => types as readonly string[]))];
  return {
    types: union(projections.map((p) => p.canHandle)),
    dataTypes: union(projections.filter((p) => p.readsData ?? true).map((p) => p.canHandle)),
  };
}
