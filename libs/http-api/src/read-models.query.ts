import { z } from 'zod';
import { SECTOR_IDS, STAGE_IDS } from '@frictionwatch/taxonomy';
import { ProblemError } from './problem';

// The query schemas of the cases, deadlines and activity endpoints, built once: building a zod
// schema costs far more than parsing with it. Date defaults are functions, evaluated per request.

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const jurisdiction = z.string().regex(/^[A-Z]{2}$/);
const plusDays = (days: number) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

/** The dimensions activity groups by, and their columns. */
export const ACTIVITY_DIMENSIONS = {
  sector: 'sector',
  actor: 'actor',
  target: 'target',
  frictionType: 'friction_type',
  stage: 'stage',
} as const;

export const CasesQuerySchema = z
  .object({
    stage: z.enum(STAGE_IDS as unknown as [string, ...string[]]).optional(),
    sector: z.enum(SECTOR_IDS as unknown as [string, ...string[]]).optional(),
    actor: jurisdiction.optional(),
    target: jurisdiction.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/** Default: the next 180 days. */
export const DeadlinesQuerySchema = z
  .object({
    from: day.default(() => plusDays(0)),
    to: day.default(() => plusDays(180)),
    kind: z.enum(['comments_close', 'effective']).optional(),
  })
  .strict();

/** Default: the last 365 days by week and sector. */
export const ActivityQuerySchema = z
  .object({
    from: day.default(() => plusDays(-365)),
    to: day.default(() => plusDays(0)),
    interval: z.enum(['week', 'month']).default('week'),
    groupBy: z
      .string()
      .default('sector')
      .transform((text) =>
        text
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean),
      )
      .refine(
        (names) => names.every((n) => n in ACTIVITY_DIMENSIONS),
        `groupBy takes ${Object.keys(ACTIVITY_DIMENSIONS).join(', ')}`,
      ),
  })
  .strict();

/** Parses a query; the first problem is a 400 naming the parameter. */
export function parseQuery<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const parameter = String(issue.path[0] ?? 'query');
  throw new ProblemError(400, 'Invalid query parameter', `${parameter}: ${issue.message}`, { parameter });
}
