import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as zlib from 'node:zlib';
import * as iconv from 'iconv-lite';
import {
  DEFAULT_USER_AGENT,
  FeedFetcher,
  type FetchOutcome,
  type FetcherOptions,
} from '@frictionwatch/fetcher';

// Real HTTP servers on 127.0.0.1; nothing here ever connects anywhere else: every non-loopback address
// below is refused by the guard before a socket exists.

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

const routes = new Map<string, Handler>();
const seen: { path: string; headers: IncomingMessage['headers'] }[] = [];
const sockets = new Set<Socket>();
let connections = 0;
let server: Server;
let port: number;
let base: string;
const fetchers: FeedFetcher[] = [];
const pendingTimers = new Set<NodeJS.Timeout>();

function later(ms: number, fn: () => void): void {
  const timer = setTimeout(() => {
    pendingTimers.delete(timer);
    fn();
  }, ms);
  pendingTimers.add(timer);
}

function route(path: string, handler: Handler): string {
  routes.set(path, handler);
  return `${base}${path}`;
}

function fetcher(options: FetcherOptions): FeedFetcher {
  const created = new FeedFetcher({ totalTimeoutMs: 3_000, ...options });
  fetchers.push(created);
  return created;
}

const fakeDns: Record<string, string[]> = {
  'feeds.example.test': ['127.0.0.1'],
  'private.example.test': ['10.0.0.1'],
  'metadata.example.test': ['169.254.169.254'],
  'mapped.example.test': ['::ffff:127.0.0.1'],
  'cgnat.example.test': ['100.64.0.1'],
  'mixed.example.test': ['127.0.0.1', '10.1.2.3'],
};
const lookups: string[] = [];
let rebindCount = 0;

async function lookup(hostname: string): Promise<{ address: string; family: 4 | 6 }[]> {
  lookups.push(hostname);
  let answers = fakeDns[hostname];
  if (hostname === 'rebind.example.test') answers = rebindCount++ === 0 ? ['127.0.0.1'] : ['10.0.0.1'];
  if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
}

/** Allows exactly the test server's loopback address: everything else keeps the default refusal. */
const onlyTestServer = (address: string): boolean => address === '127.0.0.1';

function expectFailed(outcome: FetchOutcome, reason: string): Extract<FetchOutcome, { kind: 'failed' }> {
  if (outcome.kind !== 'failed' || outcome.reason !== reason) {
    throw new Error(`expected failed/${reason}, got ${JSON.stringify({ ...outcome, body: undefined })}`);
  }
  return outcome;
}

