import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { FeedParserPool } from './feed-parser.pool';
import { normaliseItems } from './normalise-items';
import { parseFeedText } from './parse-feed-text';
import type { ParseResult, SourceFormat } from './feed-parsing.types';

const RSS: SourceFormat = { kind: 'rss' };
const PAGE = 'https://example.org/feed';
const fixture = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/feeds', name), 'utf8');
const MISBEHAVING = join(__dirname, 'testing', 'misbehaving-parser.worker.js');
const echoed = (result: ParseResult) => (result.ok ? result.warnings[0] : result.error);

describe('FeedParserPool with the real parser worker (TypeScript sources loaded in the thread)', () => {
  const pool = new FeedParserPool({ size: 2, timeoutMs: 20_000 });
  afterAll(() => pool.close());

  it('parses feeds off the main thread, many at once', async () => {
    const results = await Promise.all([
      pool.parse(fixture('ec-trade-news.rss.xml'), RSS, PAGE),
      pool.parse(fixture('wto-news.atom.xml'), RSS, PAGE),
      pool.parse(fixture('html-error-page.html'), RSS, PAGE),
      pool.parse(fixture('eurlex-oj-l.rdf.xml'), RSS, PAGE),
    ]);
    expect(results.map((r) => (r.ok ? r.items.length : r.error))).toEqual([
      4,
      3,
      'expected an RSS or Atom document, got HTML (<html>)',
      2,
    ]);
  });

  it('normalises in the thread exactly as the main thread would', async () => {
    const text = fixture('ec-trade-news.rss.xml');
    const firstSeenAt = new Date('2026-12-01T10:00:00Z');
    const inThread = await pool.parseNormalised(text, RSS, PAGE, firstSeenAt);
    const parsed = parseFeedText(text, RSS, PAGE);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(inThread).toEqual({
      ok: true,
      items: normaliseItems(parsed.items, { pageUrl: PAGE, firstSeenAt }),
      warnings: parsed.warnings,
    });
    // plain text, not the feed's markup or raw fields
    expect(inThread.ok && inThread.items[0]).toMatchObject({
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await pool.parseNormalised('<html><body>x</body></html>', RSS, PAGE, firstSeenAt)).toEqual({
      ok: false,
      error: 'expected an RSS or Atom document, got HTML (<html>)',
    });
  });

  it('refuses markup nested 100k levels deep and stays usable', async () => {
    const deep = `<rss version="2.0"><channel><item><title>${'<b>'.repeat(100_000)}x</title></item></channel></rss>`;
    expect(await pool.parse(deep, RSS, PAGE)).toEqual({
      ok: false,
      error: 'refused: markup nested deeper than 1000 levels',
    });
    const after = await pool.parse(fixture('no-dates.rss.xml'), RSS, PAGE);
    expect(after.ok && after.items).toHaveLength(2);
  });
});

it('starts its workers from sources under `node -r ./tools/register.js` too', async () => {
  const script = `
    const { FeedParserPool } = require('./libs/feed-parsing/src');
    const pool = new FeedParserPool({ size: 1 });
    pool.parse('<rss version="2.0"><channel><item><title>t</title></item></channel></rss>', { kind: 'rss' }, 'https://e.org/')
      .then(async (result) => { console.log(JSON.stringify(result)); await pool.close(); });`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', './tools/register.js', '-e', script],
    {
      cwd: join(__dirname, '../../..'),
      timeout: 30_000,
    },
  );
  expect(JSON.parse(stdout)).toMatchObject({ ok: true, items: [{ title: 't' }] });
});

describe('FeedParserPool recovery (a misbehaving test worker)', () => {
  let pool: FeedParserPool;
  beforeEach(() => {
    pool = new FeedParserPool({ size: 2, timeoutMs: 300, workerScript: MISBEHAVING });
  });
  afterEach(() => pool.close());

  it('times out a parse that spins, replaces its worker, and keeps serving the others', async () => {
    const spinning = pool.parse('spin', RSS, PAGE);
    const others = Promise.all([pool.parse('a', RSS, PAGE), pool.parse('b', RSS, PAGE)]);
    expect(await spinning).toEqual({ ok: false, error: 'parse timed out after 300ms' });
    expect((await others).map(echoed)).toEqual(['echo a', 'echo b']);
    // the replaced worker serves again: both slots answer
    expect((await Promise.all([pool.parse('c', RSS, PAGE), pool.parse('d', RSS, PAGE)])).map(echoed)).toEqual(
      ['echo c', 'echo d'],
    );
  });

  it('survives two spinning parses at once (every worker stuck)', async () => {
    const results = await Promise.all([
      pool.parse('spin', RSS, PAGE),
      pool.parse('spin', RSS, PAGE),
      pool.parse('after', RSS, PAGE),
    ]);
    expect(results.map(echoed)).toEqual([
      'parse timed out after 300ms',
      'parse timed out after 300ms',
      'echo after',
    ]);
  });

  it('answers a crashed, exited or overflowing worker with a clear error and replaces it', async () => {
    const results = await Promise.all([
      pool.parse('throw', RSS, PAGE),
      pool.parse('exit', RSS, PAGE),
      pool.parse('overflow', RSS, PAGE),
      pool.parse('fine', RSS, PAGE),
    ]);
    expect(results.map(echoed)).toEqual([
      'feed parser worker failed: Error: boom from a worker',
      'feed parser worker exited (code 3)',
      'markup nested too deeply (stack overflow while parsing)',
      'echo fine',
    ]);
  });

  it('answers parses after close without starting workers', async () => {
    await pool.close();
    expect(await pool.parse('x', RSS, PAGE)).toEqual({ ok: false, error: 'feed parser pool is closed' });
  });

  it('fails a waiting parse when its worker cannot start', async () => {
    const broken = new FeedParserPool({
      size: 1,
      timeoutMs: 300,
      workerScript: join(__dirname, 'no-such-worker.js'),
    });
    const result = await broken.parse('x', RSS, PAGE);
    await broken.close();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^feed parser worker (failed|exited)/);
  });
});
