import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEDERAL_REGISTER_MAPPING, GOV_UK_SEARCH_MAPPING, readPath } from './json-source';
import { parseFeedText } from './parse-feed-text';
import { rssParseStringAsync, rssParseStringSync } from './rss-source';
import type { ParseResult, RawItem, SourceFormat } from './feed-parsing.types';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/feeds', name), 'utf8');
const RSS: SourceFormat = { kind: 'rss' };
const PAGE = 'https://example.org/feed';

function items(result: ParseResult): RawItem[] {
  if (!result.ok) throw new Error(`expected ok, got: ${result.error}`);
  return result.items;
}
function error(result: ParseResult): string {
  if (result.ok) throw new Error('expected a failure');
  return result.error;
}

describe('parseFeedText: rss', () => {
  it('reads an RSS 2.0 feed (European Commission trade news) as written', () => {
    const result = parseFeedText(fixture('ec-trade-news.rss.xml'), RSS, PAGE);
    const list = items(result);
    expect(list).toHaveLength(4);
    expect(list[0]).toEqual({
      guid: 'https://policy.trade.ec.europa.eu/node/6612',
      title:
        'Commission imposes provisional countervailing duties on imports of battery electric vehicles from China',
      link: expect.stringContaining('?utm_source=rss&utm_medium=feed'),
      summary: expect.stringContaining('<strong>provisional countervailing duties</strong>'),
      published: 'Thu, 04 Jul 2024 10:00:00 +0200',
      categories: ['Trade defence', 'China'],
      extra: {},
    });
    expect(list[1].summary).toContain('(AD712)');
    expect(list[1].published).toBe('Fri, 28 Jun 2024 12:30:00 CEST');
    expect(result.ok && result.warnings).toEqual([]);
  });

  it('reads an Atom feed (WTO news): id, alternate link, published (else updated), categories, summary or content', () => {
    const list = items(parseFeedText(fixture('wto-news.atom.xml'), RSS, PAGE));
    expect(list.map((i) => [i.guid, i.link, i.published, i.categories])).toEqual([
      [
        'tag:wto.org,2024:ds626',
        'https://www.wto.org/english/news_e/news24_e/ds626rfc_09aug24_e.htm',
        '2024-08-09T15:30:00+02:00',
        ['Dispute settlement'],
      ],
      [
        'tag:wto.org,2024:ds562',
        'https://www.wto.org/english/news_e/news24_e/562r_e.htm',
        '2024-06-14T09:00:00Z',
        ['disputes'],
      ],
      [
        'tag:wto.org,2024:ctg-july',
        'https://www.wto.org/english/news_e/news24_e/good_03jul24_e.htm',
        '2024-07-03',
        [],
      ],
    ]);
    expect(list[0].summary).toContain('(DS626)');
    expect(list[1].summary).toContain('the panel report in <b>DS562</b>, <i>United States');
  });

  it('reads an RSS 1.0 (RDF) feed (EUR-Lex) with dc:date and dc:subject', () => {
    const list = items(parseFeedText(fixture('eurlex-oj-l.rdf.xml'), RSS, PAGE));
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({
      guid: 'https://eur-lex.europa.eu/eli/reg_impl/2024/1866/oj',
      published: '2024-07-04T00:00:00Z',
      categories: ['countervailing duty', 'electric vehicle'],
    });
  });

  it('keeps an entity-escaped xhtml construct escaped (no double decoding)', () => {
    const text = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A &amp;lt;b&amp;gt; B <b>bold</b></div></title></entry></feed>`;
    expect(items(parseFeedText(text, RSS, PAGE))[0].title).toBe(
      '<div xmlns="http://www.w3.org/1999/xhtml">A &amp;lt;b&amp;gt; B <b>bold</b></div>',
    );
  });

  it('reads RSS 0.91', () => {
    const text = `<?xml version="1.0"?><rss version="0.91"><channel><title>t</title>
      <item><title>Old style item</title><link>https://example.org/1</link><description>d</description></item></channel></rss>`;
    expect(items(parseFeedText(text, RSS, PAGE))).toEqual([
      {
        guid: null,
        title: 'Old style item',
        link: 'https://example.org/1',
        summary: 'd',
        published: null,
        categories: [],
        extra: {},
      },
    ]);
  });

  it('reads a windows-1252-declared feed once decoded (the declaration is not ours to act on)', () => {
    const list = items(parseFeedText(fixture('windows-1252-declared.rss.xml'), RSS, PAGE));
    expect(list[0].title).toBe(
      'Änderung der Außenwirtschaftsverordnung – „Quantencomputer“ genehmigungspflichtig',
    );
  });

  it('gives the same items as rss-parser’s own parseString on every feed fixture', async () => {
    for (const name of [
      'ec-trade-news.rss.xml',
      'wto-news.atom.xml',
      'eurlex-oj-l.rdf.xml',
      'no-dates.rss.xml',
    ]) {
      const text = fixture(name);
      expect(rssParseStringSync(text)).toEqual(await rssParseStringAsync(text));
    }
  });

  it.each([
    ['billion-laughs.xml', /^refused: the document declares a DOCTYPE/],
    ['xxe.xml', /^refused: the document declares a DOCTYPE/],
    ['entity-in-body.xml', /^refused: the document declares an ENTITY/],
    ['html-error-page.html', /^expected an RSS or Atom document, got HTML \(<html>\)$/],
    ['federal-register-documents.json', /^expected an RSS or Atom document, got JSON$/],
    ['mofcom-announcements.html', /^expected an RSS or Atom document, got HTML \(<!DOCTYPE html>\)$/],
    ['malformed.xml', /^malformed feed: Unexpected close tag Line: 7/],
  ])('refuses %s with a clear reason', (name, reason) => {
    expect(error(parseFeedText(fixture(name), RSS, PAGE))).toMatch(reason);
  });

  it.each([
    ['', 'expected an RSS or Atom document, got an empty document'],
    ['Service unavailable', 'expected an RSS or Atom document, got text starting with "Service unavailable"'],
    [
      '<?xml version="1.0"?><urlset><url/></urlset>',
      'expected an RSS or Atom document, got XML with root <urlset>',
    ],
  ])('refuses %j', (text, reason) => {
    expect(error(parseFeedText(text, RSS, PAGE))).toBe(reason);
  });

  it('refuses deeply nested markup before parsing', () => {
    const deep = `<rss version="2.0"><channel>${'<x>'.repeat(100_000)}${'</x>'.repeat(100_000)}</channel></rss>`;
    expect(error(parseFeedText(deep, RSS, PAGE))).toBe('refused: markup nested deeper than 1000 levels');
  });

  it('recovers the items of a feed with a bare & and HTML entities, with a warning', () => {
    const result = parseFeedText(fixture('bare-ampersand.rss.xml'), RSS, PAGE);
    const list = items(result);
    expect(list.map((i) => i.title)).toEqual([
      'Notice of initiation: Wind towers from China & Vietnam',
      'Final determination: Container chassis from China\u00a0\u2014 decision',
    ]);
    expect(list[0].link).toBe(
      'https://www.cbsa-asfc.gc.ca/sima-lmsi/i-o/wt3-2024/wt3-2024-ni-eng.html?lang=en&section=ni',
    );
    expect(result.ok && result.warnings).toEqual([
      expect.stringMatching(
        /^recovered a malformed feed \(escaped 3 bare '&', replaced 2 HTML entities\); first error: /,
      ),
    ]);
  });

  it('recovers an Atom feed with an unreadable date (rss-parser would throw on it)', () => {
    const text = `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
      <entry><title>Good</title><id>1</id><published>2024-07-01T00:00:00Z</published></entry>
      <entry><title>Bad date</title><id>2</id><published>yesterday</published></entry></feed>`;
    const result = parseFeedText(text, RSS, PAGE);
    expect(items(result).map((i) => [i.guid, i.published])).toEqual([
      ['1', '2024-07-01T00:00:00Z'],
      ['2', 'yesterday'],
    ]);
    expect(result.ok && result.warnings[0]).toContain('kept unreadable Atom dates away from rss-parser');
  });

  it('never computes rss-parser’s snippet (its regex can spin on crafted markup)', () => {
    const evil = `<rss version="2.0"><channel><item><title>t</title><description>${'&lt;a'.repeat(20_000)}</description></item></channel></rss>`;
    const started = Date.now();
    expect(items(parseFeedText(evil, RSS, PAGE))).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('parseFeedText: json', () => {
  it('maps a Federal Register documents.json page, keeping the structured fields in extra', () => {
    const list = items(
      parseFeedText(
        fixture('federal-register-documents.json'),
        { kind: 'json', json: FEDERAL_REGISTER_MAPPING },
        PAGE,
      ),
    );
    expect(list).toHaveLength(4);
    expect(list[0]).toMatchObject({
      guid: '2024-14612',
      title: expect.stringContaining('Crystalline Silicon Photovoltaic Cells'),
      link: expect.stringMatching(
        /^https:\/\/www\.federalregister\.gov\/documents\/2024\/07\/03\/2024-14612\//,
      ),
      published: '2024-07-03',
      summary: expect.stringContaining('less than normal value'),
      extra: {
        documentNumber: '2024-14612',
        type: 'Notice',
        agencies: ['Commerce Department', 'International Trade Administration'],
        docketIds: ['A-570-979'],
        effectiveOn: '2024-07-03',
        commentsCloseOn: null,
        citation: '89 FR 55129',
      },
    });
    expect(list[1].extra).toMatchObject({
      type: 'Rule',
      agencies: ['Commerce Department', 'Industry and Security Bureau'],
    });
    expect(list[2].extra).toMatchObject({ docketIds: ['C-570-980'], commentsCloseOn: '2024-07-15' });
  });

  it('maps a GOV.UK search API page, resolving its relative links against the page', () => {
    const list = items(
      parseFeedText(
        fixture('gov-uk-trade-remedies-search.json'),
        { kind: 'json', json: GOV_UK_SEARCH_MAPPING },
        'https://www.gov.uk/api/search.json?filter_organisations=trade-remedies-authority',
      ),
    );
    expect(list.map((i) => [i.title, i.link, i.published])).toEqual([
      [
        'Trade remedies notice: aluminium extrusions from China',
        'https://www.gov.uk/government/publications/trade-remedies-notice-aluminium-extrusions-from-china?utm_source=search',
        '2024-07-02T10:15:03.000+01:00',
      ],
      [
        'Biodiesel from China: final determination',
        'https://www.gov.uk/government/publications/biodiesel-from-china-final-determination',
        '2024-06-18T09:30:00.000+01:00',
      ],
      [
        'Steel safeguard review 2024',
        'https://www.gov.uk/government/publications/steel-safeguard-review-2024',
        '2024-05-30T14:00:00.000+01:00',
      ],
    ]);
    expect(list[0].extra).toMatchObject({ organisations: ['Trade Remedies Authority'], format: 'notice' });
  });

  it('reads dotted paths and [] segments', () => {
    const doc = { a: { b: [{ c: { d: 1 } }, { c: { d: 2 } }, { c: null }] } };
    expect(readPath(doc, 'a.b[].c.d')).toEqual([1, 2]);
    expect(readPath(doc, 'a.missing.x')).toBeUndefined();
    expect(readPath([1, 2], '')).toEqual([1, 2]);
  });

  it('treats an empty Federal Register answer ({"count":0}) as no items', () => {
    expect(
      items(
        parseFeedText(
          '{"count":0,"description":"x"}',
          { kind: 'json', json: FEDERAL_REGISTER_MAPPING },
          PAGE,
        ),
      ),
    ).toEqual([]);
  });

  it.each([
    ['{"results": {}}', "items path 'results' is not an array (got object)"],
    ['{"results": [', /^invalid JSON: /],
    ['<html><body>Error</body></html>', 'expected JSON, got HTML (<html>)'],
    ['<?xml version="1.0"?><rss version="2.0"/>', 'expected JSON, got XML (<rss>)'],
  ])('refuses %j', (text, reason) => {
    const message = error(parseFeedText(text, { kind: 'json', json: FEDERAL_REGISTER_MAPPING }, PAGE));
    if (typeof reason === 'string') expect(message).toBe(reason);
    else expect(message).toMatch(reason);
  });

  it('skips entries without title and link, with a warning', () => {
    const result = parseFeedText(
      '{"results":[{"title":"x","html_url":"https://e.org/1"},{},7]}',
      { kind: 'json', json: FEDERAL_REGISTER_MAPPING },
      PAGE,
    );
    expect(items(result)).toHaveLength(1);
    expect(result.ok && result.warnings).toEqual([
      'item 1 has neither title nor link: skipped',
      'item 2 is not an object: skipped',
    ]);
  });

  it('needs a mapping', () => {
    expect(error(parseFeedText('{}', { kind: 'json' }, PAGE))).toBe(
      'a json source needs a mapping (format.json)',
    );
  });
});

describe('parseFeedText: html', () => {
  const MOFCOM: SourceFormat = {
    kind: 'html',
    html: { item: 'ul.txtList_01 li', title: 'a', link: 'a', date: 'span' },
  };
  const MOFCOM_PAGE = 'http://www.mofcom.gov.cn/zwgk/zcfb/index.html';

  it('reads a MOFCOM announcement listing with CSS selectors, resolving links against the page', () => {
    const list = items(parseFeedText(fixture('mofcom-announcements.html'), MOFCOM, MOFCOM_PAGE));
    expect(list.map((i) => [i.title.trim(), i.link, i.published])).toEqual([
      [
        '商务部公告2024年第31号 关于对原产于欧盟的进口相关白兰地进行反倾销立案调查的公告',
        'http://www.mofcom.gov.cn/zwgk/zcfb/art/2024/art_6b1f0a3c2d4e4f50a1b2c3d4e5f60718.html',
        '2024-07-05',
      ],
      [
        '商务部 海关总署公告2024年第33号 关于对部分锑、金刚石相关物项实施出口管制的公告',
        'http://www.mofcom.gov.cn/zwgk/zcfb/art/2024/art_9a8b7c6d5e4f40312a1b0c9d8e7f6a5b.html',
        '2024-08-15',
      ],
      [
        '商务部公告2024年第26号\u00a0关于原产于美国、欧盟、台湾地区和日本的进口共聚聚甲醛反倾销调查最终裁定的公告',
        'http://www.mofcom.gov.cn/zwgk/zcfb/art/2024/art_1122334455667788990011aabbccddee.html',
        '2024年5月18日',
      ],
      [
        '商务部公告2024年第20号 关于将相关实体列入不可靠实体清单的公告',
        'http://www.mofcom.gov.cn/zwgk/zcfb/art/2024/art_abcdef0123456789abcdef0123456789.html?from=list#top',
        '2024-05-20',
      ],
    ]);
  });

  it('reads a CBSA investigations table (summary and date from other cells)', () => {
    const CBSA: SourceFormat = {
      kind: 'html',
      html: {
        item: '#investigations tbody tr',
        title: 'td:nth-child(2) a',
        link: 'td:nth-child(2) a',
        summary: 'td:nth-child(4)',
        date: 'td:nth-child(5) time',
      },
    };
    const list = items(
      parseFeedText(
        fixture('cbsa-sima-investigations.html'),
        CBSA,
        'https://www.cbsa-asfc.gc.ca/sima-lmsi/i-o/menu-eng.html',
      ),
    );
    expect(list.map((i) => [i.title, i.link, i.summary, i.published])).toEqual([
      [
        'Certain wind towers',
        'https://www.cbsa-asfc.gc.ca/sima-lmsi/i-o/wt3-2024/wt3-2024-ni-eng.html',
        'Initiation',
        '2024-07-15',
      ],
      [
        'Container chassis',
        'https://www.cbsa-asfc.gc.ca/sima-lmsi/i-o/cc-2022/cc-2022-fd-eng.html',
        'Final determination',
        '2024-07-11',
      ],
      [
        'Hot-rolled carbon steel plate',
        'https://www.cbsa-asfc.gc.ca/sima-lmsi/i-o/hrc2024/hrc2024-pd-eng.html?wbdisable=true',
        'Preliminary determination',
        '2024-06-28',
      ],
    ]);
  });

  it('warns when no item matches', () => {
    const result = parseFeedText('<html><body><p>moved</p></body></html>', MOFCOM, MOFCOM_PAGE);
    expect(items(result)).toEqual([]);
    expect(result.ok && result.warnings).toEqual(['no item matched the selector "ul.txtList_01 li"']);
  });

  it('refuses a feed, JSON, and markup nested 100k levels deep', () => {
    expect(error(parseFeedText(fixture('ec-trade-news.rss.xml'), MOFCOM, MOFCOM_PAGE))).toBe(
      'expected an HTML page, got a feed (<rss>)',
    );
    expect(error(parseFeedText('{"a":1}', MOFCOM, MOFCOM_PAGE))).toBe('expected an HTML page, got JSON');
    expect(
      error(parseFeedText(`<html><body>${'<div>'.repeat(100_000)}</body></html>`, MOFCOM, MOFCOM_PAGE)),
    ).toBe('refused: markup nested deeper than 5000 levels');
  });
});

it('refuses an unknown source kind', () => {
  expect(error(parseFeedText('x', { kind: 'csv' } as unknown as SourceFormat, PAGE))).toBe(
    'unknown source kind "csv"',
  );
});
