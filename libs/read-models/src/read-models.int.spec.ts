import { ItemClassifier } from '@frictionwatch/classifier';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { FEED_EVENTS } from '@frictionwatch/feeds';
import {
  ITEM_EVENTS,
  ItemClassificationService,
  ItemIngestor,
  ItemRepository,
  itemIdFor,
  type IngestibleItem,
} from '@frictionwatch/items';
import { ProjectionEngine } from '@frictionwatch/projections';
import { createTestDatabase, type TestDatabase } from '@frictionwatch/testing';
import { caseIdFor } from './case-linking';
import { READ_MODEL_PROJECTIONS } from './index';

function notice(n: number, overrides: Partial<IngestibleItem>): IngestibleItem {
  return {
    key: `fr-${n}`,
    guid: `fr-${n}`,
    url: `https://www.federalregister.gov/d/2025-1${String(n).padStart(4, '0')}`,
    title: '',
    summary: '',
    publishedAt: '2025-06-01T00:00:00.000Z',
    dateSource: 'feed',
    categories: [],
    extra: { documentNumber: `2025-1${String(n).padStart(4, '0')}` },
    contentHash: `hash-${n}`,
    ...overrides,
  };
}

const source = { feedId: 'fr-ita', name: 'Federal Register', jurisdictionHint: 'US' };

describe('read models over the real ingestion and classifier', () => {
  let database: TestDatabase;
  let engine: ProjectionEngine;

  beforeAll(async () => {
    database = await createTestDatabase();
    const store = new PostgresEventStore(
      database.pool,
      new EventRegistry().register(...ITEM_EVENTS, ...FEED_EVENTS),
    );
    const repository = new ItemRepository(database.pool);
    const ingestor = new ItemIngestor(store, repository);
    const classification = new ItemClassificationService(store, repository, new ItemClassifier());
    const items = [
      notice(1, {
        title:
          "Crystalline Silicon Photovoltaic Cells, Whether or Not Assembled Into Modules, From the People's Republic of China: Preliminary Results of Antidumping Duty Administrative Review; 2023-2024",
        summary:
          'The U.S. Department of Commerce preliminarily determines that producers and exporters of solar cells sold subject merchandise at less than normal value. Comments must be received by July 1, 2025.',
        publishedAt: '2025-06-02T00:00:00.000Z',
        extra: { documentNumber: '2025-10001', docketIds: ['A-570-979'], commentsCloseOn: '2025-07-02' },
      }),
      notice(2, {
        title:
          "Crystalline Silicon Photovoltaic Cells, Whether or Not Assembled Into Modules, From the People's Republic of China: Final Results of Antidumping Duty Administrative Review; 2023-2024",
        summary:
          'Commerce determines that producers sold subject merchandise at less than normal value. Effective on December 10, 2025.',
        publishedAt: '2025-12-08T00:00:00.000Z',
        extra: { documentNumber: '2025-10002', docketIds: ['A-570-979'], effectiveOn: '2025-12-10' },
      }),
      notice(3, {
        title: 'Fresh Tomatoes From Mexico: Meeting of the Advisory Committee',
        summary: 'A public meeting of the committee will be held.',
      }),
    ];
    await ingestor.ingest(source, items, { correlationId: 'test' });
    const ids = items.map((item) => itemIdFor(source.feedId, { url: item.url, key: item.key }));
    await classification.classify(ids, { correlationId: 'test' });
    engine = new ProjectionEngine(database.db, store, [...READ_MODEL_PROJECTIONS], { dropGraceMs: 0 });
    await engine.initialise();
    for (const name of engine.names()) await engine.catchUpToHead(name, 1);
  });
  afterAll(() => database.drop());

  const query = async <T>(sqlText: string): Promise<T[]> => (await database.pool.query(sqlText)).rows as T[];

  it('links the two notices of one case by their docket id and keeps its timeline', async () => {
    const caseId = caseIdFor('ref:us_commerce:A-570-979');
    const items = await query<{ case_id: string | null; friction: boolean }>(
      'SELECT case_id, friction FROM proj_items_g1.items ORDER BY published_at, item_id',
    );
    expect(items.filter((i) => i.case_id === caseId)).toHaveLength(2);
    const [row] = await query<Record<string, unknown>>(
      `SELECT * FROM proj_cases_g1.cases WHERE case_id = '${caseId}'`,
    );
    expect(row).toMatchObject({
      basis: 'reference',
      reference: 'A-570-979',
      actors: ['US'],
      friction_types: expect.arrayContaining(['anti_dumping']),
      sectors: ['solar_pv'],
      products: ['crystalline silicon photovoltaic cell'],
      item_count: 2,
    });
    const timeline = await query<{ on_date: string }>(
      `SELECT on_date::text FROM proj_cases_g1.case_timeline WHERE case_id = '${caseId}' ORDER BY on_date`,
    );
    expect(timeline.map((t) => t.on_date)).toEqual(['2025-06-02', '2025-12-08']);
  });

  it('counts the friction notices in activity and lists their deadlines with the case', async () => {
    const [counted] = await query<{ n: number }>(
      "SELECT coalesce(sum(items), 0)::int AS n FROM proj_activity_g1.activity WHERE sector = 'solar_pv'",
    );
    expect(counted.n).toBeGreaterThanOrEqual(2);
    const deadlines = await query<{ kind: string; due_on: string; source: string; case_id: string | null }>(
      'SELECT kind, due_on::text, source, case_id FROM proj_deadlines_g1.deadlines ORDER BY due_on, kind',
    );
    const caseId = caseIdFor('ref:us_commerce:A-570-979');
    expect(deadlines).toEqual([
      { kind: 'comments_close', due_on: '2025-07-01', source: 'text', case_id: caseId },
      { kind: 'comments_close', due_on: '2025-07-02', source: 'field', case_id: caseId },
      { kind: 'effective', due_on: '2025-12-10', source: 'field', case_id: caseId },
    ]);
  });
});
