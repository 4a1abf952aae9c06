import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { ProjectionEngine } from '@frictionwatch/projections';
import { createTestDatabase, type TestDatabase } from '@frictionwatch/testing';
import { itemDuplicatesProjection } from './item-duplicates.projection';
import { ITEM_EVENTS } from './item.events';
import { itemIdFor } from './item-identity';
import { ItemIngestor, type IngestibleItem } from './item-ingestor';
import { ItemRepository } from './item.repository';

const item = (url: string, title: string, publishedAt: string): IngestibleItem => ({
  key: url,
  guid: null,
  url,
  title,
  summary: '',
  publishedAt,
  dateSource: 'feed',
  categories: [],
  extra: {},
  contentHash: `${url}|${title}`,
});

describe('item duplicates across sources', () => {
  let database: TestDatabase;
  let engine: ProjectionEngine;
  let ingestor: ItemIngestor;

  beforeAll(async () => {
    database = await createTestDatabase();
    const store = new PostgresEventStore(database.pool, new EventRegistry().register(...ITEM_EVENTS));
    ingestor = new ItemIngestor(store, new ItemRepository(database.pool));
    engine = new ProjectionEngine(database.db, store, [itemDuplicatesProjection], {
      batchSize: 2,
      dropGraceMs: 0,
    });
    await engine.initialise();
  });
  afterAll(() => database.drop());

  it('links the same normalised title on the same day to the first item, keeps both, and rebuilds the same', async () => {
    const a = item(
      'https://ec.europa.eu/a',
      'EU imposes duties on Chinese e-bikes',
      '2025-03-01T08:00:00.000Z',
    );
    const b = item(
      'https://news.example/b',
      'EU imposes duties on Chinese E-Bikes!',
      '2025-03-01T15:00:00.000Z',
    );
    const c = item(
      'https://news.example/c',
      'EU imposes duties on Chinese e-bikes',
      '2025-03-02T09:00:00.000Z',
    );
    const d = item(
      'https://wire.example/d',
      'EU imposes  duties on chinese e-bikes',
      '2025-03-01T20:00:00.000Z',
    );
    await ingestor.ingest({ feedId: 'ec', name: 'EC', jurisdictionHint: 'EU' }, [a], {});
    await ingestor.ingest({ feedId: 'press', name: 'Press', jurisdictionHint: null }, [b, c], {});
    await ingestor.ingest({ feedId: 'wire', name: 'Wire', jurisdictionHint: null }, [d], {});
    await engine.catchUp('item_duplicates', 1);

    const { rows } = await database.pool.query(
      'SELECT item_id, duplicate_of FROM proj_item_duplicates_g1.item_duplicates ORDER BY item_id',
    );
    const first = itemIdFor('ec', a);
    expect(rows).toEqual(
      [itemIdFor('press', b), itemIdFor('wire', d)]
        .sort()
        .map((id) => ({ item_id: id, duplicate_of: first })),
    );
    const { rows: ingested } = await database.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE event_type = 'ItemIngested'",
    );
    expect(ingested[0].n).toBe(4);

    await engine.rebuild('item_duplicates');
    const { rows: rebuilt } = await database.pool.query(
      'SELECT item_id, duplicate_of FROM proj_item_duplicates_g2.item_duplicates ORDER BY item_id',
    );
    expect(rebuilt).toEqual(rows);
  });
});