function expectOk(outcome: FetchOutcome): Extract<FetchOutcome, { kind: 'ok' }> {
  if (outcome.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome;
}

const feedXml = '<?xml version="1.0"?><rss version="2.0"><channel><title>Notices</title></channel></rss>';

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    seen.push({ path: url.pathname, headers: req.headers });
    const handler = routes.get(url.pathname);
    if (handler) handler(req, res, url);
    else res.writeHead(404).end('not found');
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const timer of pendingTimers) clearTimeout(timer);
  await Promise.all(fetchers.map((f) => f.close()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('FeedFetcher: responses', () => {
  const open = (): FeedFetcher => fetcher({ allowPrivateNetworks: true });

  it('returns the body with its validators, a project User-Agent and compression offered', async () => {
    const url = route('/feed.xml', (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/rss+xml; charset=utf-8',
        etag: '"v1"',
        'last-modified': 'Mon, 02 Nov 2026 10:00:00 GMT',
      });
      res.end(feedXml);
    });
    const outcome = expectOk(await open().fetch({ url }));
    expect(outcome).toMatchObject({
      status: 200,
      url,
      finalUrl: url,
      permanentRedirectTo: null,
      text: feedXml,
      charset: 'utf-8',
      contentType: 'application/rss+xml; charset=utf-8',
      etag: '"v1"',
      lastModified: 'Mon, 02 Nov 2026 10:00:00 GMT',
      bytes: Buffer.byteLength(feedXml),
    });
    const request = seen.filter((s) => s.path === '/feed.xml').at(-1)!;
    expect(request.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(request.headers['user-agent']).toMatch(/frictionwatch/);
    expect(request.headers['accept-encoding']).toBe('gzip, deflate, br');
    expect(request.headers['if-none-match']).toBeUndefined();
  });

  it('sends If-None-Match and If-Modified-Since, and reports 304 as not_modified', async () => {
    const url = route('/conditional.xml', (req, res) => {
      if (
        req.headers['if-none-match'] === '"v1"' ||
        req.headers['if-modified-since'] === 'Sun, 01 Nov 2026'
      ) {
        res.writeHead(304, { etag: '"v1"' }).end();
      } else res.writeHead(200, { etag: '"v1"' }).end(feedXml);
    });
    const byEtag = await open().fetch({ url, etag: '"v1"' });
    expect(byEtag).toMatchObject({
      kind: 'not_modified',
      status: 304,
      url,
      etag: '"v1"',
      lastModified: null,
    });
    const byDate = await open().fetch({ url, lastModified: 'Sun, 01 Nov 2026' });
    expect(byDate).toMatchObject({ kind: 'not_modified', lastModified: 'Sun, 01 Nov 2026' });
    const sent = seen.filter((s) => s.path === '/conditional.xml');
    expect(sent[0]!.headers['if-none-match']).toBe('"v1"');
    expect(sent[1]!.headers['if-modified-since']).toBe('Sun, 01 Nov 2026');
    expect(expectOk(await open().fetch({ url, etag: '"v0"' })).etag).toBe('"v1"');
  });

  it('does not send a stored validator that would smuggle a header', async () => {
    const url = route('/smuggle.xml', (_req, res) => res.end(feedXml));
    expectOk(await open().fetch({ url, etag: '"v1"\r\nX-Injected: 1', lastModified: 'x\ny' }));
    const sent = seen.filter((s) => s.path === '/smuggle.xml').at(-1)!.headers;
    expect(sent['x-injected']).toBeUndefined();
    expect(sent['if-none-match']).toBeUndefined();
    expect(sent['if-modified-since']).toBeUndefined();
  });

  it('reports 429 as rate_limited with Retry-After in seconds or as an HTTP date', async () => {
    const seconds = route('/429s', (_req, res) => res.writeHead(429, { 'retry-after': '120' }).end());
    const date = route('/429d', (_req, res) =>
      res.writeHead(429, { 'retry-after': new Date(Date.now() + 90_000).toUTCString() }).end(),
    );
    const bySeconds = expectFailed(await open().fetch({ url: seconds }), 'rate_limited');
    expect(bySeconds).toMatchObject({ status: 429, retryAfterMs: 120_000 });
    expect(bySeconds.message).toMatch(/HTTP 429/);
    const byDate = expectFailed(await open().fetch({ url: date }), 'rate_limited');
    expect(byDate.retryAfterMs).toBeGreaterThan(85_000);
    expect(byDate.retryAfterMs).toBeLessThanOrEqual(90_000);
  });

  it('reports 503 as rate_limited, 410 as gone, 500 and 404 as http_status', async () => {
    route('/503', (_req, res) => res.writeHead(503, { 'retry-after': '30' }).end('busy'));
    route('/503-bare', (_req, res) => res.writeHead(503).end());
    route('/410', (_req, res) => res.writeHead(410).end('gone'));
    route('/500', (_req, res) => res.writeHead(500).end('oops'));
    const f = open();
    expect(await f.fetch({ url: `${base}/503` })).toMatchObject({
      kind: 'failed',
      reason: 'rate_limited',
      status: 503,
      retryAfterMs: 30_000,
    });
    expect(await f.fetch({ url: `${base}/503-bare` })).toMatchObject({
      reason: 'rate_limited',
      retryAfterMs: null,
    });
    expect(await f.fetch({ url: `${base}/410` })).toMatchObject({ reason: 'gone', status: 410 });
    expect(await f.fetch({ url: `${base}/500` })).toMatchObject({ reason: 'http_status', status: 500 });
    const missing = expectFailed(await f.fetch({ url: `${base}/nothing-here` }), 'http_status');
    expect(missing).toMatchObject({ status: 404, message: `HTTP 404 from ${base}/nothing-here` });
  });

  it('decompresses gzip, deflate (zlib and raw) and br bodies', async () => {
    const body = Buffer.from(feedXml.repeat(50));
    const encoders: Record<string, (b: Buffer) => Buffer> = {
      gzip: zlib.gzipSync,
      deflate: zlib.deflateSync,
      'deflate-raw': zlib.deflateRawSync,
      br: zlib.brotliCompressSync,
    };
    for (const [name, encode] of Object.entries(encoders)) {
      const url = route(`/enc-${name}`, (_req, res) => {
        res.writeHead(200, { 'content-encoding': name === 'deflate-raw' ? 'deflate' : name });
        res.end(encode(body));
      });
      const outcome = expectOk(await open().fetch({ url }));
      expect({ name, equal: outcome.body.equals(body), bytes: outcome.bytes }).toEqual({
        name,
        equal: true,
        bytes: body.length,
      });
    }
  });

  it('refuses an unknown Content-Encoding and a corrupt gzip body', async () => {
    route('/enc-compress', (_req, res) => res.writeHead(200, { 'content-encoding': 'compress' }).end('xx'));
    route('/enc-corrupt', (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end('not gzip'));
    const f = open();
    expect(
      expectFailed(await f.fetch({ url: `${base}/enc-compress` }), 'unsupported_encoding').message,
    ).toMatch(/compress/);
    expectFailed(await f.fetch({ url: `${base}/enc-corrupt` }), 'unsupported_encoding');
  });

  it('decodes windows-1252 and GBK from the header, the XML declaration or a BOM', async () => {
    const french = 'Droits antidumping – acier “laminé”';
    const chinese = '商务部公告 2026年第12号 关于对原产于欧盟的进口猪肉反倾销调查';
    route('/cp1252-header', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml; charset=windows-1252' });
      res.end(iconv.encode(`<?xml version="1.0"?><t>${french}</t>`, 'windows-1252'));
    });
    route('/gbk-decl', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(iconv.encode(`<?xml version="1.0" encoding="GB2312"?><t>${chinese}</t>`, 'gbk'));
    });
    route('/bom', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=iso-8859-1' });
      res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<t>${chinese}</t>`)]));
    });
    const f = open();
    const cp1252 = expectOk(await f.fetch({ url: `${base}/cp1252-header` }));
    expect(cp1252).toMatchObject({ charset: 'windows-1252', text: `<?xml version="1.0"?><t>${french}</t>` });
    const gbk = expectOk(await f.fetch({ url: `${base}/gbk-decl` }));
    expect(gbk.charset).toBe('gbk');
    expect(gbk.text).toContain(chinese);
    const bom = expectOk(await f.fetch({ url: `${base}/bom` }));
    expect(bom).toMatchObject({ charset: 'utf-8', text: `<t>${chinese}</t>`, charsetNote: null });
  });
});

describe('FeedFetcher: limits', () => {
  it('cuts off a server too slow to send headers', async () => {
    route('/hang', () => undefined);
    const started = Date.now();
    const outcome = expectFailed(
      await fetcher({ allowPrivateNetworks: true, totalTimeoutMs: 300 }).fetch({
        url: `${base}/hang`,
      }),
      'timeout',
    );
    expect(outcome.message).toMatch(/timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('closes the socket of a server that drips bytes forever (total timeout)', async () => {
    let socketClosed!: Promise<void>;
    route('/drip', (req, res) => {
      socketClosed = new Promise((resolve) => req.socket.once('close', () => resolve()));
      res.writeHead(200, { 'content-type': 'application/xml' });
      const drip = (): void => {
        if (res.destroyed) return;
        res.write('<');
        later(20, drip);
      };
      drip();
    });
    const started = Date.now();
    expectFailed(
      await fetcher({ allowPrivateNetworks: true, totalTimeoutMs: 400 }).fetch({ url: `${base}/drip` }),
      'timeout',
    );
    expect(Date.now() - started).toBeLessThan(1_500);
    await socketClosed; // the server sees its socket closed: the fetcher really hung up
  });

  it('bounds DNS lookup plus connect by the connect timeout', async () => {
    const slowLookup = (): Promise<{ address: string; family: 4 | 6 }[]> =>
      new Promise((resolve) => later(1_500, () => resolve([{ address: '127.0.0.1', family: 4 }])));
    const started = Date.now();
    const outcome = await fetcher({
      allowPrivateNetworks: true,
      lookup: slowLookup,
      connectTimeoutMs: 200,
      totalTimeoutMs: 5_000,
    }).fetch({ url: `http://slow-dns.example.test:${port}/feed.xml` });
    expect(expectFailed(outcome, 'timeout').message).toMatch(/connect/i);
    expect(Date.now() - started).toBeLessThan(1_200);
  });

  it('refuses a body over the cap, with or without Content-Length', async () => {
    route('/big', (_req, res) =>
      res.writeHead(200, { 'content-length': 5_000 }).end(Buffer.alloc(5_000, 'a')),
    );
    route('/big-chunked', (_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 5; i++) res.write(Buffer.alloc(1_000, 'a'));
      res.end();
    });
    const f = fetcher({ allowPrivateNetworks: true, maxBodyBytes: 4_096 });
    expect(expectFailed(await f.fetch({ url: `${base}/big` }), 'too_large').message).toMatch(/4096 bytes/);
    expectFailed(await f.fetch({ url: `${base}/big-chunked` }), 'too_large');
    expectOk(
      await fetcher({ allowPrivateNetworks: true, maxBodyBytes: 5_000 }).fetch({ url: `${base}/big` }),
    );
  });

  it('refuses a gzip bomb and a br bomb (50 MB of zeros) with the default 10 MiB cap', async () => {
    const zeros = Buffer.alloc(50 * 1024 * 1024);
    const gzipBomb = zlib.gzipSync(zeros, { level: 9 });
    const brBomb = zlib.brotliCompressSync(zeros, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } });
    expect(gzipBomb.length).toBeLessThan(100_000);
    route('/gzip-bomb', (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipBomb));
    route('/br-bomb', (_req, res) => res.writeHead(200, { 'content-encoding': 'br' }).end(brBomb));
    const f = fetcher({ allowPrivateNetworks: true });
    const started = Date.now();
    expect(expectFailed(await f.fetch({ url: `${base}/gzip-bomb` }), 'too_large').message).toMatch(
      /after decompression/,
    );
    expectFailed(await f.fetch({ url: `${base}/br-bomb` }), 'too_large');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('limits concurrent requests per host', async () => {
    let inFlight = 0;
    let peak = 0;
    route('/slow-ok', (_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      later(60, () => {
        inFlight--;
        res.end(feedXml);
      });
    });
    const f = fetcher({ allowPrivateNetworks: true, maxConcurrentPerHost: 2 });
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => f.fetch({ url: `${base}/slow-ok` })));
    expect(outcomes.every((o) => o.kind === 'ok')).toBe(true);
    expect(peak).toBe(2);
  });
});

