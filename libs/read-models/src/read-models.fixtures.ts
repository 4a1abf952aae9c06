import { randomUUID } from 'node:crypto';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { FEED_EVENTS, feedStreamId, type FeedRegistered } from '@frictionwatch/feeds';
import {
  ITEM_EVENTS,
  itemStreamId,
  type ItemClassified,
  type ItemIngested,
  type ItemRevised,
} from '@frictionwatch/items';
import { ProjectionEngine, type AnyProjection } from '@frictionwatch/projections';
import { createTestDatabase, feedSpec, type TestDatabase } from '@frictionwatch/testing';

/**
 * Test support for the read models' integration tests (not exported from the library): a database of
 * the test file's own, the event store with the item and feed events, an engine over one projection,
 * and builders of the events the projections follow.
 */
export interface ReadModelHarness {
  database: TestDatabase;
  store: PostgresEventStore;
  engine: ProjectionEngine;
  name: string;
  /** Applies every stored event to the live generation. */
  catchUp(): Promise<void>;
  /** The live generation's schema. */
  schema(): Promise<string>;
  /** Rows of a table of the live generation, ordered. */
  rows<T>(table: string, orderBy: string, where?: string, values?: unknown[]): Promise<T[]>;
  /** Every table's digest in one generation. */
  digests(schema: string): Promise<Record<string, { rows: number; md5: string }>>;
  /** Rebuilds from zero with a different batch size; the live and rebuilt digests. */
  rebuildAndCompare(): Promise<{ live: Record<string, unknown>; rebuilt: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function readModelHarness(projection: AnyProjection, batchSize = 3): Promise<ReadModelHarness> {
  const database = await createTestDatabase();
  const store = new PostgresEventStore(
    database.pool,
    new EventRegistry().register(...ITEM_EVENTS, ...FEED_EVENTS),
  );
  // After the first catch-up, batches come from the engine's tail of the log, with its events frozen
  // (a handler that changed a shared event would fail); the rebuild reads the database.
  const engine = new ProjectionEngine(database.db, store, [projection], {
    batchSize,
    dropGraceMs: 0,
    freezeTailData: true,
  });
  await engine.initialise();
  const name = projection.name;
  const harness: ReadModelHarness = {
    database,
    store,
    engine,
    name,
    async catchUp() {
      const generation = await engine.repository.activeGeneration(name);
      // To the head: another database's open transaction on the server can hold the watermark back.
      await engine.catchUpToHead(name, generation ?? 1);
    },
    schema: () => engine.activeSchema(name),
    async rows<T>(table: string, orderBy: string, where = 'true', values: unknown[] = []) {
      const schema = await engine.activeSchema(name);
      const { rows } = await database.pool.query(
        `SELECT * FROM "${schema}"."${table}" WHERE ${where} ORDER BY ${orderBy}`,
        values,
      );
      return rows as T[];
    },
    async digests(schema: string) {
      const out: Record<string, { rows: number; md5: string }> = {};
      for (const table of projection.tables) out[table] = await engine.repository.digest(schema, table);
      return out;
    },
    async rebuildAndCompare() {
      await harness.catchUp();
      const live = await harness.digests(await harness.schema());
      // Other batch boundaries than the live run's: the result must not depend on them.
      const rebuilder = new ProjectionEngine(database.db, store, [projection], {
        batchSize: 500,
        dropGraceMs: 0,
        tailEvents: 0,
      });
      const { generation } = await rebuilder.rebuild(name);
      const rebuilt = await harness.digests(await engine.activeSchema(name));
      expect(await engine.activeSchema(name)).toBe(`proj_${name}_g${generation}`);
      return { live, rebuilt };
    },
    close: () => database.drop(),
  };
  return harness;
}

export const OCCURRED_AT = '2025-06-02T08:00:00.000Z';

export function feedRegistered(feedId: string): FeedRegistered {
  return feedSpec(feedId, { jurisdictionHint: 'US' });
}

export async function registerFeed(store: PostgresEventStore, feedId: string): Promise<void> {
  await store.append(feedStreamId(feedId), [{ type: 'FeedRegistered', data: feedRegistered(feedId) }]);
}

export type ItemText = Partial<Omit<ItemIngested, 'itemId'>>;

function text(itemId: string, overrides: ItemText): Omit<ItemIngested, 'source'> {
  return {
    itemId,
    feedId: 'fr-ita',
    url: `https://example.test/items/${itemId}`,
    guid: itemId,
    title: `Item ${itemId}`,
    summary: '',
    publishedAt: '2025-06-04T10:00:00.000Z',
    dateSource: 'feed',
    categories: [],
    extra: {},
    contentHash: `hash-${itemId}-${overrides.title ?? ''}`,
    ...overrides,
  };
}

/** Appends `ItemIngested`; returns its event id. */
export async function ingest(
  store: PostgresEventStore,
  itemId: string,
  overrides: ItemText = {},
): Promise<string> {
  const eventId = randomUUID();
  const data: ItemIngested = {
    ...text(itemId, overrides),
    source: { name: 'Federal Register', jurisdictionHint: 'US' },
  };
  await store.append(itemStreamId(itemId), [
    { type: 'ItemIngested', data, eventId, metadata: { occurredAt: OCCURRED_AT } },
  ]);
  return eventId;
}

/** Appends `ItemRevised`; returns its event id. */
export async function revise(
  store: PostgresEventStore,
  itemId: string,
  overrides: ItemText,
): Promise<string> {
  const eventId = randomUUID();
  const data: ItemRevised = { ...text(itemId, overrides), previousContentHash: 'previous' };
  await store.append(itemStreamId(itemId), [
    { type: 'ItemRevised', data, eventId, metadata: { occurredAt: '2025-06-05T08:00:00.000Z' } },
  ]);
  return eventId;
}

export interface LabelsInput {
  friction?: boolean;
  frictionTypes?: string[];
  sectors?: string[];
  subsectors?: string[];
  actors?: string[];
  targets?: string[];
  stage?: string | null;
  severity?: number;
  caseRefs?: { kind: string; ref: string; start?: number; end?: number }[];
  hsCodes?: string[];
  classifierVersion?: string;
}

/** Appends `ItemClassified` with a classification shaped like the classifier's output. */
export async function classify(
  store: PostgresEventStore,
  itemId: string,
  labels: LabelsInput,
  occurredAt = '2025-06-06T08:00:00.000Z',
): Promise<void> {
  const classifierVersion = labels.classifierVersion ?? 'classifier-1';
  const classification = {
    id: itemId,
    friction: labels.friction ?? true,
    frictionTypes: labels.frictionTypes ?? [],
    sectors: labels.sectors ?? [],
    subsectors: labels.subsectors ?? [],
    actors: labels.actors ?? [],
    targets: labels.targets ?? [],
    stage: labels.stage ?? null,
    severity: labels.severity ?? 50,
    caseRefs: (labels.caseRefs ?? []).map((r) => ({ start: 0, end: r.ref.length, ...r })),
    hsCodes: labels.hsCodes ?? [],
    dutyRates: [],
    evidence: [
      { label: 'friction', value: true, rule: 'test', field: 'title', start: 0, end: 4, text: 'test' },
    ],
    classifierVersion,
    taxonomyVersion: 'taxonomy-1',
  };
  const data: ItemClassified = {
    itemId,
    sourceEventId: randomUUID(),
    contentHash: 'hash',
    classifierVersion,
    taxonomyVersion: 'taxonomy-1',
    classification,
  };
  await store.append(itemStreamId(itemId), [{ type: 'ItemClassified', data, metadata: { occurredAt } }]);
}

/** A small deterministic pseudo-random generator (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SECTORS = ['solar_pv', 'batteries', 'electric_vehicles', 'semiconductors', 'critical_minerals'];
const ACTORS = ['US', 'EU', 'CN', 'CA'];
const TYPES = ['anti_dumping', 'anti_subsidy', 'tariff', 'export_control'];
const STAGES = [null, 'investigation_opened', 'preliminary', 'final', 'review'];
const PRODUCTS = ['Steel Nails', 'Crystalline Silicon Photovoltaic Cells', 'Aluminum Extrusions', 'Tinplate'];
const REFS = ['A-570-979', 'C-570-980', '731-TA-1190', 'AD710', 'DS623'];

/**
 * A mixed history: items ingested, classified, revised, re-classified (moving cases, cells and
 * deadlines), non-friction items and items without text dates, appended in `rounds` rounds; the
 * harness catches up live after each round so the live run meets many batch boundaries.
 */
export async function appendMixedHistory(harness: ReadModelHarness, items = 40, rounds = 4): Promise<void> {
  const random = seeded(20251123);
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)];
  const some = <T>(values: readonly T[]) => values.filter(() => random() < 0.35);
  const labels = (): LabelsInput => ({
    friction: random() < 0.85,
    frictionTypes: some(TYPES).length ? some(TYPES) : [pick(TYPES)],
    sectors: some(SECTORS),
    actors: [pick(ACTORS)],
    targets: random() < 0.8 ? ['CN'] : [],
    stage: pick(STAGES),
    severity: Math.floor(random() * 100),
    caseRefs:
      random() < 0.4
        ? [{ kind: REFS.indexOf(pick(REFS)) < 3 ? 'us_commerce' : 'eu_case', ref: pick(REFS) }]
        : [],
    hsCodes: random() < 0.2 ? ['8541.40'] : [],
  });
  const title = () =>
    `${pick(PRODUCTS)} From the People's Republic of China: ${pick(['Preliminary Results', 'Final Determination', 'Initiation'])}`;
  const summary = () =>
    pick([
      '',
      'Comments must be received by July 15, 2025.',
      'The duties are effective on 1 January 2026.',
      '自2025年9月1日起施行。',
      'Nothing dated here.',
    ]);
  const perRound = Math.ceil(items / rounds);
  for (let round = 0; round < rounds; round += 1) {
    for (let n = round * perRound; n < Math.min(items, (round + 1) * perRound); n += 1) {
      const id = `mixed-${String(n).padStart(3, '0')}`;
      const week = Math.floor(random() * 8);
      const extra: Record<string, unknown> = random() < 0.3 ? { docketIds: [pick(REFS)] } : {};
      if (random() < 0.3) extra.commentsCloseOn = '2025-08-01';
      await harness.store.append(itemStreamId(id), [
        {
          type: 'ItemIngested',
          data: {
            ...text(id, {
              title: title(),
              summary: summary(),
              extra,
              publishedAt: new Date(Date.UTC(2025, 4, 5 + week * 7 + (n % 5))).toISOString(),
            }),
            source: { name: 'Federal Register', jurisdictionHint: 'US' },
          },
          metadata: { occurredAt: OCCURRED_AT },
        },
      ]);
      if (random() < 0.9) await classify(harness.store, id, labels());
    }
    // Revise and re-classify some earlier items.
    for (let k = 0; k < perRound / 2; k += 1) {
      const id = `mixed-${String(Math.floor(random() * (round + 1) * perRound) % items).padStart(3, '0')}`;
      if (random() < 0.5) await revise(harness.store, id, { title: title(), summary: summary() });
      await classify(harness.store, id, labels(), `2025-07-0${1 + (k % 9)}T08:00:00.000Z`);
    }
    await harness.catchUp();
  }
}
