import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEDERAL_REGISTER_MAPPING, GOV_UK_SEARCH_MAPPING } from './json-source';
import { contentHashOf, normaliseItems } from './normalise-items';
import { parseFeedText } from './parse-feed-text';
import type { RawItem, SourceFormat } from './feed-parsing.types';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/feeds', name), 'utf8');
const FIRST_SEEN = new Date('2024-09-01T12:00:00Z');

function normalised(name: string, format: SourceFormat, pageUrl = 'https://example.org/feed') {
  const result = parseFeedText(fixture(name), format, pageUrl);
  if (!result.ok) throw new Error(result.error);
  return normaliseItems(result.items, { pageUrl, firstSeenAt: FIRST_SEEN });
}

const raw = (over: Partial<RawItem>): RawItem => ({
  guid: null,
  title: 'Title',
  link: null,
  summary: '',
  published: null,
  categories: [],
  extra: {},
  ...over,
});

describe('normaliseItems', () => {
  it('normalises an RSS feed: guid keys, canonical URLs, plain text, UTC dates, categories', () => {
    const [first, second, third, fourth] = normalised('ec-trade-news.rss.xml', { kind: 'rss' });
    expect(first).toEqual({
      key: 'guid:https://policy.trade.ec.europa.eu/node/6612',
      keySource: 'guid',
      guid: 'https://policy.trade.ec.europa.eu/node/6612',
      url: 'https://policy.trade.ec.europa.eu/news/commission-imposes-provisional-countervailing-duties-imports-battery-electric-vehicles-china-2024-07-04_en',
      title:
        'Commission imposes provisional countervailing duties on imports of battery electric vehicles from China',
      summary:
        'The European Commission has imposed provisional countervailing duties on imports of battery electric vehicles (BEVs) from China, following its investigation (AS697). The duties range from 17.4% to 37.6%.',
      publishedAt: '2024-07-04T08:00:00.000Z',
      dateSource: 'feed',
      categories: ['Trade defence', 'China'],
      extra: {},
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(second.url).toBe(
      'https://policy.trade.ec.europa.eu/news/eu-initiates-anti-dumping-investigation-tinplate-2024-06-28_en',
    );
    expect(second.publishedAt).toBe('2024-06-28T10:30:00.000Z');
    expect(third.title).toBe(
      'EU and Japan sign Economic Security dialogue & critical raw materials partnership',
    );
    expect(fourth.url).toBe('https://policy.trade.ec.europa.eu/news/anti-subsidy-wind-turbines_en?lang=en');
  });

  it('keeps the Federal Register structured fields and keys by document number', () => {
    const items = normalised('federal-register-documents.json', {
      kind: 'json',
      json: FEDERAL_REGISTER_MAPPING,
    });
    expect(items.map((i) => [i.key, i.publishedAt])).toEqual([
      ['guid:2024-14612', '2024-07-03T00:00:00.000Z'],
      ['guid:2024-13522', '2024-06-21T00:00:00.000Z'],
      ['guid:2024-12877', '2024-06-13T00:00:00.000Z'],
      ['guid:2024-07004', '2024-04-04T00:00:00.000Z'],
    ]);
    expect(items[2].url).toBe(
      'https://www.federalregister.gov/documents/2024/06/13/2024-12877/crystalline-silicon-photovoltaic-cells',
    );
    expect(items[0].extra).toMatchObject({ docketIds: ['A-570-979'], citation: '89 FR 55129' });
  });

  it('resolves GOV.UK relative links and keys by URL (the API has no guid)', () => {
    const items = normalised(
      'gov-uk-trade-remedies-search.json',
      { kind: 'json', json: GOV_UK_SEARCH_MAPPING },
      'https://www.gov.uk/api/search.json?filter_organisations=trade-remedies-authority',
    );
    expect(items[0]).toMatchObject({
      key: 'url:https://www.gov.uk/government/publications/trade-remedies-notice-aluminium-extrusions-from-china',
      keySource: 'url',
      publishedAt: '2024-07-02T09:15:03.000Z',
    });
  });

  it('reads Chinese listing dates and titles with entities (MOFCOM)', () => {
    const items = normalised(
      'mofcom-announcements.html',
      { kind: 'html', html: { item: 'ul.txtList_01 li', title: 'a', link: 'a', date: 'span' } },
      'http://www.mofcom.gov.cn/zwgk/zcfb/index.html',
    );
    expect(items.map((i) => [i.keySource, i.publishedAt])).toEqual([
      ['url', '2024-07-05T00:00:00.000Z'],
      ['url', '2024-08-15T00:00:00.000Z'],
      ['url', '2024-05-18T00:00:00.000Z'],
      ['url', '2024-05-20T00:00:00.000Z'],
    ]);
    expect(items[2].title).toBe(
      '商务部公告2024年第26号 关于原产于美国、欧盟、台湾地区和日本的进口共聚聚甲醛反倾销调查最终裁定的公告',
    );
    expect(items[3].url).toBe(
      'http://www.mofcom.gov.cn/zwgk/zcfb/art/2024/art_abcdef0123456789abcdef0123456789.html?from=list',
    );
  });

  it('gives items without a (readable) date their first-seen time', () => {
    const items = normalised('no-dates.rss.xml', { kind: 'rss' });
    expect(items.map((i) => [i.publishedAt, i.dateSource])).toEqual([
      ['2024-09-01T12:00:00.000Z', 'first_seen'],
      ['2024-09-01T12:00:00.000Z', 'first_seen'],
    ]);
  });

  it('falls back from guids repeated across the batch to canonical URLs, and drops exact repeats', () => {
    const items = normalised('duplicate-guids.rss.xml', { kind: 'rss' });
    expect(items.map((i) => [i.key, i.guid])).toEqual([
      ['url:https://example.gov/notices/1', 'https://example.gov/notices'],
      ['url:https://example.gov/notices/2', 'https://example.gov/notices'],
      ['url:https://example.gov/notices/3', 'https://example.gov/notices'],
    ]);
  });

  it('distrusts every guid of a batch where too many are empty', () => {
    const items = normaliseItems(
      [
        raw({ guid: 'a', link: 'https://e.org/1', title: 'one' }),
        raw({ guid: '', link: 'https://e.org/2', title: 'two' }),
        raw({ guid: ' ', link: 'https://e.org/3', title: 'three' }),
      ],
      { pageUrl: 'https://e.org/', firstSeenAt: FIRST_SEEN },
    );
    expect(items.map((i) => [i.keySource, i.guid])).toEqual([
      ['url', 'a'],
      ['url', null],
      ['url', null],
    ]);
  });

  it('keeps trusting a batch with one repeated guid, but not that guid', () => {
    const batch = Array.from({ length: 10 }, (_, n) =>
      raw({ guid: `g${n}`, link: `https://e.org/${n}`, title: `t${n}` }),
    );
    batch[9] = raw({ guid: 'g8', link: 'https://e.org/9', title: 't9' });
    const items = normaliseItems(batch, { pageUrl: 'https://e.org/', firstSeenAt: FIRST_SEEN });
    expect(items.filter((i) => i.keySource === 'guid')).toHaveLength(8);
    expect(items.slice(8).map((i) => i.key)).toEqual(['url:https://e.org/8', 'url:https://e.org/9']);
  });

  it('keys by content hash when neither guid nor a one-item URL is there', () => {
    const items = normaliseItems(
      [
        raw({ title: 'First notice', link: 'https://e.org/list' }),
        raw({ title: 'Second notice', link: 'https://e.org/list#2' }),
        raw({ title: 'No link at all' }),
      ],
      { pageUrl: 'https://e.org/', firstSeenAt: FIRST_SEEN },
    );
    expect(items.map((i) => i.keySource)).toEqual(['hash', 'hash', 'hash']);
    expect(items[0].key).toBe(`hash:${items[0].contentHash}`);
    expect(new Set(items.map((i) => i.key)).size).toBe(3);
  });

  it('content hash: same for a re-dated copy, different for a real revision', () => {
    const context = { pageUrl: 'https://e.org/', firstSeenAt: FIRST_SEEN };
    const [a] = normaliseItems(
      [raw({ guid: 'x', title: 'T', summary: '<p>S</p>', published: '2024-07-01' })],
      context,
    );
    const [b] = normaliseItems(
      [raw({ guid: 'x', title: 'T', summary: 'S', published: '2024-07-09' })],
      context,
    );
    const [c] = normaliseItems(
      [raw({ guid: 'x', title: 'T', summary: 'S (corrected)', published: '2024-07-01' })],
      context,
    );
    expect(a.contentHash).toBe(b.contentHash);
    expect(a.publishedAt).not.toBe(b.publishedAt);
    expect(c.contentHash).not.toBe(a.contentHash);
    expect(a.contentHash).toBe(contentHashOf('T', 'S', null));
  });

  it('folds and dedupes categories, strips markup from titles', () => {
    const [item] = normaliseItems(
      [
        raw({
          title: '  <b>Solar</b>&nbsp;glass\n\t duties ',
          categories: ['Trade  defence', 'Trade defence', '', '<i>AD</i>'],
        }),
      ],
      { pageUrl: 'https://e.org/', firstSeenAt: FIRST_SEEN },
    );
    expect(item.title).toBe('Solar glass duties');
    expect(item.categories).toEqual(['Trade defence', 'AD']);
  });
});
