import type { Kysely } from 'kysely';
import type { Pool } from 'pg';
import type { Database } from '@frictionwatch/database';
import type { ProjectionEngine } from '@frictionwatch/projections';
import type { JobQueue } from '@frictionwatch/queues';

/** One invariant's verdict: `violations` counts the offending things (items, tables, alerts, jobs, rows). */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  violations: number;
}

/** What `npm run cli -- verify --json` prints: ok when every check is. */
export interface VerifyReport {
  ok: boolean;
  checks: CheckResult[];
}

/** What the checks read: the log and read models (Postgres), the queues (Redis), the projections. */
export interface VerifyDependencies {
  pool: Pool;
  db: Kysely<Database>;
  engine: ProjectionEngine;
  jobs: JobQueue;
  /** The classifier and taxonomy versions every item's current text must be classified by. */
  versions: { classifierVersion: string; taxonomyVersion: string };
}

export function checkResult(name: string, violations: number, detail: string): CheckResult {
  return { name, ok: violations === 0, detail, violations };
}

/** The first few offenders of a list, for a detail line: `a, b, c (and 7 more)`. */
export function sample(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} (and ${items.length - max} more)` : shown;
}
