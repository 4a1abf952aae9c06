import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEMO_DIR, readDemoFeeds } from './demo-feeds';

/** Loopback only: the demo's fetcher is allowed 127.0.0.1 and nothing else private. */
export const DEMO_FEEDS_HOST = '127.0.0.1';

/**
 * Serves the recorded snapshots of seeds/demo/feeds, each at `/<file>` with its content type and an
 * ETag (a matching If-None-Match gets 304, as real publishers answer a conditional GET). Anything else
 * is a 404. Files are read once, at start.
 */
export class DemoFeedServer {
  private server: Server | null = null;
  port = 0;

  async start(port: number, dir: string = DEMO_DIR): Promise<this> {
    const routes = new Map(
      readDemoFeeds(dir).map((feed) => {
        const body = readFileSync(join(dir, 'feeds', feed.file));
        const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
        return [`/${feed.file}` as string, { body, etag, contentType: feed.contentType }] as const;
      }),
    );
    const server = createServer((request, response) => {
      const route = routes.get((request.url ?? '/').split('?')[0]);
      if (!route || (request.method !== 'GET' && request.method !== 'HEAD')) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      if (request.headers['if-none-match'] === route.etag) {
        response.writeHead(304, { etag: route.etag }).end();
        return;
      }
      response.writeHead(200, { 'content-type': route.contentType, etag: route.etag });
      response.end(request.method === 'HEAD' ? undefined : route.body);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: Error) =>
        reject(
          new Error(
            `the demo feed server cannot listen on ${DEMO_FEEDS_HOST}:${port} (DEMO_FEEDS_PORT): ${error.message}`,
          ),
        ),
      );
      server.listen(port, DEMO_FEEDS_HOST, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://${DEMO_FEEDS_HOST}:${this.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Where the demo sources point: the demo feed server of the process that fetches them. */
export function demoFeedsUrl(port: number): string {
  return `http://${DEMO_FEEDS_HOST}:${port}`;
}
