import { activityProjection } from './activity.projection';
import {
  appendMixedHistory,
  classify,
  ingest,
  readModelHarness,
  registerFeed,
  revise,
  type ReadModelHarness,
} from './read-models.fixtures';

describe('activity projection', () => {
  let harness: ReadModelHarness;

  beforeAll(async () => {
    harness = await readModelHarness(activityProjection);
  });
  afterAll(() => harness.close());

  const cells = async () =>
    (
      await harness.database.pool.query(
        `SELECT week::text || ' ' || sector || ' ' || actor || ' ' || target || ' ' || friction_type || ' ' || stage AS cell,
                items::int AS items
         FROM "${await harness.schema()}".activity ORDER BY 1`,
      )
    ).rows.map((r: { cell: string; items: number }) => `${r.cell} = ${r.items}`);

  it('given classified friction items, then they are counted by ISO week × sector × actor × target × type × stage', async () => {
    await registerFeed(harness.store, 'fr-ita');
    // Wednesday 4 June 2025 and Sunday 8 June 2025 are in the week of Monday 2 June.
    await ingest(harness.store, 'a1', { publishedAt: '2025-06-04T10:00:00.000Z' });
    await classify(harness.store, 'a1', {
      frictionTypes: ['anti_dumping'],
      sectors: ['solar_pv'],
      actors: ['US'],
      targets: ['CN'],
      stage: 'preliminary',
    });
    await ingest(harness.store, 'a2', { publishedAt: '2025-06-08T23:30:00.000Z' });
    await classify(harness.store, 'a2', {
      frictionTypes: ['anti_dumping'],
      sectors: ['solar_pv', 'batteries'],
      actors: ['US'],
      targets: ['CN'],
      stage: 'preliminary',
    });
    // No sector, no target, no stage: '' in those columns.
    await ingest(harness.store, 'a3', { publishedAt: '2025-06-09T00:00:00.000Z' });
    await classify(harness.store, 'a3', { frictionTypes: ['tariff'], actors: ['CN'] });
    // Not a friction, and not classified yet: counted nowhere.
    await ingest(harness.store, 'a4', { publishedAt: '2025-06-04T10:00:00.000Z' });
    await classify(harness.store, 'a4', { friction: false, sectors: ['solar_pv'] });
    await ingest(harness.store, 'a5', { publishedAt: '2025-06-04T10:00:00.000Z' });
    await harness.catchUp();

    expect(await cells()).toEqual([
      '2025-06-02 batteries US CN anti_dumping preliminary = 1',
      '2025-06-02 solar_pv US CN anti_dumping preliminary = 2',
      '2025-06-09  CN  tariff  = 1',
    ]);
  });

  it('a re-classification moves the item from its old cells to its new ones', async () => {
    await classify(harness.store, 'a2', {
      frictionTypes: ['anti_dumping'],
      sectors: ['solar_pv'],
      actors: ['US'],
      targets: ['CN'],
      stage: 'final',
    });
    await classify(harness.store, 'a5', {
      frictionTypes: ['export_control'],
      sectors: ['semiconductors'],
      actors: ['US'],
    });
    await harness.catchUp();
    expect(await cells()).toEqual([
      '2025-06-02 semiconductors US  export_control  = 1',
      '2025-06-02 solar_pv US CN anti_dumping final = 1',
      '2025-06-02 solar_pv US CN anti_dumping preliminary = 1',
      '2025-06-09  CN  tariff  = 1',
    ]);

    // Re-classified twice within one batch, and out of friction: its cells empty and disappear.
    await classify(harness.store, 'a3', { frictionTypes: ['tariff'], actors: ['US'] });
    await classify(harness.store, 'a3', { friction: false });
    await harness.catchUp();
    expect(await cells()).toEqual([
      '2025-06-02 semiconductors US  export_control  = 1',
      '2025-06-02 solar_pv US CN anti_dumping final = 1',
      '2025-06-02 solar_pv US CN anti_dumping preliminary = 1',
    ]);
  });

  it('a revision that moves the publication date moves the item to its new week', async () => {
    await revise(harness.store, 'a1', { publishedAt: '2025-06-16T10:00:00.000Z' });
    await harness.catchUp();
    expect(await cells()).toEqual([
      '2025-06-02 semiconductors US  export_control  = 1',
      '2025-06-02 solar_pv US CN anti_dumping final = 1',
      '2025-06-16 solar_pv US CN anti_dumping preliminary = 1',
    ]);
  });

  it('a rebuild equals the live projection row for row', async () => {
    await appendMixedHistory(harness);
    const { live, rebuilt } = await harness.rebuildAndCompare();
    expect((live.activity as { rows: number }).rows).toBeGreaterThan(20);
    expect(rebuilt).toEqual(live);
    // Every counted item is in the table exactly as often as its cells say.
    const schema = await harness.schema();
    const { rows } = await harness.database.pool.query(`
      SELECT (SELECT coalesce(sum(items), 0)::int FROM "${schema}".activity) AS counted,
             (SELECT coalesce(sum(cardinality(cells)), 0)::int FROM "${schema}".activity_items) AS cells`);
    expect(rows[0].counted).toBe(rows[0].cells);
  });
});
