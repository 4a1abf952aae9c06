import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { AppConfig } from '@frictionwatch/config';
import { ProjectionEngine } from '@frictionwatch/projections';
import { API_KEY_SCHEME } from './api-docs';
import { COMPONENT_SCHEMAS } from './schemas';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/**
 * The OpenAPI 3.1 document of the app's routes, from the controllers' decorators. @nestjs/swagger
 * defaults to 3.0.0 but takes the version as given and passes hand-written schemas through; ours are
 * written in 3.1's JSON Schema 2020-12 (`type: [T, 'null']`), and the 3.0 `nullable` that decorators of
 * other libraries emit (Terminus's health checks) is converted, so the document is 3.1 as a whole
 * (the e2e test validates it against the official 3.1 schema).
 */
export function openApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const base = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('frictionwatch REST API')
    .setDescription(
      'Read models of classified trade-friction items for dashboards that poll: every read answer ' +
        'carries an ETag from the read model checkpoint; If-None-Match gets 304 without reading the ' +
        'read model and does not count against the rate limit. Errors are RFC 9457 ' +
        'application/problem+json. Keys: Authorization: Bearer <key>, scopes read and admin.' +
        (config.API_PUBLIC_READ ? ' This server answers read endpoints without a key.' : ''),
    )
    .setVersion('1')
    .addSecurity(API_KEY_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description:
        'An API key (`npm run cli -- keys create --scope read|admin`). The roles of a requirement are ' +
        'the scope it needs: read (a read or admin key) or admin.',
    })
    .build();
  base.components = { ...base.components, schemas: { ...COMPONENT_SCHEMAS } };
  const document = withoutNullable(SwaggerModule.createDocument(app, base));
  if (config.API_PUBLIC_READ) openReadOperations(document);
  listRebuildableProjections(document, app.get(ProjectionEngine, { strict: false }));
  return document;
}

/** The rebuild endpoint takes the names the engine knows, reactors excepted (it refuses those). */
function listRebuildableProjections(document: OpenAPIObject, engine: ProjectionEngine): void {
  const names = engine.names().filter((name) => !engine.projection(name).reactor);
  const parameter = document.paths['/v1/projections/{name}/rebuild']?.post?.parameters?.find(
    (p) => 'name' in p && p.name === 'name',
  );
  if (parameter && 'schema' in parameter) parameter.schema = { type: 'string', enum: names };
}

/** OpenAPI 3.0's `nullable: true` in 3.1 terms: `type: [T, 'null']`, or `anyOf` with null when untyped. */
export function withoutNullable<T>(node: T): T {
  if (Array.isArray(node)) return node.map((entry: unknown) => withoutNullable(entry)) as T;
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const converted = Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [key, withoutNullable(value)]),
  );
  if (nullable !== true) return converted as T;
  if (typeof converted.type === 'string') return { ...converted, type: [converted.type, 'null'] } as T;
  return { anyOf: [converted, { type: 'null' }] } as T;
}

/** API_PUBLIC_READ: read operations also take no key at all (`{}` is the empty requirement). */
function openReadOperations(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths))
    for (const operation of [item.get, item.post, item.patch, item.delete, item.put])
      if (operation?.security?.some((requirement) => requirement[API_KEY_SCHEME]?.includes('read')))
        operation.security = [{}, ...operation.security];
}

/**
 * Serves the document at /openapi.json and Swagger UI at /docs (its assets through @fastify/static).
 * Both are plain Fastify routes outside the Nest pipeline: no key, no rate limit.
 */
export function setupOpenApi(app: INestApplication, config: AppConfig): void {
  SwaggerModule.setup(DOCS_PATH.slice(1), app, () => openApiDocument(app, config), {
    jsonDocumentUrl: OPENAPI_PATH.slice(1),
    raw: ['json'],
    ui: true,
    customSiteTitle: 'frictionwatch API',
  });
}
