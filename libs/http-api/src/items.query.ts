import { z } from 'zod';
import { FRICTION_TYPE_IDS, SECTOR_IDS, STAGE_IDS } from '@frictionwatch/taxonomy';
import { ProblemError } from './problem';

const list = (values: readonly string[], name: string) =>
  z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .superRefine((items, context) => {
      const unknown = items.filter((v) => !values.includes(v));
      if (unknown.length)
        context.addIssue({
          code: 'custom',
          message: `unknown ${name} ${unknown.join(', ')}`,
          params: { valid: values },
        });
    });

const jurisdiction = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((v) => v.trim().toUpperCase())
      .filter(Boolean),
  )
  .refine(
    (items) => items.every((v) => /^[A-Z]{2}$/.test(v)),
    'jurisdictions are ISO 3166-1 alpha-2 codes or EU',
  );

const date = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date (ISO 8601)');

/** The filters of GET /v1/items; an unknown value is a 400 that lists the valid ones. */
export const ItemsQuerySchema = z
  .object({
    friction: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    frictionType: list(FRICTION_TYPE_IDS, 'frictionType').optional(),
    sector: z.string().optional(),
    actor: jurisdiction.optional(),
    target: jurisdiction.optional(),
    stage: list(STAGE_IDS, 'stage').optional(),
    minSeverity: z.coerce.number().int().min(0).max(100).optional(),
    feed: z.string().max(100).optional(),
    q: z.string().max(200).optional(),
    publishedFrom: date.optional(),
    publishedTo: date.optional(),
    sort: z.enum(['published', 'severity']).default('published'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();

export type ItemsQuery = z.infer<typeof ItemsQuerySchema> & { sectors?: string[] };

export function parseItemsQuery(raw: Record<string, unknown>): ItemsQuery {
  const parsed = ItemsQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue.path[0] ?? 'query');
    const valid = (issue as { params?: { valid?: readonly string[] } }).params?.valid;
    throw new ProblemError(400, 'Invalid query parameter', `${field}: ${issue.message}`, {
      parameter: field,
      ...(valid ? { validValues: valid } : {}),
    });
  }
  const query: ItemsQuery = parsed.data;
  if (query.sector !== undefined) {
    // A sector filter includes its subsectors: `semiconductors` or `semiconductors/equipment`.
    const sectors = query.sector
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    const unknown = sectors.filter((s) => !(SECTOR_IDS as readonly string[]).includes(s.split('/')[0]));
    if (unknown.length) {
      throw new ProblemError(400, 'Invalid query parameter', `sector: unknown sector ${unknown.join(', ')}`, {
        parameter: 'sector',
        validValues: SECTOR_IDS,
      });
    }
    query.sectors = sectors;
  }
  return query;
}

export interface Cursor {
  sortValue: number | string;
  publishedAt: string;
  itemId: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sortValue, cursor.publishedAt, cursor.itemId])).toString(
    'base64url',
  );
}

export function decodeCursor(text: string): Cursor {
  try {
    const [sortValue, publishedAt, itemId] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [
      number | string,
      string,
      string,
    ];
    if (
      typeof publishedAt !== 'string' ||
      typeof itemId !== 'string' ||
      Number.isNaN(Date.parse(publishedAt))
    )
      throw new Error('shape');
    return { sortValue, publishedAt, itemId };
  } catch {
    throw new ProblemError(400, 'Invalid query parameter', 'cursor: not a cursor this API issued', {
      parameter: 'cursor',
    });
  }
}
