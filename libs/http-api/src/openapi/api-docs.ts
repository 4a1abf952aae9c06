import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiQuery, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { Scope } from '../api-keys';
import { schemaRef } from './schemas';

/** The security scheme of the document: `Authorization: Bearer <key>`. */
export const API_KEY_SCHEME = 'apiKey';

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid query parameter or body; `parameter` and `validValues` name what was refused',
  401: 'No key, a malformed Authorization header, or an unknown or revoked key',
  403: 'The key lacks the admin scope',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body larger than 1 MiB',
  429: 'Over the rate limit; `Retry-After` says when to come back',
  503: 'The read model has not been built yet, or the rate limiter cannot reach Redis',
};

/** Problem answers (RFC 9457, application/problem+json) an endpoint gives. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: schemaRef('Problem') } },
        ...(status === 429
          ? {
              headers: {
                'Retry-After': {
                  description: 'seconds until the budget refills',
                  schema: { type: 'integer' },
                },
              },
            }
          : {}),
      }),
    ),
  );
}

/** What the scope guard and the rate limit add to every endpoint that needs a key. */
export function ApiScope(scope: Scope) {
  return applyDecorators(
    ApiSecurity(API_KEY_SCHEME, [scope]),
    ApiProblems(...(scope === 'admin' ? [401, 403, 429, 503] : [401, 429])),
  );
}

const header = (description: string, schema: SchemaObject = { type: 'string' }) => ({ description, schema });

/** A read-model answer: the polling headers on 200, and 304 on a matching If-None-Match. */
export function ApiReadModelAnswer(schema: string, description: string) {
  return applyDecorators(
    ApiResponse({
      status: 200,
      description,
      content: { 'application/json': { schema: schemaRef(schema) } },
      headers: {
        ETag: header("derived from the read model's checkpoint and the query"),
        'Cache-Control': header('private, no-cache'),
        'X-Poll-Interval': header('seconds between useful polls', { type: 'integer' }),
        'X-Projection-Position': header("the read model's checkpoint"),
        'X-Projection-Updated-At': header('when the read model last advanced', {
          type: 'string',
          format: 'date-time',
        }),
      },
    }),
    ApiResponse({
      status: 304,
      description: 'If-None-Match matched: nothing changed (does not count against the rate limit)',
    }),
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description: 'the ETag of the answer the client has; a match is answered 304',
    }),
  );
}

/** A comma-separated query parameter of known values (`frictionType=tariff,export_control`). */
export function ApiListQuery(name: string, values: readonly string[], description: string) {
  return ApiQuery({
    name,
    required: false,
    description: `${description}; comma-separated, any of them matches`,
    style: 'form',
    explode: false,
    schema: { type: 'array', items: { type: 'string', enum: [...values] } },
  });
}

/** An optional query parameter with its schema. */
export function ApiOptionalQuery(name: string, schema: SchemaObject, description: string) {
  return ApiQuery({ name, required: false, description, schema });
}
