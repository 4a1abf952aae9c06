import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { Agent, buildConnector } from 'undici';
import type { IncomingHttpHeaders } from 'undici/types/header';
import { canonicalIpAddress, isForbiddenAddress } from './address-policy';
import { decodeFeedBytes } from './decode-feed-bytes';
import type { FetchFailureReason, FetchOutcome, FetcherOptions, FetchRequest } from './fetcher.types';
import { HostSemaphore } from './host-semaphore';
import { parseRetryAfter } from './retry-after';

export const DEFAULT_USER_AGENT = 'frictionwatch/0.1 (+https://github.com/frictionwatch/frictionwatch)';

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, ' +
  'text/xml;q=0.9, application/json;q=0.8, text/html;q=0.7, */*;q=0.5';

/** A failure with its reason; thrown inside the fetcher only, always turned into an outcome. */
class FetchFailure extends Error {
  constructor(
    readonly reason: FetchFailureReason,
    message: string,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** Raised by the connect path (literal or DNS answer) before any socket is opened. */
class ForbiddenAddressError extends Error {
  readonly code = 'FW_FORBIDDEN_ADDRESS';
  constructor(address: string, hostname: string) {
    super(
      address === hostname
        ? `refused to connect to ${address}: private, loopback or reserved address`
        : `refused to connect to ${hostname}: it resolves to ${address}, a private, loopback or reserved address`,
    );
  }
}

class DnsError extends Error {
  readonly code = 'FW_DNS';
}

type Resolved = { address: string; family: 4 | 6 }[];

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** Drops a response body we do not want (closing its socket if unread); never an unhandled error. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

function isHeaderValue(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 1024 && /^[\t\x20-\x7e\x80-\xff]*$/.test(value);
}

function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** Raw deflate or zlib-wrapped deflate, told apart by the first two bytes (servers send both). */
function createDeflateDecoder(): Transform {
  let inner: zlib.Inflate | zlib.InflateRaw | null = null;
  const outer: Transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (!inner) {
        const zlibWrapped =
          chunk.length >= 2 && (chunk[0]! & 0x0f) === 8 && ((chunk[0]! << 8) | chunk[1]!) % 31 === 0;
        inner = zlibWrapped ? zlib.createInflate() : zlib.createInflateRaw();
        inner.on('data', (data: Buffer) => outer.push(data));
        inner.on('error', (error) => outer.destroy(error));
      }
      inner.write(chunk, () => callback());
    },
    flush(callback) {
      if (!inner) return callback();
      inner.once('end', () => callback());
      inner.end();
    },
    destroy(error, callback) {
      inner?.destroy();
      callback(error);
    },
  });
  return outer;
}

function decodersFor(contentEncoding: string | null): Transform[] {
  if (!contentEncoding) return [];
  const codings = contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  // Codings are listed in the order they were applied; undo them in reverse.
  return codings.reverse().map((coding) => {
    switch (coding) {
      case 'gzip':
      case 'x-gzip':
        return zlib.createGunzip();
      case 'deflate':
        return createDeflateDecoder();
      case 'br':
        return zlib.createBrotliDecompress();
      default:
        throw new FetchFailure('unsupported_encoding', `unsupported Content-Encoding "${coding}"`);
    }
  });
}

