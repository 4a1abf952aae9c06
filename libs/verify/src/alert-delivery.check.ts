import { QUEUE_OF } from '@frictionwatch/queues';
import { followerPosition, notYetReached } from './follower-position';
import { pendingJobs } from './pending-jobs';
import { checkResult, sample, type CheckResult, type VerifyDependencies } from './verify.types';

/**
 * Every AlertRaised ends in AlertDelivered or a permanent AlertDeliveryFailed, or is on its way:
 * an immediate alert has a send job that will still run or the dispatch reactor has not reached it;
 * a digest alert (digest delivery, or deferred by the per-hour cap) waits for its subscription's next
 * digest, which is due while the subscription is not cancelled (or a digest job will still run).
 * Read in the order that keeps finishing work from looking missing: reactor, queue, log.
 */
export async function checkAlertDeliveries(deps: VerifyDependencies): Promise<CheckResult> {
  const dispatch = await followerPosition(deps.db, 'alert_dispatch');
  const mailJobs = await pendingJobs(deps.jobs, QUEUE_OF['send-alert']);
  const sending = new Set<string>();
  const digesting = new Set<string>();
  for (const job of mailJobs) {
    const data = job.data as { alertId?: string; subscriptionId?: string };
    if (job.name === 'send-alert' && data.alertId) sending.add(data.alertId);
    if (job.name === 'send-digest' && data.subscriptionId) digesting.add(data.subscriptionId);
  }
  const { rows } = await deps.pool.query<{
    alert_id: string;
    subscription_id: string;
    delivery: string;
    deferred: boolean;
    cancelled: boolean;
    transaction_id: string;
    global_position: string;
  }>(
    `SELECT r.data->>'alertId' AS alert_id, r.data->>'subscriptionId' AS subscription_id, r.data->>'delivery' AS delivery,
            EXISTS (SELECT 1 FROM events d WHERE d.stream_id = r.stream_id AND d.event_type = 'AlertDeferred') AS deferred,
            EXISTS (SELECT 1 FROM events c WHERE c.stream_id = 'subscription-' || (r.data->>'subscriptionId')
                    AND c.event_type = 'SubscriptionCancelled') AS cancelled,
            r.transaction_id::text, r.global_position::text
     FROM events r
     WHERE r.event_type = 'AlertRaised'
       AND NOT EXISTS (
         SELECT 1 FROM events d WHERE d.stream_id = r.stream_id
           AND (d.event_type = 'AlertDelivered'
                OR (d.event_type = 'AlertDeliveryFailed' AND (d.data->>'permanent')::boolean)))
     ORDER BY r.data->>'alertId'`,
  );
  const { rows: totals } = await deps.pool.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM events WHERE event_type = 'AlertRaised'",
  );
  const pending = { sendJobs: 0, undispatched: 0, digests: 0 };
  const stuck: string[] = [];
  for (const row of rows) {
    const forDigest = row.deferred || row.delivery !== 'immediate';
    if (forDigest) {
      if (!row.cancelled || digesting.has(row.subscription_id)) pending.digests += 1;
      else stuck.push(`${row.alert_id} (waits for a digest of cancelled ${row.subscription_id})`);
    } else if (sending.has(row.alert_id)) pending.sendJobs += 1;
    else if (notYetReached(dispatch, row.transaction_id, row.global_position)) pending.undispatched += 1;
    else stuck.push(`${row.alert_id} (no send job, dispatched)`);
  }
  const summary =
    `pending: ${pending.sendJobs} with send jobs, ${pending.undispatched} not reached by alert_dispatch ` +
    `(${dispatch.status} at ${dispatch.checkpoint}), ${pending.digests} waiting for a due digest`;
  if (stuck.length === 0)
    return checkResult(
      'alert-deliveries',
      0,
      `${totals[0].n} alerts raised; each delivered, permanently failed or pending (${summary})`,
    );
  return checkResult(
    'alert-deliveries',
    stuck.length,
    `${stuck.length} alert(s) neither delivered nor permanently failed, with nothing pending: ${sample(stuck)}; ${summary}`,
  );
}
