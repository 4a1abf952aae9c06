import { ClassifierPool, ItemClassifier } from '@frictionwatch/classifier';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import { createTestDatabase, type TestDatabase } from '@frictionwatch/testing';
import { ItemClassificationService } from './item-classification.service';
import { ITEM_EVENTS } from './item.events';
import { itemIdFor, itemStreamId } from './item-identity';
import { ItemIngestor, type IngestibleItem } from './item-ingestor';
import { ItemRepository } from './item.repository';

function item(n: number, overrides: Partial<IngestibleItem> = {}): IngestibleItem {
  return {
    key: `guid-${n}`,
    guid: `guid-${n}`,
    url: `https://www.federalregister.gov/d/2024-${1000 + n}`,
    title: `Crystalline Silicon Photovoltaic Cells From the People's Republic of China: Preliminary Results ${n}`,
    summary:
      'The Department of Commerce preliminarily determines that producers sold subject merchandise at less than normal value.',
    publishedAt: '2024-06-01T00:00:00.000Z',
    dateSource: 'feed',
    categories: [],
    extra: { documentNumber: `2024-${1000 + n}` },
    contentHash: `hash-${n}`,
    ...overrides,
  };
}

const source = { feedId: 'fr-ita', name: 'Federal Register', jurisdictionHint: 'US' };