describe('FeedFetcher: redirects', () => {
  const redirect = (path: string, to: string | ((url: URL) => string), status = 302): string =>
    route(path, (_req, res, url) =>
      res.writeHead(status, { location: typeof to === 'string' ? to : to(url) }).end(),
    );
  const guarded = (): FeedFetcher => fetcher({ isAllowedAddress: onlyTestServer, lookup });

  it('follows relative and absolute redirects and reports a permanent one', async () => {
    route('/feeds/current.xml', (_req, res) => res.end(feedXml));
    redirect('/feeds/old/index.xml', '../current.xml', 301);
    redirect('/legacy', `http://feeds.example.test:${port}/feeds/old/index.xml`, 308);
    redirect('/temporary', '/feeds/current.xml', 302);
    redirect('/perm-then-temp', '/temporary', 301);
    const f = guarded();

    const relative = expectOk(await f.fetch({ url: `${base}/feeds/old/index.xml` }));
    expect(relative).toMatchObject({
      finalUrl: `${base}/feeds/current.xml`,
      permanentRedirectTo: `${base}/feeds/current.xml`,
      text: feedXml,
    });
    const twoPermanent = expectOk(await f.fetch({ url: `${base}/legacy` }));
    expect(twoPermanent.finalUrl).toBe(`http://feeds.example.test:${port}/feeds/current.xml`);
    expect(twoPermanent.permanentRedirectTo).toBe(`http://feeds.example.test:${port}/feeds/current.xml`);
    expect(expectOk(await f.fetch({ url: `${base}/temporary` })).permanentRedirectTo).toBeNull();
    expect(expectOk(await f.fetch({ url: `${base}/perm-then-temp` })).permanentRedirectTo).toBe(
      `${base}/temporary`,
    );
  });

  it('detects a redirect loop', async () => {
    redirect('/loop-a', '/loop-b');
    redirect('/loop-b', '/loop-a');
    const outcome = expectFailed(await guarded().fetch({ url: `${base}/loop-a` }), 'redirect_loop');
    expect(outcome.message).toContain('/loop-a');
  });

  it('follows at most 5 redirects', async () => {
    redirect('/hop', (url) => {
      const n = Number(url.searchParams.get('n') ?? 0);
      return n >= Number(url.searchParams.get('end'))
        ? '/feeds/current.xml'
        : `/hop?n=${n + 1}&end=${url.searchParams.get('end')}`;
    });
    route('/feeds/current.xml', (_req, res) => res.end(feedXml));
    const f = guarded();
    // /hop?n=0 ... n=4 redirect five times (the fifth to the feed): allowed.
    expectOk(await f.fetch({ url: `${base}/hop?n=0&end=4` }));
    const tooMany = expectFailed(await f.fetch({ url: `${base}/hop?n=0&end=5` }), 'too_many_redirects');
    expect(tooMany.message).toMatch(/more than 5 redirects/);
    expectFailed(
      await fetcher({ isAllowedAddress: onlyTestServer, maxRedirects: 0 }).fetch({
        url: `${base}/temporary`,
      }),
      'too_many_redirects',
    );
  });

  it('refuses a redirect to a non-http scheme', async () => {
    redirect('/to-file', 'file:///etc/passwd');
    redirect('/to-gopher', 'gopher://127.0.0.1:70/');
    expect(expectFailed(await guarded().fetch({ url: `${base}/to-file` }), 'bad_url').message).toMatch(
      /file:/,
    );
    expectFailed(await guarded().fetch({ url: `${base}/to-gopher` }), 'bad_url');
  });

  it.each([
    ['the metadata service', 'http://169.254.169.254/latest/meta-data/'],
    ['a private address', 'http://10.0.0.1/feed.xml'],
    ['another loopback address', `http://127.0.0.2:PORT/feed.xml`],
    ['an IPv4-mapped IPv6 loopback', `http://[::ffff:127.0.0.1]:PORT/feed.xml`],
    ['an IPv4-mapped IPv6 in hex', `http://[::ffff:7f00:2]:PORT/feed.xml`],
    ['IPv6 loopback', `http://[::1]:PORT/feed.xml`],
    ['the EC2 IPv6 metadata address', 'http://[fd00:ec2::254]/'],
    ['a name resolving to a private address', 'http://private.example.test/feed.xml'],
    ['a name resolving to the metadata service', 'http://metadata.example.test/'],
    ['a name resolving to IPv4-mapped loopback', `http://mapped.example.test:PORT/`],
    ['a name resolving to carrier-grade NAT', 'http://cgnat.example.test/'],
    ['a name with one public and one private answer', `http://mixed.example.test:PORT/`],
  ])('refuses a redirect to %s before connecting', async (_name, target) => {
    const to = target.replace('PORT', String(port));
    const path = `/redirect-${encodeURIComponent(to)}`;
    redirect(path, to);
    const before = connections;
    const outcome = expectFailed(await guarded().fetch({ url: `${base}${path}` }), 'forbidden_address');
    expect(outcome.message).toMatch(/refused to connect/);
    expect(outcome.status).toBeNull();
    expect(connections).toBe(before + 1); // only the connection that served the redirect
  });
});

