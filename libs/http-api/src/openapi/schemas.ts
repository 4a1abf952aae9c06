import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';

/**
 * The response shapes of the document's `components.schemas`, written as OpenAPI 3.1 (JSON Schema
 * 2020-12): a nullable value is `type: [T, 'null']`, never 3.0's `nullable`. Top level is exact; rows
 * name their main columns and may carry more.
 */
const nullable = (type: string, extra: Record<string, unknown> = {}) =>
  ({ type: [type, 'null'], ...extra }) as unknown as SchemaObject;
const strings: SchemaObject = { type: 'array', items: { type: 'string' } };
const dateTime: SchemaObject = { type: 'string', format: 'date-time' };
const day: SchemaObject = { type: 'string', format: 'date' };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A zod schema as a 3.1 schema object (zod emits JSON Schema 2020-12, which 3.1 adopts), as clients send it. */
export function schemaOf(schema: z.ZodType): SchemaObject {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  void _dialect;
  return json as SchemaObject;
}

const item: SchemaObject = {
  type: 'object',
  description: 'One item of the items read model with its latest classification.',
  required: ['item_id', 'feed_id', 'title', 'published_at', 'severity'],
  properties: {
    item_id: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    feed_id: { type: 'string' },
    url: nullable('string'),
    title: { type: 'string' },
    summary: { type: 'string' },
    published_at: dateTime,
    first_seen: dateTime,
    date_source: { type: 'string' },
    source_name: { type: 'string' },
    friction: nullable('boolean'),
    friction_types: strings,
    sectors: strings,
    subsectors: strings,
    actors: strings,
    targets: strings,
    stage: nullable('string'),
    severity: { type: 'integer', minimum: 0, maximum: 100 },
    case_refs: { type: 'array', items: { type: 'object' } },
    hs_codes: strings,
    duty_rates: strings,
    case_id: nullable('string'),
    classifier_version: nullable('string'),
    taxonomy_version: nullable('string'),
    extra: { type: 'object' },
  },
};

const caseRow: SchemaObject = {
  type: 'object',
  required: ['case_id', 'title', 'stage'],
  properties: {
    case_id: { type: 'string', pattern: '^case_[0-9a-f]{24}$' },
    basis: { type: 'string', description: 'reference (a case number) or key (deterministic)' },
    reference: nullable('string'),
    title: { type: 'string' },
    actors: strings,
    targets: strings,
    friction_types: strings,
    sectors: strings,
    products: strings,
    hs_codes: strings,
    refs: { type: 'array', items: {} },
    stage: nullable('string'),
    stage_on: nullable('string', { format: 'date' }),
    first_on: day,
    last_on: day,
    item_count: { type: 'integer' },
  },
};

