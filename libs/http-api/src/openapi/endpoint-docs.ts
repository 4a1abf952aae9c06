import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { z } from 'zod';
import { FRICTION_TYPE_IDS, SECTOR_IDS, STAGE_IDS } from '@frictionwatch/taxonomy';
import { ApiListQuery, ApiOptionalQuery, ApiProblems, ApiReadModelAnswer } from './api-docs';
import { schemaOf } from './schemas';

/**
 * The OpenAPI description of each endpoint, one decorator per handler. The enum values are the
 * vocabulary's own constants, the same ones the controllers validate against.
 */

const jurisdictions = (name: string, description: string) =>
  ApiQuery({
    name,
    required: false,
    description: `${description}; ISO 3166-1 alpha-2 codes or EU, comma-separated`,
    style: 'form',
    explode: false,
    schema: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z]{2}$' } },
  });

const day: SchemaObject = { type: 'string', format: 'date' };
const sectorPattern = `^(${SECTOR_IDS.join('|')})(/[a-z0-9_-]+)?$`;

export const ItemsListDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'Items with their latest classification, newest (or most severe) first' }),
    ApiOptionalQuery(
      'friction',
      { type: 'boolean' },
      'only items that are (true) or are not (false) trade friction',
    ),
    ApiListQuery('frictionType', FRICTION_TYPE_IDS, 'friction types'),
    ApiQuery({
      name: 'sector',
      required: false,
      description: `sectors, subsectors included, or one subsector as sector/child; comma-separated. Sectors: ${SECTOR_IDS.join(', ')}`,
      style: 'form',
      explode: false,
      schema: { type: 'array', items: { type: 'string', pattern: sectorPattern } },
    }),
    jurisdictions('actor', 'the jurisdictions taking the measure'),
    jurisdictions('target', 'the jurisdictions it is aimed at'),
    ApiListQuery('stage', STAGE_IDS, 'case stages'),
    ApiOptionalQuery('minSeverity', { type: 'integer', minimum: 0, maximum: 100 }, 'lowest severity'),
    ApiOptionalQuery('feed', { type: 'string', maxLength: 100 }, 'a feed id'),
    ApiOptionalQuery('q', { type: 'string', maxLength: 200 }, 'full-text search on title and summary'),
    ApiOptionalQuery(
      'publishedFrom',
      { type: 'string', format: 'date-time' },
      'published at or after (ISO 8601)',
    ),
    ApiOptionalQuery(
      'publishedTo',
      { type: 'string', format: 'date-time' },
      'published at or before (ISO 8601)',
    ),
    ApiOptionalQuery(
      'sort',
      { type: 'string', enum: ['published', 'severity'], default: 'published' },
      'order: published date or severity, descending',
    ),
    ApiOptionalQuery('limit', { type: 'integer', minimum: 1, maximum: 200, default: 50 }, 'page size'),
    ApiOptionalQuery(
      'cursor',
      { type: 'string', maxLength: 500 },
      'the nextCursor of the previous page (keyset: stable while new items arrive)',
    ),
    ApiReadModelAnswer('ItemPage', 'A page of items'),
    ApiProblems(400, 503),
  );

export const ItemDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'One item with its evidence and every classification it has had' }),
    ApiParam({ name: 'id', schema: { type: 'string', pattern: '^[0-9a-f]{32}$' } }),
    ApiReadModelAnswer('ItemDetail', 'The item'),
    ApiProblems(400, 404, 503),
  );

export const CasesListDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'Trade cases, most recently active first' }),
    ApiOptionalQuery('stage', { type: 'string', enum: [...STAGE_IDS] }, 'current stage'),
    ApiOptionalQuery('sector', { type: 'string', enum: [...SECTOR_IDS] }, 'a sector of the case'),
    ApiOptionalQuery('actor', { type: 'string', pattern: '^[A-Z]{2}$' }, 'a jurisdiction taking the measure'),
    ApiOptionalQuery('target', { type: 'string', pattern: '^[A-Z]{2}$' }, 'a jurisdiction it is aimed at'),
    ApiOptionalQuery('limit', { type: 'integer', minimum: 1, maximum: 200, default: 50 }, 'how many'),
    ApiReadModelAnswer('CaseList', 'Cases'),
    ApiProblems(400, 503),
  );

export const CaseDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'One case with its timeline of stages' }),
    ApiParam({ name: 'id', schema: { type: 'string', pattern: '^case_[0-9a-f]{24}$' } }),
    ApiReadModelAnswer('CaseDetail', 'The case'),
    ApiProblems(400, 404, 503),
  );

export const DeadlinesDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'Comment deadlines and effective dates with their item and case' }),
    ApiOptionalQuery('from', day, 'first day (default: today)'),
    ApiOptionalQuery('to', day, 'last day (default: in 180 days)'),
    ApiOptionalQuery('kind', { type: 'string', enum: ['comments_close', 'effective'] }, 'only this kind'),
    ApiReadModelAnswer('DeadlineList', 'Deadlines'),
    ApiProblems(400, 503),
  );

export const ActivityDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'Item counts per period and dimensions, for heat maps and trend lines' }),
    ApiOptionalQuery('from', day, 'first day (default: a year ago)'),
    ApiOptionalQuery('to', day, 'last day (default: today)'),
    ApiOptionalQuery('interval', { type: 'string', enum: ['week', 'month'], default: 'week' }, 'period'),
    ApiQuery({
      name: 'groupBy',
      required: false,
      description: 'dimensions to group by, comma-separated (default: sector)',
      style: 'form',
      explode: false,
      schema: {
        type: 'array',
        items: { type: 'string', enum: ['sector', 'actor', 'target', 'frictionType', 'stage'] },
      },
    }),
    ApiReadModelAnswer('Activity', 'Series'),
    ApiProblems(400, 503),
  );

export const FeedsDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'Every feed with its schedule and health' }),
    ApiReadModelAnswer('FeedList', 'Feeds'),
    ApiProblems(503),
  );

/** Each property of a zod object as a query parameter (the schema the controller parses with). */
export function ApiQueriesOf(schema: z.ZodObject) {
  const json = schemaOf(schema);
  const required = new Set(json.required ?? []);
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) =>
      ApiQuery({ name, required: required.has(name), schema: property }),
    ),
  );
}
