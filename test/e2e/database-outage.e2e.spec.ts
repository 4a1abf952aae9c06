import type { INestApplication } from '@nestjs/common';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  createTestDatabase,
  testQueuePrefix,
  TEST_SERVER_URL,
  type TestDatabase,
} from '@frictionwatch/testing';
import { startApiApp } from '../support/api-app';

/**
 * A TCP proxy in front of the test Postgres: `cut` drops every connection and refuses new ones, as a
 * restarting server does to its clients; `restore` lets them through again on the same port.
 */
class PostgresLink {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('the api while Postgres is unreachable', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  const queue = testQueuePrefix();
  const server = new URL(TEST_SERVER_URL);
  const link = new PostgresLink({ host: server.hostname, port: Number(server.port || 5432) });

  beforeAll(async () => {
    database = await createTestDatabase();
    await link.open();
    const url = new URL(database.url);
    url.host = `127.0.0.1:${link.port}`;
    ({ app, base } = await startApiApp({
      DATABASE_URL: url.toString(),
      QUEUE_PREFIX: queue.prefix,
      API_PUBLIC_READ: 'true',
      RATE_LIMIT_PER_MINUTE: '0',
      DATABASE_STATEMENT_TIMEOUT_MS: '5000',
      WORKER_PROJECTIONS: 'items',
    }));
  });

  afterAll(async () => {
    await link.cut();
    await link.open();
    await app.close();
    await link.cut();
    await queue.cleanup();
    await database.drop();
  });

  it('answers 503 problem+json with Retry-After, and 200 again once the database is back', async () => {
    expect((await fetch(`${base}/v1/items`)).status).toBe(200);

    await link.cut();
    const during = await fetch(`${base}/v1/items`);
    expect(during.status).toBe(503);
    expect(during.headers.get('content-type')).toContain('application/problem+json');
    expect(during.headers.get('retry-after')).toBe('5');
    expect(await during.json()).toMatchObject({
      status: 503,
      title: 'Service Unavailable',
      detail: 'The database is unavailable; retry shortly.',
      instance: '/v1/items',
    });

    await link.open();
    const deadline = Date.now() + 20000;
    let after = await fetch(`${base}/v1/items`);
    while (after.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await fetch(`${base}/v1/items`);
    }
    expect(after.status).toBe(200);
  });

  it('still answers 400 for a bad request, whatever the database does', async () => {
    const response = await fetch(`${base}/v1/items?sort=sideways`);
    expect(response.status).toBe(400);
  });
});