describe('ItemIngestor and ItemClassificationService', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let ingestor: ItemIngestor;
  let classification: ItemClassificationService;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore(database.pool, new EventRegistry().register(...ITEM_EVENTS));
    const items = new ItemRepository(database.pool);
    ingestor = new ItemIngestor(store, items);
    classification = new ItemClassificationService(store, items, new ItemClassifier());
  });
  afterAll(() => database.drop());

  async function eventsOf(type: string): Promise<number> {
    const { rows } = await database.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE event_type = $1',
      [type],
    );
    return rows[0].n;
  }

  it('ingests new items once, even when seen again in the same or another feed', async () => {
    const first = await ingestor.ingest(source, [item(1), item(2), item(2)], { correlationId: 'c1' });
    expect(first).toMatchObject({ seen: 3, newItems: 2, revisedItems: 0, unchanged: 0 });
    const again = await ingestor.ingest(source, [item(1), item(2)], { correlationId: 'c2' });
    expect(again).toMatchObject({ newItems: 0, revisedItems: 0, unchanged: 2 });
    const otherFeed = await ingestor.ingest(
      { ...source, feedId: 'fr-ita-rss' },
      [item(1, { guid: 'other', key: 'other' })],
      {},
    );
    expect(otherFeed.newItems).toBe(0);
    expect(await eventsOf('ItemIngested')).toBe(2);
  });

  it('keeps one item when its guid changes but its link stays', async () => {
    const report = await ingestor.ingest(source, [item(1, { guid: 'rekeyed-1', key: 'rekeyed-1' })], {});
    expect(report.newItems).toBe(0);
  });

  it('appends ItemRevised when the text changes, once per new text, keeping the first date', async () => {
    const changed = item(2, {
      title: 'Corrected title',
      contentHash: 'hash-2b',
      publishedAt: '2024-07-01T00:00:00.000Z',
    });
    expect((await ingestor.ingest(source, [changed], {})).revisedItems).toBe(1);
    expect((await ingestor.ingest(source, [changed], {})).revisedItems).toBe(0);
    const [ingested, revised] = await store.readStream(itemStreamId(itemIdFor('fr-ita', changed)));
    expect(ingested.type).toBe('ItemIngested');
    expect(revised.type).toBe('ItemRevised');
    expect(revised.data).toMatchObject({
      title: 'Corrected title',
      previousContentHash: 'hash-2',
      publishedAt: '2024-06-01T00:00:00.000Z',
    });
  });

  it('keys items without a link by the feed', async () => {
    const a = item(3, { url: null, key: 'k3' });
    await ingestor.ingest(source, [a], {});
    expect((await ingestor.ingest({ ...source, feedId: 'other-feed' }, [a], {})).newItems).toBe(1);
  });

  it('two concurrent ingestions of the same items ingest each once', async () => {
    const batch = [item(10), item(11), item(12)];
    const reports = await Promise.all([
      ingestor.ingest(source, batch, {}),
      ingestor.ingest(source, batch, {}),
    ]);
    const { rows } = await database.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE event_type = 'ItemIngested' AND stream_id = ANY ($1)",
      [batch.map((i) => itemStreamId(itemIdFor('fr-ita', i)))],
    );
    expect(rows[0].n).toBe(3);
    expect(reports[0].newItems + reports[1].newItems).toBeGreaterThanOrEqual(3);
  });

  it('classifies items with versions and evidence, once per text and classifier version', async () => {
    const ids = [item(1), item(2)].map((i) => itemIdFor('fr-ita', i));
    const first = await classification.classify(ids, { correlationId: 'classify-1' });
    expect(first).toEqual({ classified: 2, alreadyClassified: 0, missing: 0 });
    const again = await classification.classify(ids, {});
    expect(again).toEqual({ classified: 0, alreadyClassified: 2, missing: 0 });

    const events = await store.readStream(itemStreamId(ids[0]));
    const classified = events.find((e) => e.type === 'ItemClassified');
    const data = classified?.data as {
      classifierVersion: string;
      taxonomyVersion: string;
      classification: Record<string, unknown>;
    };
    expect(data.classifierVersion).toMatch(/\d/);
    expect(data.taxonomyVersion).toBeTruthy();
    // Exactly what the classifier says of the item's text and its publisher.
    const expected = new ItemClassifier().classify({
      id: ids[0],
      title: item(1).title,
      summary: item(1).summary,
      source: 'Federal Register',
      jurisdictionHint: 'US',
    });
    expect(data.classification).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(data.classification.sectors).toContain('solar_pv');
    expect((data.classification.evidence as unknown[]).length).toBeGreaterThan(0);
    expect(classified?.metadata.correlationId).toBe('classify-1');
  });

  it('classifies through the worker-thread pool exactly as in process; a failing pool appends nothing', async () => {
    const items = new ItemRepository(database.pool);
    const batch = [item(30), item(31), item(32)];
    await ingestor.ingest(source, batch, {});
    const ids = batch.map((i) => itemIdFor('fr-ita', i));

    const closedPool = new ClassifierPool({ size: 2 });
    await closedPool.close();
    const failing = new ItemClassificationService(store, items, closedPool);
    await expect(failing.classify(ids, {})).rejects.toThrow('classifier pool is closed');
    const { rows: none } = await database.pool.query(
      "SELECT 1 FROM events WHERE event_type = 'ItemClassified' AND stream_id = ANY ($1)",
      [ids.map(itemStreamId)],
    );
    expect(none).toHaveLength(0);

    const pool = new ClassifierPool({ size: 2 });
    try {
      const pooled = new ItemClassificationService(store, items, pool);
      expect(await pooled.classify(ids, {})).toEqual({ classified: 3, alreadyClassified: 0, missing: 0 });
      // the in-process service sees the same versions: nothing left to classify
      expect(await classification.classify(ids, {})).toEqual({
        classified: 0,
        alreadyClassified: 3,
        missing: 0,
      });
    } finally {
      await pool.close();
    }
    const inProcess = new ItemClassifier();
    for (const [index, id] of ids.entries()) {
      const classified = (await store.readStream(itemStreamId(id))).find((e) => e.type === 'ItemClassified');
      expect((classified?.data as { classification: unknown }).classification).toEqual(
        JSON.parse(
          JSON.stringify(
            inProcess.classify({
              id,
              title: batch[index].title,
              summary: batch[index].summary,
              source: 'Federal Register',
              jurisdictionHint: 'US',
            }),
          ),
        ),
      );
    }
  });

  it('reports items that do not exist instead of failing', async () => {
    expect(await classification.classify(['0'.repeat(32)], {})).toEqual({
      classified: 0,
      alreadyClassified: 0,
      missing: 1,
    });
  });
});
