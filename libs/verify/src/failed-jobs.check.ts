import { jobStreamId, QUEUE_NAMES } from '@frictionwatch/queues';
import { failedJobs } from './pending-jobs';
import { checkResult, sample, type CheckResult, type VerifyDependencies } from './verify.types';

/**
 * No job sits in a failed set without its failure in the log: the worker appends JobFailed (stream
 * `job-<queue>-<job id>`) on a job's last failed attempt, before BullMQ moves it to the failed set.
 */
export async function checkFailedJobs(deps: VerifyDependencies): Promise<CheckResult> {
  const failed: { queue: string; id: string; name: string; reason: string }[] = [];
  for (const queue of QUEUE_NAMES)
    for (const job of await failedJobs(deps.jobs, queue))
      failed.push({ queue, id: String(job.id), name: job.name, reason: job.failedReason ?? '' });
  if (failed.length === 0)
    return checkResult('failed-jobs', 0, `no job in the failed sets of ${QUEUE_NAMES.join(', ')}`);
  const { rows } = await deps.pool.query<{ stream_id: string }>(
    `SELECT DISTINCT stream_id FROM events WHERE stream_id = ANY ($1::text[]) AND event_type = 'JobFailed'`,
    [failed.map((job) => jobStreamId(job.queue, job.id))],
  );
  const recorded = new Set(rows.map((r) => r.stream_id));
  const unrecorded = failed.filter((job) => !recorded.has(jobStreamId(job.queue, job.id)));
  if (unrecorded.length === 0)
    return checkResult('failed-jobs', 0, `${failed.length} failed job(s), each with its JobFailed event`);
  return checkResult(
    'failed-jobs',
    unrecorded.length,
    `${unrecorded.length} of ${failed.length} failed job(s) have no JobFailed event: ` +
      sample(unrecorded.map((job) => `${job.queue}/${job.name} ${job.id}: ${job.reason.slice(0, 120)}`)),
  );
}