describe('FeedFetcher: SSRF guard', () => {
  it.each([
    'http://127.0.0.1:PORT/feed.xml',
    'http://2130706433:PORT/feed.xml',
    'http://0x7f000001:PORT/feed.xml',
    'http://0177.0.0.1:PORT/feed.xml',
    'http://127.1:PORT/feed.xml',
    'http://127.0.0.1.:PORT/feed.xml',
    'http://[::ffff:127.0.0.1]:PORT/feed.xml',
    'http://[::ffff:7f00:1]:PORT/feed.xml',
    'http://[0:0:0:0:0:ffff:127.0.0.1]:PORT/feed.xml',
    'http://[::127.0.0.1]:PORT/feed.xml',
    'http://[::1]:PORT/feed.xml',
    'http://0.0.0.0:PORT/feed.xml',
    'http://0:PORT/feed.xml',
    'http://[::]:PORT/feed.xml',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'http://[fe80::1]/',
    'http://100.64.0.1/',
    'http://192.168.1.1/',
    'http://172.16.0.1/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'https://10.0.0.1/',
  ])('refuses %s by default, before any connection', async (template) => {
    const before = connections;
    const outcome = await fetcher({}).fetch({ url: template.replace('PORT', String(port)) });
    expectFailed(outcome, 'forbidden_address');
    expect(connections).toBe(before);
  });

  it('refuses names that resolve to loopback through the real resolver (localhost)', async () => {
    const before = connections;
    expectFailed(await fetcher({}).fetch({ url: `http://localhost:${port}/feed.xml` }), 'forbidden_address');
    expect(connections).toBe(before);
  });

  it('checks DNS answers on every new connection (DNS rebinding)', async () => {
    route('/rebind.xml', (_req, res) => res.writeHead(200, { connection: 'close' }).end(feedXml));
    const f = fetcher({ isAllowedAddress: onlyTestServer, lookup });
    const url = `http://rebind.example.test:${port}/rebind.xml`;
    rebindCount = 0;
    const before = lookups.filter((h) => h === 'rebind.example.test').length;
    expectOk(await f.fetch({ url }));
    const second = expectFailed(await f.fetch({ url }), 'forbidden_address');
    expect(second.message).toContain('10.0.0.1');
    expect(lookups.filter((h) => h === 'rebind.example.test').length - before).toBe(2);
  });

  it('allows loopback when allowPrivateNetworks is set', async () => {
    route('/feed.xml', (_req, res) => res.end(feedXml));
    expectOk(
      await fetcher({ allowPrivateNetworks: true }).fetch({ url: `http://2130706433:${port}/feed.xml` }),
    );
    expectOk(
      await fetcher({ allowPrivateNetworks: true }).fetch({ url: `http://localhost:${port}/feed.xml` }),
    );
  });
});

describe('FeedFetcher: never throws', () => {
  it('turns bad URLs, DNS and connection failures and use after close into outcomes', async () => {
    const f = fetcher({ allowPrivateNetworks: true, lookup });
    expectFailed(await f.fetch({ url: 'not a url' }), 'bad_url');
    expectFailed(await f.fetch({ url: 'ftp://example.org/feed.xml' }), 'bad_url');
    expect(expectFailed(await f.fetch({ url: 'http://nowhere.example.test/' }), 'dns').message).toMatch(
      /nowhere\.example\.test/,
    );
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expectFailed(await f.fetch({ url: `http://127.0.0.1:${closedPort}/` }), 'connection');
    await f.close();
    expect(expectFailed(await f.fetch({ url: `${base}/feed.xml` }), 'connection').message).toMatch(/closed/);
  });
});
