import { caseIdFor } from './case-linking';
import { itemsProjection } from './items.projection';
import {
  appendMixedHistory,
  classify,
  ingest,
  readModelHarness,
  registerFeed,
  revise,
  type ReadModelHarness,
} from './read-models.fixtures';

describe('items projection', () => {
  let harness: ReadModelHarness;

  beforeAll(async () => {
    harness = await readModelHarness(itemsProjection);
  });
  afterAll(() => harness.close());

  const item = async (id: string) =>
    (await harness.rows<Record<string, unknown>>('items', 'item_id', 'item_id = $1', [id]))[0];

  it('given an ingested item, when the engine catches up, then it has a row with its text and no labels yet', async () => {
    await registerFeed(harness.store, 'fr-ita');
    await ingest(harness.store, 'i1', {
      title:
        "Crystalline Silicon Photovoltaic Cells From the People's Republic of China: Preliminary Results",
      summary: 'Commerce preliminarily determines that producers sold solar cells at less than normal value.',
      extra: { docketIds: ['A-570-979'], documentNumber: '2025-10001' },
      categories: ['Notice'],
    });
    await harness.catchUp();
    expect(await item('i1')).toMatchObject({
      item_id: 'i1',
      feed_id: 'fr-ita',
      url: 'https://example.test/items/i1',
      published_at: new Date('2025-06-04T10:00:00.000Z'),
      first_seen: new Date('2025-06-02T08:00:00.000Z'),
      categories: ['Notice'],
      extra: { docketIds: ['A-570-979'], documentNumber: '2025-10001' },
      source_name: 'Federal Register',
      revisions: 0,
      friction: null,
      friction_types: [],
      severity: 0,
      classifier_version: null,
      classification_count: 0,
      case_id: null,
    });
  });

  it('when it is classified, then the labels are columns, the case is linked, and the classification is kept', async () => {
    await classify(harness.store, 'i1', {
      frictionTypes: ['anti_dumping'],
      sectors: ['solar_pv'],
      subsectors: ['solar_pv/cells'],
      actors: ['US'],
      targets: ['CN'],
      stage: 'preliminary',
      severity: 72,
      hsCodes: ['8541.42'],
    });
    await harness.catchUp();
    const row = await item('i1');
    expect(row).toMatchObject({
      friction: true,
      friction_types: ['anti_dumping'],
      sectors: ['solar_pv'],
      subsectors: ['solar_pv/cells'],
      actors: ['US'],
      targets: ['CN'],
      stage: 'preliminary',
      severity: 72,
      hs_codes: ['8541.42'],
      classifier_version: 'classifier-1',
      taxonomy_version: 'taxonomy-1',
      classification_count: 1,
      case_id: caseIdFor('ref:us_commerce:A-570-979'),
    });
    expect(row.evidence).toEqual([expect.objectContaining({ label: 'friction', rule: 'test' })]);
    const history = await harness.rows<Record<string, unknown>>('item_classifications', 'global_position');
    expect(history).toEqual([
      expect.objectContaining({ item_id: 'i1', friction: true, severity: 72, stage: 'preliminary' }),
    ]);
  });

  it('a re-classification replaces the labels and adds to the history', async () => {
    await classify(harness.store, 'i1', {
      frictionTypes: ['anti_dumping', 'tariff'],
      sectors: ['solar_pv', 'critical_minerals'],
      actors: ['US'],
      targets: ['CN', 'VN'],
      stage: 'final',
      severity: 80,
      classifierVersion: 'classifier-2',
    });
    await harness.catchUp();
    expect(await item('i1')).toMatchObject({
      friction_types: ['anti_dumping', 'tariff'],
      sectors: ['solar_pv', 'critical_minerals'],
      subsectors: [],
      targets: ['CN', 'VN'],
      stage: 'final',
      severity: 80,
      classifier_version: 'classifier-2',
      classification_count: 2,
    });
    const history = await harness.rows<{ classifier_version: string }>(
      'item_classifications',
      'global_position',
    );
    expect(history.map((h) => h.classifier_version)).toEqual(['classifier-1', 'classifier-2']);
  });

  it('a revision replaces the text, keeps the labels and the first-seen date, and is searchable', async () => {
    await revise(harness.store, 'i1', {
      title: 'Corrected: Solar Cells From China',
      summary: 'Correction of the preliminary results for polysilicon wafers.',
    });
    await harness.catchUp();
    expect(await item('i1')).toMatchObject({
      title: 'Corrected: Solar Cells From China',
      revisions: 1,
      first_seen: new Date('2025-06-02T08:00:00.000Z'),
      stage: 'final',
      // The docket id is gone from the revised text's fields: the case is re-derived.
      case_id: caseIdFor('key:US|CN|anti_dumping|critical_minerals|solar cell'),
    });
    const schema = await harness.schema();
    const { rows } = await harness.database.pool.query(
      `SELECT item_id FROM "${schema}".items WHERE search @@ plainto_tsquery('simple', $1)`,
      ['polysilicon wafers'],
    );
    expect(rows).toEqual([{ item_id: 'i1' }]);
  });

  it('filters use the array columns and the non-friction flag', async () => {
    await ingest(harness.store, 'i2', { title: 'Pork prices rise' });
    await classify(harness.store, 'i2', { friction: false, severity: 3 });
    await harness.catchUp();
    const schema = await harness.schema();
    const { rows } = await harness.database.pool.query(
      `SELECT item_id, case_id FROM "${schema}".items WHERE sectors @> ARRAY['solar_pv'] OR friction = false ORDER BY item_id`,
    );
    expect(rows).toEqual([
      { item_id: 'i1', case_id: expect.any(String) },
      { item_id: 'i2', case_id: null },
    ]);
  });

  it('a classification in a later batch leaves the text, its search vector and the other columns as they were', async () => {
    await ingest(harness.store, 'i3', {
      title: 'Countervailing duties on battery electric vehicles from China',
      summary: 'The Commission imposes definitive duties.',
    });
    await harness.catchUp();
    const schema = await harness.schema();
    const snapshot = async () =>
      (
        await harness.database.pool.query(
          `SELECT item_id, feed_id, url, title, summary, published_at, first_seen, categories, extra, source_name,
                  content_hash, revisions, search::text AS search FROM "${schema}".items WHERE item_id = 'i3'`,
        )
      ).rows[0];
    const before = await snapshot();
    await classify(harness.store, 'i3', { frictionTypes: ['countervailing'], sectors: ['ev'], severity: 60 });
    await harness.catchUp();
    expect(await snapshot()).toEqual(before);
    expect(await item('i3')).toMatchObject({ sectors: ['ev'], severity: 60, classification_count: 1 });
    const { rows } = await harness.database.pool.query(
      `SELECT item_id FROM "${schema}".items WHERE search @@ plainto_tsquery('simple', $1)`,
      ['battery electric vehicles'],
    );
    expect(rows).toEqual([{ item_id: 'i3' }]);
  });

  it('a rebuild equals the live projection row for row', async () => {
    await appendMixedHistory(harness);
    const { live, rebuilt } = await harness.rebuildAndCompare();
    expect((live.items as { rows: number }).rows).toBeGreaterThan(40);
    expect(rebuilt).toEqual(live);
  });
});
