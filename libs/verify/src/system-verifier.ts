import { checkAlertDeliveries } from './alert-delivery.check';
import { checkClassifications } from './classification.check';
import { checkEventLog } from './event-log.check';
import { checkFailedJobs } from './failed-jobs.check';
import { checkProjections } from './projections.check';
import type { CheckResult, VerifyDependencies, VerifyReport } from './verify.types';

/**
 * Checks the system's invariants against the event log, one after another. A check that cannot run
 * (Postgres or Redis unreachable) throws: that is no verdict on the data.
 */
export async function verifySystem(deps: VerifyDependencies): Promise<VerifyReport> {
  const checks: CheckResult[] = [
    await checkEventLog(deps.pool),
    await checkClassifications(deps),
    await checkProjections(deps),
    await checkAlertDeliveries(deps),
    await checkFailedJobs(deps),
  ];
  return { ok: checks.every((check) => check.ok), checks };
}

/** The human-readable report: one line per check, its verdict first. */
export function formatReport(report: VerifyReport): string {
  const failed = report.checks.filter((check) => !check.ok).length;
  const lines = report.checks.map(
    (check) =>
      `${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}${check.ok ? '' : ` (${check.violations} violation(s))`}: ${check.detail}`,
  );
  const head = failed
    ? `verify: ${failed} of ${report.checks.length} checks FAILED`
    : `verify: all ${report.checks.length} checks passed`;
  return `${head}\n${lines.join('\n')}\n`;
}