export const COMPONENT_SCHEMAS: Record<string, SchemaObject> = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details (application/problem+json).',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: { type: 'string', examples: ['about:blank'] } as SchemaObject,
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      instance: { type: 'string', description: 'the request path' },
      parameter: { type: 'string', description: 'the query parameter that was refused' },
      validValues: { ...strings, description: 'the values the refused parameter takes' },
    },
  },
  Item: item,
  ItemPage: {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: ref('Item') },
      nextCursor: nullable('string', { description: 'pass as `cursor` for the next page; null on the last' }),
    },
  },
  ItemDetail: {
    allOf: [
      ref('Item'),
      {
        type: 'object',
        required: ['evidence', 'classifications'],
        properties: {
          evidence: { type: 'array', items: { type: 'object' } },
          classifications: {
            type: 'array',
            description: 'every classification the item has had, newest first',
            items: {
              type: 'object',
              properties: {
                position: { type: 'string' },
                event_id: { type: 'string' },
                classified_at: dateTime,
                content_hash: { type: 'string' },
                classifier_version: { type: 'string' },
                taxonomy_version: { type: 'string' },
                classification: { type: 'object' },
              },
            },
          },
        },
      },
    ],
  },
  Case: caseRow,
  CaseList: {
    type: 'object',
    required: ['cases'],
    properties: { cases: { type: 'array', items: ref('Case') } },
  },
  CaseDetail: {
    allOf: [
      ref('Case'),
      {
        type: 'object',
        required: ['timeline'],
        properties: {
          timeline: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                stage: { type: 'string' },
                date: day,
                item_id: { type: 'string' },
                title: { type: 'string' },
                url: nullable('string'),
              },
            },
          },
        },
      },
    ],
  },
  DeadlineList: {
    type: 'object',
    required: ['deadlines'],
    properties: {
      deadlines: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            item_id: { type: 'string' },
            kind: { type: 'string', enum: ['comments_close', 'effective'] },
            due_on: day,
            source: { type: 'string', description: 'a structured source field or the text' },
            evidence: nullable('string'),
            feed_id: { type: 'string' },
            title: { type: 'string' },
            url: nullable('string'),
            published_at: dateTime,
            friction: nullable('boolean'),
            case_id: nullable('string'),
          },
        },
      },
    },
  },
  Activity: {
    type: 'object',
    required: ['interval', 'groupBy', 'series'],
    properties: {
      interval: { type: 'string', enum: ['week', 'month'] },
      groupBy: strings,
      series: {
        type: 'array',
        description: 'one row per period and combination of the grouped dimensions',
        items: {
          type: 'object',
          required: ['period', 'items'],
          properties: { period: { type: 'string' }, items: { type: 'integer' } },
          additionalProperties: { type: ['string', 'null'] } as unknown as SchemaObject,
        },
      },
    },
  },
  FeedList: {
    type: 'object',
    required: ['feeds'],
    properties: {
      feeds: {
        type: 'array',
        items: {
          type: 'object',
          description: 'a feed with its schedule and health',
          required: ['feedId', 'name', 'url', 'kind', 'status', 'healthy', 'nextDueAt'],
          properties: {
            feedId: { type: 'string' },
            name: { type: 'string' },
            url: { type: 'string' },
            kind: { type: 'string', enum: ['rss', 'json', 'html'] },
            intervalMinutes: { type: 'integer' },
            status: { type: 'string', enum: ['active', 'paused'] },
            pauseReason: nullable('string'),
            lastSuccessAt: nullable('string', { format: 'date-time' }),
            lastFailureAt: nullable('string', { format: 'date-time' }),
            lastFailureReason: nullable('string'),
            consecutiveFailures: { type: 'integer' },
            itemsLastFetch: nullable('integer'),
            healthy: { type: 'boolean' },
            nextDueAt: dateTime,
          },
        },
      },
    },
  },
  Taxonomy: {
    type: 'object',
    description: 'the seed taxonomy: sectors, friction types, stages, jurisdictions, with provenance',
    required: ['version'],
    properties: { version: { type: 'string' } },
  },
  EventPage: {
    type: 'object',
    required: ['events', 'next', 'caughtUp'],
    properties: {
      events: { type: 'array', items: { type: 'object' } },
      next: { type: 'string', pattern: '^\\d+:\\d+$', description: 'pass as `after` to resume' },
      caughtUp: { type: 'boolean' },
    },
  },
  FeedId: {
    type: 'object',
    required: ['feedId'],
    properties: { feedId: { type: 'string' } },
  },
  RebuildStarted: {
    type: 'object',
    required: ['projection', 'status'],
    properties: { projection: { type: 'string' }, status: { type: 'string', enum: ['rebuilding'] } },
  },
  ReclassifyStarted: {
    type: 'object',
    required: ['classifierVersion', 'taxonomyVersion', 'items', 'jobs'],
    properties: {
      classifierVersion: { type: 'string' },
      taxonomyVersion: { type: 'string' },
      items: { type: 'integer', description: 'items whose latest classification is outdated' },
      jobs: { type: 'integer', description: 'classify jobs enqueued' },
    },
  },
};

export { ref as schemaRef };
