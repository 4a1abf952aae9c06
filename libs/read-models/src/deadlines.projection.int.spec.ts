import { caseIdFor } from './case-linking';
import { deadlinesProjection } from './deadlines.projection';
import {
  appendMixedHistory,
  classify,
  ingest,
  readModelHarness,
  registerFeed,
  revise,
  type ReadModelHarness,
} from './read-models.fixtures';

describe('deadlines projection', () => {
  let harness: ReadModelHarness;

  beforeAll(async () => {
    harness = await readModelHarness(deadlinesProjection);
  });
  afterAll(() => harness.close());

  const deadlines = async () =>
    (
      await harness.database.pool.query(
        `SELECT item_id, kind, due_on::text AS due_on, source, friction, case_id
         FROM "${await harness.schema()}".deadlines ORDER BY due_on, kind, item_id`,
      )
    ).rows;

  it('given items with structured and stated dates, then each deadline is a row with its item', async () => {
    await registerFeed(harness.store, 'fr-ita');
    await ingest(harness.store, 'd1', {
      title: 'Polysilicon: Request for Public Comments (Section 232)',
      summary: 'Comments must be received by July 15, 2025. The duties take effect on 1 October 2025.',
      publishedAt: '2025-06-10T12:00:00.000Z',
      extra: { commentsCloseOn: '2025-07-15', effectiveOn: null, docketIds: ['A-570-979'] },
    });
    await ingest(harness.store, 'd2', {
      title: '关于对原产于美国的进口商品加征关税的公告',
      summary: '自2025年3月10日起，对原产于美国的部分进口商品加征关税。',
      publishedAt: '2025-03-04T02:00:00.000Z',
    });
    await ingest(harness.store, 'd3', { title: 'No dates in here', summary: 'Nothing to see.' });
    await harness.catchUp();
    expect(await deadlines()).toEqual([
      {
        item_id: 'd2',
        kind: 'effective',
        due_on: '2025-03-10',
        source: 'text',
        friction: null,
        case_id: null,
      },
      {
        item_id: 'd1',
        kind: 'comments_close',
        due_on: '2025-07-15',
        source: 'field',
        friction: null,
        case_id: null,
      },
      {
        item_id: 'd1',
        kind: 'effective',
        due_on: '2025-10-01',
        source: 'text',
        friction: null,
        case_id: null,
      },
    ]);
    const [row] = await harness.rows<Record<string, unknown>>('deadlines', 'due_on', "item_id = 'd1'");
    expect(row).toMatchObject({
      feed_id: 'fr-ita',
      title: 'Polysilicon: Request for Public Comments (Section 232)',
      url: 'https://example.test/items/d1',
      evidence: 'commentsCloseOn',
    });
  });

  it('when the item is classified, then its deadlines carry the friction flag and the case', async () => {
    await classify(harness.store, 'd1', { frictionTypes: ['tariff'], sectors: ['solar_pv'], actors: ['US'] });
    await classify(harness.store, 'd2', {
      friction: true,
      frictionTypes: ['tariff'],
      actors: ['CN'],
      targets: ['US'],
    });
    await classify(harness.store, 'd3', { friction: true, frictionTypes: ['tariff'] });
    await harness.catchUp();
    const rows = await deadlines();
    expect(
      rows.map((r: { item_id: string; case_id: string | null; friction: boolean }) => [
        r.item_id,
        r.friction,
        r.case_id,
      ]),
    ).toEqual([
      ['d2', true, caseIdFor('key:CN|US|tariff||')],
      ['d1', true, caseIdFor('ref:us_commerce:A-570-979')],
      ['d1', true, caseIdFor('ref:us_commerce:A-570-979')],
    ]);
  });

  it('a revision replaces the item deadlines; a text without dates removes them', async () => {
    await revise(harness.store, 'd1', {
      title: 'Polysilicon: Request for Public Comments (Section 232)',
      summary: 'The comment period is extended. Comments must be received by August 14, 2025.',
      publishedAt: '2025-06-10T12:00:00.000Z',
      extra: { commentsCloseOn: '2025-08-14', docketIds: ['A-570-979'] },
    });
    await revise(harness.store, 'd2', { title: 'Notice withdrawn', summary: '' });
    await harness.catchUp();
    expect(await deadlines()).toEqual([
      {
        item_id: 'd1',
        kind: 'comments_close',
        due_on: '2025-08-14',
        source: 'field',
        friction: true,
        case_id: caseIdFor('ref:us_commerce:A-570-979'),
      },
    ]);
    // Upcoming from a date: what the API asks.
    const schema = await harness.schema();
    const { rows } = await harness.database.pool.query(
      `SELECT item_id FROM "${schema}".deadlines WHERE due_on >= $1::date AND due_on < $2::date`,
      ['2025-08-01', '2025-09-01'],
    );
    expect(rows).toEqual([{ item_id: 'd1' }]);
  });

  it('a rebuild equals the live projection row for row', async () => {
    await appendMixedHistory(harness);
    const { live, rebuilt } = await harness.rebuildAndCompare();
    expect((live.deadlines as { rows: number }).rows).toBeGreaterThan(10);
    expect(rebuilt).toEqual(live);
  });
});
