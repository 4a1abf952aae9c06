import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEED_FIXTURES, FeedServer } from '../support/feed-server';
import { finished, runTs, type Finished } from '../support/processes';

interface Line {
  input: string;
  ok: boolean;
  error?: string;
  warnings?: string[];
  items?: {
    title: string;
    link: string | null;
    guid: string | null;
    publishedAt: string;
    dateSource: 'feed' | 'first_seen';
    summary: string;
    categories: string[];
    key: string;
    contentHash: string;
  }[];
}

/**
 * `npm run cli -- parse-feed` as its own process: files and URLs (a feed server on loopback) in one run,
 * one JSON line per input in input order, refusals and failures as clear `error` texts, never a stack.
 */
describe('parse-feed end to end', () => {
  const server = new FeedServer();
  const fixture = (file: string) => join(FEED_FIXTURES, file);
  const rssText = readFileSync(fixture('ec-trade-news.rss.xml'), 'utf8');

  async function parseFeed(
    inputs: string[],
    env: Record<string, string> = {},
  ): Promise<Finished & { lines: Line[] }> {
    const result = await finished(runTs('apps/cli/src/main.ts', ['parse-feed', ...inputs], env));
    const lines = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Line);
    return { ...result, lines };
  }

  beforeAll(async () => {
    await server.start();
    server.fixture('/ec-trade.xml', 'ec-trade-news.rss.xml', 'application/rss+xml; charset=utf-8');
    server.route('/broken.xml', (_q, r) => r.writeHead(500, { 'content-type': 'text/plain' }).end('boom'));
  });
  afterAll(async () => {
    await server.stop();
  });

  it('parses files and URLs in one run: one line per input, in order; exit 1 when any failed', async () => {
    const inputs = [
      fixture('ec-trade-news.rss.xml'),
      fixture('wto-news.atom.xml'),
      fixture('billion-laughs.xml'),
      fixture('does-not-exist.xml'),
      server.url('/ec-trade.xml'),
      server.url('/broken.xml'),
      fixture('no-dates.rss.xml'),
    ];
    const result = await parseFeed(inputs, { FETCH_ALLOW_PRIVATE_NETWORKS: 'true' });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toMatch(/Error:/);
    expect(result.lines.map((l) => [l.input, l.ok])).toEqual([
      [inputs[0], true],
      [inputs[1], true],
      [inputs[2], false],
      [inputs[3], false],
      [inputs[4], true],
      [inputs[5], false],
      [inputs[6], true],
    ]);
    const [rss, atom, laughs, missing, url, broken, noDates] = result.lines;

    // RSS: every item with title, a canonical link (tracking parameters dropped), guid and date.
    expect(rss.items).toHaveLength((rssText.match(/<item>/g) ?? []).length);
    expect(rss.items?.[0]).toMatchObject({
      title:
        'Commission imposes provisional countervailing duties on imports of battery electric vehicles from China',
      link: 'https://policy.trade.ec.europa.eu/news/commission-imposes-provisional-countervailing-duties-imports-battery-electric-vehicles-china-2024-07-04_en',
      guid: 'https://policy.trade.ec.europa.eu/node/6612',
      publishedAt: '2024-07-04T08:00:00.000Z',
      dateSource: 'feed',
    });
    for (const item of rss.items ?? []) {
      expect(item.title).not.toBe('');
      expect(item.link).toMatch(/^https:\/\//);
      expect(item.guid).toBeTruthy();
      expect(Number.isNaN(Date.parse(item.publishedAt))).toBe(false);
      expect(item.summary).not.toMatch(/<[a-z]/i);
    }

    // Atom.
    expect(atom.items).toHaveLength(3);
    expect(atom.items?.[0]).toMatchObject({
      title: 'China initiates WTO dispute complaint regarding EU duties on electric vehicles',
      link: 'https://www.wto.org/english/news_e/news24_e/ds626rfc_09aug24_e.htm',
      guid: 'tag:wto.org,2024:ds626',
      publishedAt: '2024-08-09T13:30:00.000Z',
    });

    // Refusals and failures say why, without items.
    expect(laughs.error).toMatch(/DOCTYPE/);
    expect(laughs.error).toMatch(/entit/i);
    expect(laughs.items).toBeUndefined();
    expect(missing.error).toBe(`no such file: ${inputs[3]}`);
    expect(broken.error).toMatch(/^http_status: HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/broken\.xml/);

    // The same feed over HTTP parses to the same items as the file.
    expect(url.items).toEqual(rss.items);

    // Items without a date are dated when first seen, and say so.
    expect(noDates.items?.length).toBeGreaterThan(0);
    expect(noDates.items?.every((i) => i.dateSource === 'first_seen')).toBe(true);
  }, 30000);

  it('a run with only good inputs exits 0', async () => {
    const result = await parseFeed(
      [fixture('ec-trade-news.rss.xml'), server.url('/ec-trade.xml'), fixture('wto-news.atom.xml')],
      { FETCH_ALLOW_PRIVATE_NETWORKS: 'true' },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.lines.map((l) => l.ok)).toEqual([true, true, true]);
  }, 30000);

  it('refuses a loopback URL unless private networks are allowed', async () => {
    const result = await parseFeed([server.url('/ec-trade.xml')], { FETCH_ALLOW_PRIVATE_NETWORKS: 'false' });
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      {
        input: server.url('/ec-trade.xml'),
        ok: false,
        error: expect.stringMatching(/^forbidden_address: /),
      },
    ]);
    expect(server.hits.get('/ec-trade.xml')).toBe(2);
  }, 30000);
});
