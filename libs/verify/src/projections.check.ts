import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { checkResult, sample, type CheckResult, type VerifyDependencies } from './verify.types';

/**
 * Each read model equals a rebuild from zero. The live generation's checkpoint and table digests are
 * read in one snapshot (it keeps moving meanwhile); the projection is then replayed into a scratch
 * schema up to exactly that checkpoint, digested the same way and dropped, also on failure. Reactors
 * (mail, jobs) are never replayed: skipped.
 */
export async function checkProjections(deps: VerifyDependencies): Promise<CheckResult> {
  const { engine, db } = deps;
  const mismatches: string[] = [];
  const compared: string[] = [];
  const skipped: string[] = [];
  const notStarted: string[] = [];
  for (const name of engine.names()) {
    const projection = engine.projection(name);
    if (projection.reactor) {
      skipped.push(name);
      continue;
    }
    const live = await engine.repository.activeDigests(name, projection.tables);
    if (!live) {
      notStarted.push(name);
      continue;
    }
    const scratch = `verify_${name}_${randomBytes(4).toString('hex')}`.slice(0, 63);
    try {
      const replay = await engine.replayInto(name, scratch, live.checkpoint);
      for (const table of projection.tables) {
        const rebuilt = await engine.repository.digest(scratch, table);
        const current = live.tables[table];
        if (rebuilt.rows !== current.rows || rebuilt.md5 !== current.md5)
          mismatches.push(
            `${name}.${table} (live g${live.generation}: ${current.rows} rows ${current.md5.slice(0, 8)}; ` +
              `rebuilt: ${rebuilt.rows} rows ${rebuilt.md5.slice(0, 8)}; at ${live.checkpoint})`,
          );
      }
      compared.push(`${name} (${replay.eventsApplied} events)`);
    } finally {
      await sql`DROP SCHEMA IF EXISTS ${sql.id(scratch)} CASCADE`.execute(db);
    }
  }
  const notes =
    `reactors skipped (never rebuilt): ${skipped.join(', ') || 'none'}` +
    (notStarted.length ? `; never started: ${notStarted.join(', ')}` : '');
  if (mismatches.length === 0)
    return checkResult(
      'projections',
      0,
      `${compared.length} projection(s) equal a rebuild from zero at their live checkpoint: ${compared.join(', ') || 'none'}; ${notes}`,
    );
  return checkResult(
    'projections',
    mismatches.length,
    `${mismatches.length} table(s) differ from a rebuild from zero: ${sample(mismatches, 10)}; ${notes}`,
  );
}
