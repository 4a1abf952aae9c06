import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { ApiKeys, openApiDocument } from '@frictionwatch/http-api';
import { ProjectionEngine } from '@frictionwatch/projections';
import { FRICTION_TYPE_IDS, SECTOR_IDS, STAGE_IDS } from '@frictionwatch/taxonomy';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '@frictionwatch/testing';
import { readModelsSettled, startApiApp } from '../support/api-app';
import { ROOT } from '../support/processes';
import { registeredRoutes } from '../support/registered-routes';

interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}
interface Schema {
  type?: string | string[];
  enum?: string[];
  items?: Schema;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
}

const validate = (document: unknown) =>
  new Promise<{ valid: boolean; version: string; errors: unknown }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'test/support/validate-openapi.mjs')], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(JSON.parse(out)));
    child.stdin.end(JSON.stringify(document));
  });

describe('OpenAPI document and Swagger UI', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  let document: Document;
  let readKey: string;
  const queue = testQueuePrefix();

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ app, base } = await startApiApp({
      DATABASE_URL: database.url,
      QUEUE_PREFIX: queue.prefix,
      WORKER_PROJECTIONS: 'items,cases,activity,deadlines,feeds',
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_ADMIN_PER_MINUTE: '0',
    }));
    readKey = (await app.get(ApiKeys).create('openapi test', 'read')).key;
    await readModelsSettled(database.pool, ['items', 'cases', 'activity', 'deadlines', 'feeds']);
    const response = await fetch(`${base}/openapi.json`); // no key: the document is public
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    document = (await response.json()) as Document;
  });

  afterAll(async () => {
    await app.close();
    await queue.cleanup();
    await database.drop();
  });

  it('is an OpenAPI 3.1 document that validates against the official 3.1 schema', async () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    const result = await validate(document);
    expect(result).toEqual({ valid: true, version: '3.1', errors: null });
    // 3.0's `nullable` has no meaning in 3.1 (JSON Schema 2020-12 spells it type: [T, 'null']).
    expect(JSON.stringify(document)).not.toContain('"nullable"');
  });

  it('lists every route the app registers, and only those', async () => {
    const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
    const routes = registeredRoutes(app);
    expect(routes.filter((r) => r.path.startsWith('/v1/')).length).toBeGreaterThanOrEqual(14);
    for (const route of routes)
      expect(fastify.hasRoute({ method: route.method, url: route.path })).toBe(true);
    const asOperation = (r: { method: string; path: string }) =>
      `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`;
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map(asOperation).sort());
  });

  it('documents bearer-key security with the scope of each /v1 endpoint and problem+json errors', () => {
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const admin = new Set([
      'get /v1/events',
      'post /v1/feeds',
      'patch /v1/feeds/{id}',
      'delete /v1/feeds/{id}',
      'post /v1/projections/{name}/rebuild',
      'post /v1/reclassify',
      'post /v1/subscriptions',
      'get /v1/subscriptions',
      'get /v1/subscriptions/{id}',
      'patch /v1/subscriptions/{id}',
      'delete /v1/subscriptions/{id}',
      'get /v1/alerts',
    ]);
    // The links in alert mails: their signed token is the authority, no key.
    const byToken = new Set([
      'get /v1/unsubscribe',
      'post /v1/unsubscribe',
      'get /v1/subscriptions/confirm',
      'post /v1/subscriptions/confirm',
    ]);
    for (const [path, item] of Object.entries(document.paths)) {
      if (!path.startsWith('/v1/')) continue;
      for (const [method, operation] of Object.entries(item)) {
        if (byToken.has(`${method} ${path}`)) {
          expect({ operation: `${method} ${path}`, security: operation.security }).toEqual({
            operation: `${method} ${path}`,
            security: undefined,
          });
          expect(operation.responses['403']?.content).toHaveProperty(['application/problem+json']);
          continue;
        }
        const scope = admin.has(`${method} ${path}`) ? 'admin' : 'read';
        expect({ operation: `${method} ${path}`, security: operation.security }).toEqual({
          operation: `${method} ${path}`,
          security: [{ apiKey: [scope] }],
        });
        for (const status of ['401', '429'])
          expect(operation.responses[status]?.content).toHaveProperty(['application/problem+json']);
        expect(operation.responses['429'].headers).toHaveProperty('Retry-After');
      }
    }
  });

  it('with API_PUBLIC_READ, read operations also take no key; admin operations still need one', () => {
    const config = app.get<AppConfig>(APP_CONFIG);
    const open = openApiDocument(app, { ...config, API_PUBLIC_READ: true }) as unknown as Document;
    expect(open.paths['/v1/items'].get.security).toEqual([{}, { apiKey: ['read'] }]);
    expect(open.paths['/v1/events'].get.security).toEqual([{ apiKey: ['admin'] }]);
    expect(open.paths['/v1/feeds'].post.security).toEqual([{ apiKey: ['admin'] }]);
  });

  it('takes its enum values from the vocabulary, and the API accepts exactly those', async () => {
    const items = document.paths['/v1/items'].get.parameters ?? [];
    const enumOf = (name: string) => {
      const schema = items.find((p) => p.name === name)?.schema;
      return schema?.items?.enum ?? schema?.enum;
    };
    expect(enumOf('frictionType')).toEqual([...FRICTION_TYPE_IDS]);
    expect(enumOf('stage')).toEqual([...STAGE_IDS]);
    expect(
      document.paths['/v1/cases'].get.parameters?.find((p) => p.name === 'sector')?.schema?.enum,
    ).toEqual([...SECTOR_IDS]);
    // Every documented enum value of every read endpoint is accepted; a value outside is a 400.
    const get = (path: string) =>
      fetch(`${base}${path}`, { headers: { authorization: `Bearer ${readKey}` } });
    let checked = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      if (!path.startsWith('/v1/') || path.includes('{') || !item.get) continue;
      // Read endpoints only (this loop uses a read key); admin ones have their own tests.
      if (JSON.stringify(item.get.security ?? []).includes('admin')) continue;
      for (const parameter of item.get.parameters ?? []) {
        const values = parameter.schema?.items?.enum ?? parameter.schema?.enum;
        if (parameter.in !== 'query' || !values) continue;
        for (const value of values) {
          const response = await get(`${path}?${parameter.name}=${value}`);
          expect({ path, parameter: parameter.name, value, status: response.status }).toEqual({
            path,
            parameter: parameter.name,
            value,
            status: 200,
          });
          checked += 1;
        }
        const refused = await get(`${path}?${parameter.name}=not_a_value`);
        expect({ path, parameter: parameter.name, status: refused.status }).toEqual({
          path,
          parameter: parameter.name,
          status: 400,
        });
        expect(refused.headers.get('content-type')).toContain('application/problem+json');
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('lists the projections a rebuild takes, reactors left out', () => {
    const engine = app.get(ProjectionEngine);
    const name = document.paths['/v1/projections/{name}/rebuild'].post.parameters?.find(
      (p) => p.name === 'name',
    );
    expect(name?.schema?.enum?.sort()).toEqual(
      engine
        .names()
        .filter((n) => !engine.projection(n).reactor)
        .sort(),
    );
  });

  it.each(['/docs', '/docs/'])('serves Swagger UI at %s, without a key, with its assets', async (path) => {
    const page = await fetch(`${base}${path}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    // What a browser loads: every script and stylesheet, resolved against the page's URL.
    const assets = [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
    expect(assets.some((src) => src.includes('swagger-ui-bundle.js'))).toBe(true);
    expect(assets.some((src) => src.endsWith('swagger-ui.css'))).toBe(true);
    for (const src of assets) {
      const asset = await fetch(new URL(src, `${base}${path}`));
      expect({ src, status: asset.status }).toEqual({ src, status: 200 });
      expect(asset.headers.get('content-type')).toContain(src.endsWith('.css') ? 'text/css' : 'javascript');
      // Read to the end: a large body left unread keeps the connection busy and app.close() waiting.
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    const init = await (await fetch(`${base}/docs/swagger-ui-init.js`)).text();
    expect(init).toContain('/v1/items');
  });
});
