export interface FetcherOptions {
  /** Default 'frictionwatch/0.1 (+https://github.com/frictionwatch/frictionwatch)'. */
  userAgent?: string;
  /** Bound on DNS lookup plus TCP (and TLS) connect; undici's connect timer ticks at ~0.5 s. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Bound on the whole fetch, redirects and body included; the socket is really closed. Default 30 000 ms. */
  totalTimeoutMs?: number;
  /** Largest body, counted after decompression (a gzip bomb is refused). Default 10 MiB. */
  maxBodyBytes?: number;
  /** Redirects followed (http/https only, every hop checked by the SSRF guard). Default 5. */
  maxRedirects?: number;
  /** Allow private, loopback, link-local, ... addresses (tests and demos). Default false. */
  allowPrivateNetworks?: boolean;
  /** Concurrent requests per host (host:port). Default 4. */
  maxConcurrentPerHost?: number;
  /** DNS resolution, injectable for tests. Default: `dns.lookup` with all addresses. */
  lookup?: (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>;
  /**
   * The SSRF policy, consulted at connect time for every address a connection would use (literal or
   * resolved). Default: refuse what `isForbiddenAddress` refuses. Ignored when `allowPrivateNetworks`.
   */
  isAllowedAddress?: (address: string, hostname: string) => boolean;
}

export interface FetchRequest {
  url: string;
  etag?: string | null;
  lastModified?: string | null;
}

export type FetchFailureReason =
  | 'timeout'
  | 'too_large'
  | 'too_many_redirects'
  | 'redirect_loop'
  | 'forbidden_address'
  | 'bad_url'
  | 'dns'
  | 'connection'
  | 'http_status'
  | 'rate_limited'
  | 'gone'
  | 'unsupported_encoding';

export interface FetchOk {
  kind: 'ok';
  status: number;
  url: string;
  finalUrl: string;
  /** Where an unbroken chain of 301/308 redirects from `url` led; null when the first hop was not permanent. */
  permanentRedirectTo: string | null;
  body: Buffer;
  /** The body decoded (see `decodeFeedBytes`), characters illegal in XML stripped. */
  text: string;
  charset: string;
  /** Set when the declared charset was unknown and a fallback was used. */
  charsetNote: string | null;
  contentType: string | null;
  etag: string | null;
  lastModified: string | null;
  durationMs: number;
  /** Body bytes after decompression. */
  bytes: number;
}

export interface FetchNotModified {
  kind: 'not_modified';
  status: 304;
  url: string;
  etag: string | null;
  lastModified: string | null;
  durationMs: number;
}

export interface FetchFailed {
  kind: 'failed';
  url: string;
  reason: FetchFailureReason;
  message: string;
  status: number | null;
  retryAfterMs: number | null;
  durationMs: number;
}

export type FetchOutcome = FetchOk | FetchNotModified | FetchFailed;
