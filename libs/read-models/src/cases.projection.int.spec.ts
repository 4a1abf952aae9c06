import { caseIdFor } from './case-linking';
import { casesProjection, type CasesRow } from './cases.projection';
import {
  appendMixedHistory,
  classify,
  ingest,
  readModelHarness,
  registerFeed,
  type ReadModelHarness,
} from './read-models.fixtures';

/** A cases row as pg returns it: date columns arrive as Date. */
type CaseRow = Omit<CasesRow, 'stage_on' | 'first_on' | 'last_on'> & {
  stage_on: Date | null;
  first_on: Date;
  last_on: Date;
};

describe('cases projection', () => {
  let harness: ReadModelHarness;

  beforeAll(async () => {
    harness = await readModelHarness(casesProjection);
  });
  afterAll(() => harness.close());

  const caseRow = async (id: string) =>
    (await harness.rows<CaseRow>('cases', 'case_id', 'case_id = $1', [id]))[0];
  const timeline = async (id: string) =>
    (
      await harness.database.pool.query(
        `SELECT item_id, stage, on_date::text AS on_date FROM "${await harness.schema()}".case_timeline
         WHERE case_id = $1 ORDER BY on_date, stage_rank, item_id`,
        [id],
      )
    ).rows;
  const solarCase = caseIdFor('ref:us_commerce:A-570-979');

  it('given items citing one case number (in the text or a docket id), then they form one case with a timeline', async () => {
    await registerFeed(harness.store, 'fr-ita');
    await ingest(harness.store, 'c1', {
      title:
        "Crystalline Silicon Photovoltaic Cells From the People's Republic of China: Initiation of Less-Than-Fair-Value Investigation",
      publishedAt: '2025-01-10T12:00:00.000Z',
      extra: { docketIds: ['A-570-979'] },
    });
    await classify(harness.store, 'c1', {
      frictionTypes: ['anti_dumping'],
      sectors: ['solar_pv'],
      actors: ['US'],
      targets: ['CN'],
      stage: 'investigation_opened',
    });
    await ingest(harness.store, 'c2', {
      title: 'Solar cells from China: Commerce issues preliminary determination (A-570-979)',
      publishedAt: '2025-05-20T12:00:00.000Z',
    });
    await classify(harness.store, 'c2', {
      frictionTypes: ['anti_dumping', 'tariff'],
      sectors: ['solar_pv'],
      actors: ['US'],
      targets: ['CN', 'TW'],
      stage: 'preliminary',
      hsCodes: ['8541.42'],
      caseRefs: [
        { kind: 'us_commerce', ref: 'A-570-979' },
        { kind: 'fr_citation', ref: '90 FR 1234' },
      ],
    });
    // Not a friction: makes no case.
    await ingest(harness.store, 'c3', { title: 'Solar cell prices fall (A-570-979)' });
    await classify(harness.store, 'c3', {
      friction: false,
      caseRefs: [{ kind: 'us_commerce', ref: 'A-570-979' }],
    });
    await harness.catchUp();

    expect(await caseRow(solarCase)).toEqual({
      case_id: solarCase,
      basis: 'reference',
      link_key: 'ref:us_commerce:A-570-979',
      reference: 'A-570-979',
      title: "Crystalline Silicon Photovoltaic Cells From the People's Republic of China",
      actors: ['US'],
      targets: ['CN', 'TW'],
      friction_types: ['anti_dumping', 'tariff'],
      sectors: ['solar_pv'],
      products: ['crystalline silicon photovoltaic cell', 'solar cell'],
      hs_codes: ['8541.42'],
      refs: ['us_commerce:A-570-979'],
      stage: 'preliminary',
      stage_on: expect.any(Date),
      first_on: expect.any(Date),
      last_on: expect.any(Date),
      item_count: 2,
    });
    expect(await timeline(solarCase)).toEqual([
      { item_id: 'c1', stage: 'investigation_opened', on_date: '2025-01-10' },
      { item_id: 'c2', stage: 'preliminary', on_date: '2025-05-20' },
    ]);
    const { rows } = await harness.database.pool.query(
      `SELECT stage_on::text, first_on::text, last_on::text FROM "${await harness.schema()}".cases WHERE case_id = $1`,
      [solarCase],
    );
    expect(rows[0]).toEqual({ stage_on: '2025-05-20', first_on: '2025-01-10', last_on: '2025-05-20' });
    expect(await harness.rows('cases', 'case_id')).toHaveLength(1);
  });

  it('given items without a case number, then they link by actor, target, friction type, sector and product', async () => {
    await ingest(harness.store, 'k1', {
      title: 'EU opens anti-subsidy investigation into imports of battery electric vehicles from China',
      publishedAt: '2023-10-04T09:00:00.000Z',
    });
    await classify(harness.store, 'k1', {
      frictionTypes: ['anti_subsidy'],
      sectors: ['electric_vehicles'],
      actors: ['EU'],
      targets: ['CN'],
      stage: 'investigation_opened',
    });
    await ingest(harness.store, 'k2', {
      title: 'EU imposes provisional duties on battery electric vehicles from China',
      publishedAt: '2024-07-04T09:00:00.000Z',
    });
    await classify(harness.store, 'k2', {
      frictionTypes: ['tariff', 'anti_subsidy'],
      sectors: ['electric_vehicles'],
      actors: ['EU'],
      targets: ['CN'],
      stage: 'preliminary',
    });
    await ingest(harness.store, 'k3', {
      title: 'EU adopts definitive duties on battery electric vehicles from China',
      publishedAt: '2024-10-29T09:00:00.000Z',
    });
    await classify(harness.store, 'k3', {
      frictionTypes: ['anti_subsidy'],
      sectors: ['electric_vehicles'],
      actors: ['EU'],
      targets: ['CN'],
      stage: 'final',
    });
    await harness.catchUp();
    const evCase = caseIdFor('key:EU|CN|anti_subsidy|electric_vehicles|battery electric vehicle');
    expect(await caseRow(evCase)).toMatchObject({
      basis: 'key',
      reference: null,
      title: 'EU opens anti-subsidy investigation into imports of battery electric vehicles from China',
      friction_types: ['anti_subsidy', 'tariff'],
      products: ['battery electric vehicle'],
      stage: 'final',
      item_count: 3,
    });
    expect((await timeline(evCase)).map((t) => t.stage)).toEqual([
      'investigation_opened',
      'preliminary',
      'final',
    ]);
  });

  it('a re-classification moves an item out of its case, and an emptied case disappears', async () => {
    // c2 is re-classified without its case number: it now links by key, and the solar case loses its labels.
    await classify(harness.store, 'c2', {
      frictionTypes: ['anti_dumping'],
      sectors: ['solar_pv'],
      actors: ['US'],
      targets: ['CN'],
      stage: 'preliminary',
    });
    await harness.catchUp();
    expect(await caseRow(solarCase)).toMatchObject({
      targets: ['CN'],
      friction_types: ['anti_dumping'],
      products: ['crystalline silicon photovoltaic cell'],
      hs_codes: [],
      refs: ['us_commerce:A-570-979'],
      stage: 'investigation_opened',
      item_count: 1,
    });
    const moved = caseIdFor('key:US|CN|anti_dumping|solar_pv|solar cell');
    expect(await caseRow(moved)).toMatchObject({ item_count: 1, stage: 'preliminary' });
    expect(await timeline(solarCase)).toEqual([
      { item_id: 'c1', stage: 'investigation_opened', on_date: '2025-01-10' },
    ]);

    // c1 stops being a friction: the solar case has no member left.
    await classify(harness.store, 'c1', { friction: false });
    await harness.catchUp();
    expect(await caseRow(solarCase)).toBeUndefined();
    const { rows } = await harness.database.pool.query(
      `SELECT count(*)::int AS n FROM "${await harness.schema()}".case_labels WHERE case_id = $1`,
      [solarCase],
    );
    expect(rows[0].n).toBe(0);
  });

  it('a rebuild equals the live projection row for row', async () => {
    await appendMixedHistory(harness);
    const { live, rebuilt } = await harness.rebuildAndCompare();
    expect((live.cases as { rows: number }).rows).toBeGreaterThan(5);
    expect((live.case_timeline as { rows: number }).rows).toBeGreaterThan(5);
    expect(rebuilt).toEqual(live);
  });
});
