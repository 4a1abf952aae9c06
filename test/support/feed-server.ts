import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const FEED_FIXTURES = join(__dirname, '..', 'fixtures', 'feeds');

export type Route = (request: IncomingMessage, response: ServerResponse) => void;

/** A real HTTP server on loopback serving recorded feeds; routes can be swapped while it runs. */
export class FeedServer {
  private readonly routes = new Map<string, Route>();
  private readonly server: Server;
  readonly hits = new Map<string, number>();
  port = 0;

  constructor() {
    this.server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      const route = this.routes.get(path);
      if (!route) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      route(request, response);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  route(path: string, route: Route): this {
    this.routes.set(path, route);
    return this;
  }

  /** Serves a fixture file with a content type and an ETag, answering 304 to a matching If-None-Match. */
  fixture(path: string, file: string, contentType: string, etag = `"${file}"`): this {
    const body = readFileSync(join(FEED_FIXTURES, file));
    return this.route(path, (request, response) => {
      if (request.headers['if-none-match'] === etag) {
        response.writeHead(304, { etag }).end();
        return;
      }
      response.writeHead(200, { 'content-type': contentType, etag }).end(body);
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