/** Duck-typed: errors from another realm (Node core seen from a Jest sandbox) fail `instanceof Error`. */
function isErrorLike(value: unknown): value is { message: string; code?: unknown; cause?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Maps any error met while fetching to a reason and a clear message. */
function classify(error: unknown, timedOut: string | null): { reason: FetchFailureReason; message: string } {
  if (timedOut !== null) return { reason: 'timeout', message: timedOut };
  let current: unknown = error;
  for (let depth = 0; depth < 5 && isErrorLike(current); depth++) {
    if (current instanceof FetchFailure) return { reason: current.reason, message: current.message };
    if (current instanceof ForbiddenAddressError)
      return { reason: 'forbidden_address', message: current.message };
    const code = (current as { code?: unknown }).code;
    switch (code) {
      case 'FW_DNS':
        return { reason: 'dns', message: current.message };
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
      case 'EAI_NODATA':
      case 'EAI_FAIL':
      case 'ENODATA':
        return { reason: 'dns', message: `DNS lookup failed: ${current.message}` };
      case 'UND_ERR_CONNECT_TIMEOUT':
        return { reason: 'timeout', message: `connect timeout: ${current.message}` };
      case 'UND_ERR_HEADERS_TIMEOUT':
        return { reason: 'timeout', message: 'timed out waiting for response headers' };
      case 'UND_ERR_BODY_TIMEOUT':
        return { reason: 'timeout', message: 'timed out waiting for the response body' };
      case 'ERR_INVALID_URL':
        return { reason: 'bad_url', message: current.message };
      default:
        if (typeof code === 'string' && code.startsWith('Z_')) {
          return { reason: 'unsupported_encoding', message: `corrupt compressed body: ${current.message}` };
        }
    }
    current = (current as { cause?: unknown }).cause;
  }
  const message = isErrorLike(error) ? error.message : String(error);
  return { reason: 'connection', message: `connection failed: ${message}` };
}

/**
 * Fetches a feed's bytes safely: timeouts, body cap after decompression, redirects followed by hand
 * with the SSRF guard on every hop and every connection, conditional GET, per-host concurrency.
 * `fetch` never throws: every failure is an outcome with a reason and a message.
 */
export class FeedFetcher {
  private readonly userAgent: string;
  private readonly connectTimeoutMs: number;
  private readonly totalTimeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly maxRedirects: number;
  private readonly allowed: (address: string, hostname: string) => boolean;
  private readonly resolve: (hostname: string) => Promise<Resolved>;
  private readonly semaphore: HostSemaphore;
  private readonly agent: Agent;
  private closed = false;

  constructor(options: FetcherOptions = {}) {
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.totalTimeoutMs = options.totalTimeoutMs ?? 30_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
    this.maxRedirects = options.maxRedirects ?? 5;
    const policy = options.isAllowedAddress ?? ((address: string) => !isForbiddenAddress(address));
    this.allowed = options.allowPrivateNetworks ? () => true : policy;
    this.resolve =
      options.lookup ??
      (async (hostname) =>
        (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => ({
          address: entry.address,
          family: entry.family === 6 ? 6 : 4,
        })));
    this.semaphore = new HostSemaphore(Math.max(1, options.maxConcurrentPerHost ?? 4));

    const baseConnect = buildConnector({ timeout: this.connectTimeoutMs, lookup: this.guardedLookup });
    this.agent = new Agent({
      headersTimeout: this.totalTimeoutMs,
      bodyTimeout: this.totalTimeoutMs,
      // Every socket goes through here: an IP literal is checked, a name is resolved by guardedLookup.
      connect: (connectOptions, callback) => {
        const host = bareHost(connectOptions.hostname);
        if (isIP(host) !== 0 && !this.allowed(host, host)) {
          callback(new ForbiddenAddressError(host, host), null);
          return;
        }
        baseConnect(connectOptions, callback);
      },
    });
  }

  /**
   * The DNS lookup used by the socket itself (net.connect's `lookup`): every answer is checked on every
   * new connection, so a name that re-resolves to a private address (DNS rebinding) is refused.
   */
  private readonly guardedLookup: LookupFunction = (hostname, options: LookupOptions, callback) => {
    this.checkedAnswers(hostname, options.family)
      .then(
        (usable) => {
          if (options.all) callback(null, usable);
          else callback(null, usable[0]!.address, usable[0]!.family);
        },
        (error: unknown) => {
          const failure =
            isErrorLike(error) && typeof error.code === 'string'
              ? (error as NodeJS.ErrnoException)
              : new DnsError(
                  `DNS lookup of ${hostname} failed: ${isErrorLike(error) ? error.message : String(error)}`,
                );
          callback(failure, '');
        },
      )
      .catch(() => undefined); // net's own callback threw: the socket reports it, nothing to add here
  };

  /** Resolves a name and refuses the lot if any answer is not allowed (fail closed on mixed answers). */
  private async checkedAnswers(
    hostname: string,
    requested: LookupOptions['family'],
  ): Promise<LookupAddress[]> {
    const answers = await this.resolve(hostname);
    if (answers.length === 0) throw new DnsError(`DNS lookup of ${hostname} returned no address`);
    for (const answer of answers) {
      if (!this.allowed(answer.address, hostname)) throw new ForbiddenAddressError(answer.address, hostname);
    }
    const family =
      requested === 4 || requested === 'IPv4' ? 4 : requested === 6 || requested === 'IPv6' ? 6 : 0;
    const usable = family === 0 ? answers : answers.filter((answer) => answer.family === family);
    if (usable.length === 0) throw new DnsError(`DNS lookup of ${hostname} returned no IPv${family} address`);
    return usable;
  }

  async fetch(request: FetchRequest): Promise<FetchOutcome> {
    const started = performance.now();
    const durationMs = (): number => Math.round(performance.now() - started);
    const controller = new AbortController();
    let timedOut: string | null = null;
    const timer = setTimeout(() => {
      timedOut = `timed out after ${this.totalTimeoutMs} ms (total timeout)`;
      controller.abort(new FetchFailure('timeout', timedOut));
    }, this.totalTimeoutMs);
    try {
      return await this.fetchFollowingRedirects(request, controller.signal, durationMs);
    } catch (error: unknown) {
      const { reason, message } = classify(error, timedOut);
      return {
        kind: 'failed',
        url: request.url,
        reason,
        message,
        status: error instanceof FetchFailure ? error.status : null,
        retryAfterMs: error instanceof FetchFailure ? error.retryAfterMs : null,
        durationMs: durationMs(),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), 1_000);
    });
    try {
      const result = await Promise.race([this.agent.close().then(() => 'closed' as const), grace]);
      if (result === 'timeout') await this.agent.destroy();
    } catch {
      // Closing twice or with requests in flight: nothing left to do.
    } finally {
      clearTimeout(timer);
    }
  }

  private checkUrl(raw: unknown): URL {
    let url: URL;
    try {
      url = new URL(String(raw));
    } catch {
      throw new FetchFailure('bad_url', `not a valid URL: ${JSON.stringify(String(raw).slice(0, 200))}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new FetchFailure('bad_url', `unsupported URL scheme "${url.protocol}" (http and https only)`);
    }
    if (url.hostname === '') throw new FetchFailure('bad_url', `URL without a host: ${raw}`);
    // A literal address (the URL parser has normalised 2130706433, 0x7f000001, 127.1, [::ffff:…]) is
    // judged here, before anything is dispatched; the connector checks it again.
    const literal = canonicalIpAddress(bareHost(url.hostname));
    if (isIP(bareHost(url.hostname)) !== 0 && literal !== null && !this.allowed(literal, literal)) {
      throw new ForbiddenAddressError(literal, literal);
    }
    url.hash = '';
    return url;
  }

  private async fetchFollowingRedirects(
    request: FetchRequest,
    signal: AbortSignal,
    durationMs: () => number,
  ): Promise<FetchOutcome> {
    if (this.closed) throw new FetchFailure('connection', 'the fetcher is closed');
    let url = this.checkUrl(request.url);
    const visited = new Set<string>([url.href]);
    let redirects = 0;
    let permanentChain = true;
    let permanentRedirectTo: string | null = null;

    for (;;) {
      const release = await this.semaphore.acquire(url.host, signal);
      try {
        let response: Awaited<ReturnType<Agent['request']>>;
        try {
          response = await this.agent.request({
            origin: url.origin,
            path: `${url.pathname}${url.search}`,
            method: 'GET',
            headers: this.requestHeaders(request),
            signal,
          });
        } catch (error: unknown) {
          if (redirects === 0 || signal.aborted) throw error;
          const { reason, message } = classify(error, null);
          throw new FetchFailure(reason, `after a redirect to ${url.href}: ${message}`);
        }
        const { statusCode: status, headers, body } = response;

        if ([301, 302, 303, 307, 308].includes(status) && header(headers, 'location') !== null) {
          discard(body);
          const location = header(headers, 'location')!;
          let next: URL;
          try {
            next = this.checkUrl(new URL(location, url).href);
          } catch (error: unknown) {
            // The status stays null: no response came from the refused target.
            if (error instanceof FetchFailure || error instanceof ForbiddenAddressError) {
              throw new FetchFailure(
                error instanceof FetchFailure ? error.reason : 'forbidden_address',
                `redirect from ${url.href} to ${location.slice(0, 200)}: ${error.message}`,
              );
            }
            throw new FetchFailure('bad_url', `redirect to an invalid Location ${JSON.stringify(location)}`);
          }
          if (visited.has(next.href)) {
            throw new FetchFailure(
              'redirect_loop',
              `redirect loop: ${url.href} leads back to ${next.href}`,
              status,
            );
          }
          if (redirects >= this.maxRedirects) {
            throw new FetchFailure(
              'too_many_redirects',
              `more than ${this.maxRedirects} redirects (last: ${url.href} -> ${next.href})`,
              status,
            );
          }
          redirects++;
          visited.add(next.href);
          if (permanentChain && (status === 301 || status === 308)) permanentRedirectTo = next.href;
          else permanentChain = false;
          url = next;
          continue;
        }

        if (status === 304) {
          discard(body);
          return {
            kind: 'not_modified',
            status: 304,
            url: request.url,
            etag: header(headers, 'etag') ?? request.etag ?? null,
            lastModified: header(headers, 'last-modified') ?? request.lastModified ?? null,
            durationMs: durationMs(),
          };
        }

        if (status < 200 || status >= 300) {
          discard(body);
          throw this.statusFailure(status, url, headers);
        }

        const buffer = await this.readBody(body, headers, signal);
        const contentType = header(headers, 'content-type');
        const decoded = decodeFeedBytes(buffer, contentType);
        return {
          kind: 'ok',
          status,
          url: request.url,
          finalUrl: url.href,
          permanentRedirectTo,
          body: buffer,
          text: decoded.text,
          charset: decoded.charset,
          charsetNote: decoded.note ?? null,
          contentType,
          etag: header(headers, 'etag'),
          lastModified: header(headers, 'last-modified'),
          durationMs: durationMs(),
          bytes: buffer.length,
        };
      } finally {
        release();
      }
    }
  }

  private requestHeaders(request: FetchRequest): Record<string, string> {
    const headers: Record<string, string> = {
      'user-agent': this.userAgent,
      accept: ACCEPT,
      'accept-encoding': 'gzip, deflate, br',
    };
    // Stored validators came from a server: never let one smuggle a header (CR, LF or other controls).
    if (request.etag && isHeaderValue(request.etag)) headers['if-none-match'] = request.etag;
    if (request.lastModified && isHeaderValue(request.lastModified)) {
      headers['if-modified-since'] = request.lastModified;
    }
    return headers;
  }

  private statusFailure(status: number, url: URL, headers: IncomingHttpHeaders): FetchFailure {
    if (status === 429 || status === 503) {
      const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'));
      const wait = retryAfterMs === null ? '' : ` (retry after ${Math.ceil(retryAfterMs / 1000)} s)`;
      return new FetchFailure('rate_limited', `HTTP ${status} from ${url.href}${wait}`, status, retryAfterMs);
    }
    if (status === 410) return new FetchFailure('gone', `HTTP 410 Gone: ${url.href} was removed`, status);
    if (status >= 300 && status < 400) {
      return new FetchFailure(
        'http_status',
        `HTTP ${status} from ${url.href} without a usable Location`,
        status,
      );
    }
    return new FetchFailure('http_status', `HTTP ${status} from ${url.href}`, status);
  }

  /** Reads the body through its decoders, counting bytes after decompression against the cap. */
  private async readBody(body: Readable, headers: IncomingHttpHeaders, signal: AbortSignal): Promise<Buffer> {
    const limit = this.maxBodyBytes;
    const tooLarge = (): FetchFailure =>
      new FetchFailure('too_large', `body larger than ${limit} bytes (after decompression)`);
    let decoders: Transform[];
    try {
      decoders = decodersFor(header(headers, 'content-encoding'));
    } catch (error) {
      discard(body);
      throw error;
    }
    const declared = Number(header(headers, 'content-length'));
    if (decoders.length === 0 && Number.isFinite(declared) && declared > limit) {
      discard(body);
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        total += chunk.length;
        if (total > limit) return callback(tooLarge());
        chunks.push(chunk);
        callback();
      },
    });
    await pipeline([body, ...decoders, sink], { signal });
    return Buffer.concat(chunks, total);
  }
}
