import { QUEUE_OF } from '@frictionwatch/queues';
import { followerPosition, notYetReached } from './follower-position';
import { pendingJobs } from './pending-jobs';
import { checkResult, sample, type CheckResult, type VerifyDependencies } from './verify.types';

/**
 * Every item's current text (its latest ItemIngested or ItemRevised) is classified by the current
 * classifier and taxonomy versions, or will be: a classify job that names the item will still run,
 * or the classification trigger has not reached the item's event yet (and is not failed).
 *
 * Read in this order so that work finishing meanwhile never looks missing: the trigger's checkpoint
 * first (it moves only after its jobs are queued), then the queue (a job gone from it has appended
 * its classification before completing), then the log.
 */
export async function checkClassifications(deps: VerifyDependencies): Promise<CheckResult> {
  const trigger = await followerPosition(deps.db, 'classification_trigger');
  const queued = new Set<string>();
  for (const job of await pendingJobs(deps.jobs, QUEUE_OF['classify-items'])) {
    const items = (job.data as { items?: { itemId: string }[] }).items ?? [];
    for (const item of items) queued.add(item.itemId);
  }
  const { rows: totals } = await deps.pool.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM event_streams WHERE stream_type = 'item'",
  );
  const { rows } = await deps.pool.query<{
    item_id: string;
    transaction_id: string;
    global_position: string;
  }>(
    `WITH current_text AS (
       SELECT DISTINCT ON (e.stream_id) e.stream_id, e.data->>'itemId' AS item_id, e.data->>'contentHash' AS hash,
              e.transaction_id, e.global_position
       FROM events e WHERE e.event_type IN ('ItemIngested', 'ItemRevised')
       ORDER BY e.stream_id, e.stream_version DESC)
     SELECT c.item_id, c.transaction_id::text, c.global_position::text FROM current_text c
     WHERE NOT EXISTS (
       SELECT 1 FROM events k
       WHERE k.stream_id = c.stream_id AND k.event_type = 'ItemClassified' AND k.data->>'contentHash' = c.hash
         AND k.data->>'classifierVersion' = $1 AND k.data->>'taxonomyVersion' = $2)
     ORDER BY c.item_id`,
    [deps.versions.classifierVersion, deps.versions.taxonomyVersion],
  );
  let behindTrigger = 0;
  let inJobs = 0;
  const missing: string[] = [];
  for (const row of rows) {
    if (queued.has(row.item_id)) inJobs += 1;
    else if (notYetReached(trigger, row.transaction_id, row.global_position)) behindTrigger += 1;
    else missing.push(row.item_id);
  }
  const versions = `${deps.versions.classifierVersion} / taxonomy ${deps.versions.taxonomyVersion}`;
  const pending = `pending: ${inJobs} in classify jobs, ${behindTrigger} not reached by the classification trigger (${trigger.status} at ${trigger.checkpoint})`;
  if (missing.length === 0)
    return checkResult(
      'classifications',
      0,
      `${totals[0].n} items; every current text is classified by ${versions} or pending (${pending})`,
    );
  return checkResult(
    'classifications',
    missing.length,
    `${missing.length} item(s) whose current text has no classification by ${versions} and no classify job, ` +
      `though the classification trigger passed them: ${sample(missing)}; ${pending}`,
  );
}
