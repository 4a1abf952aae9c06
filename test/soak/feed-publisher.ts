// The soak's feed server: many feeds on loopback that keep publishing new items (texts from the
// labelled classifier corpus, so the classifier labels them and subscriptions match), a few that are
// always broken, and a fault switch that makes a good feed answer garbage or 429 for a while.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Random } from './seeded-random';

export type FeedFormat = 'rss' | 'atom' | 'json' | 'garbage' | 'http500';
export type FeedFault = 'garbage' | 'rate-limited';

interface CorpusText {
  title: string;
  summary: string;
}

export interface PublishedItem {
  feedId: string;
  seq: number;
  title: string;
  summary: string;
  url: string;
  guid: string;
  publishedAt: string;
}

interface PublishedFeed {
  feedId: string;
  format: FeedFormat;
  items: PublishedItem[];
  fault: { kind: FeedFault; until: number } | null;
}

/** A feed document holds the newest items only, as real feeds do; old ones fall off. */
const WINDOW = 100;
/** The JSON feeds' mapping (the `json` kind needs one). */
export const JSON_MAPPING = {
  itemsPath: 'results',
  id: 'id',
  title: 'title',
  link: 'url',
  date: 'date',
  summary: 'summary',
};

function corpus(): CorpusText[] {
  const dir = join(__dirname, '..', 'fixtures', 'classifier');
  return ['dev.jsonl', 'test.jsonl'].flatMap((file) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { title: string; summary?: string; labels?: { friction?: boolean } })
      // Friction texts only: they are what subscriptions follow, so alerts and mails flow.
      .filter((t) => t.labels?.friction !== false)
      .map((t) => ({ title: t.title, summary: t.summary ?? '' })),
  );
}

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export class FeedPublisher {
  private readonly feeds: PublishedFeed[] = [];
  private readonly texts = corpus();
  private readonly server: Server;
  private publishing: NodeJS.Timeout | null = null;
  port = 0;
  /** Every item ever published, by url. */
  readonly published = new Map<string, PublishedItem>();
  requests = 0;

  constructor(
    formats: FeedFormat[],
    private readonly random: Random,
  ) {
    formats.forEach((format, n) => this.feeds.push({ feedId: `soak-${n}`, format, items: [], fault: null }));
    this.server = createServer((request, response) => {
      this.requests += 1;
      const match = /^\/feeds\/(soak-\d+)$/.exec((request.url ?? '').split('?')[0]);
      const feed = match ? this.feeds.find((f) => f.feedId === match[1]) : undefined;
      if (!feed) {
        response.writeHead(404).end();
        return;
      }
      const now = Date.now();
      if (feed.fault && feed.fault.until <= now) feed.fault = null;
      if (feed.fault?.kind === 'rate-limited') {
        response.writeHead(429, { 'retry-after': '20', 'content-type': 'text/plain' }).end('slow down');
        return;
      }
      if (feed.fault?.kind === 'garbage' || feed.format === 'garbage') {
        response
          .writeHead(200, { 'content-type': 'application/rss+xml' })
          .end('<rss><channel><item>\u0000\u0007 not a feed');
        return;
      }
      if (feed.format === 'http500') {
        response.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      }
      const etag = `"${feed.feedId}-${feed.items.length}"`;
      if (request.headers['if-none-match'] === etag) {
        response.writeHead(304, { etag }).end();
        return;
      }
      const [type, body] = this.render(feed);
      response.writeHead(200, { 'content-type': type, etag }).end(body);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The feeds to register: id, url, kind. */
  list(): { feedId: string; url: string; kind: 'rss' | 'json'; format: FeedFormat }[] {
    return this.feeds.map((f) => ({
      feedId: f.feedId,
      url: `http://127.0.0.1:${this.port}/feeds/${f.feedId}`,
      kind: f.format === 'json' ? 'json' : 'rss',
      format: f.format,
    }));
  }

  /** Publishes on every good feed at random, about one item per `meanSeconds` each. */
  startPublishing(meanSeconds: number): void {
    const good = this.feeds.filter((f) => f.format !== 'garbage' && f.format !== 'http500');
    this.publishing = setInterval(() => {
      for (const feed of good) if (this.random.next() < 1 / meanSeconds) this.publish(feed);
    }, 1000);
  }

  stopPublishing(): void {
    if (this.publishing) clearInterval(this.publishing);
    this.publishing = null;
  }

  /** A good feed, chosen at random, answers garbage or 429 + Retry-After for `ms`. */
  injectFault(kind: FeedFault, ms: number): string {
    const good = this.feeds.filter((f) => f.format !== 'garbage' && f.format !== 'http500' && !f.fault);
    const feed = this.random.pick(good);
    feed.fault = { kind, until: Date.now() + ms };
    return feed.feedId;
  }

  async stop(): Promise<void> {
    this.stopPublishing();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private publish(feed: PublishedFeed): void {
    const seq = feed.items.length;
    const text = this.random.pick(this.texts);
    const item: PublishedItem = {
      feedId: feed.feedId,
      seq,
      title: `${text.title} (${feed.feedId} no. ${seq})`,
      summary: text.summary,
      url: `https://soak.example.test/${feed.feedId}/items/${seq}`,
      guid: `urn:soak:${feed.feedId}:${seq}`,
      publishedAt: new Date().toISOString(),
    };
    feed.items.push(item);
    this.published.set(item.url, item);
  }

  private render(feed: PublishedFeed): [string, string] {
    const items = feed.items.slice(-WINDOW).reverse();
    const self = `http://127.0.0.1:${this.port}/feeds/${feed.feedId}`;
    if (feed.format === 'json') {
      const results = items.map((i) => ({
        id: i.guid,
        title: i.title,
        url: i.url,
        date: i.publishedAt,
        summary: i.summary,
      }));
      return ['application/json', JSON.stringify({ count: results.length, results })];
    }
    if (feed.format === 'atom') {
      const entries = items
        .map(
          (i) =>
            `<entry><title>${xml(i.title)}</title><link href="${xml(i.url)}"/><id>${xml(i.guid)}</id><updated>${i.publishedAt}</updated><summary>${xml(i.summary)}</summary></entry>`,
        )
        .join('');
      return [
        'application/atom+xml; charset=utf-8',
        `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Soak ${feed.feedId}</title><id>${xml(self)}</id><updated>${new Date().toISOString()}</updated>${entries}</feed>`,
      ];
    }
    const entries = items
      .map(
        (i) =>
          `<item><title>${xml(i.title)}</title><link>${xml(i.url)}</link><guid>${xml(i.guid)}</guid><pubDate>${new Date(i.publishedAt).toUTCString()}</pubDate><description>${xml(i.summary)}</description></item>`,
      )
      .join('');
    return [
      'application/rss+xml; charset=utf-8',
      `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Soak ${feed.feedId}</title><link>${xml(self)}</link><description>soak</description>${entries}</channel></rss>`,
    ];
  }
}
