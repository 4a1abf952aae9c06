// What the soak counts at the end: published items against ItemIngested events, alerts raised, mails
// received (by Message-ID).
import type { Pool } from 'pg';
import { rawHeader, type SmtpSink } from '@frictionwatch/testing';
import type { FeedPublisher } from './feed-publisher';

export interface Tally {
  itemsPublished: number;
  /** Published items with at least one ItemIngested event. */
  itemsIngested: number;
  /** Published items with more than one ItemIngested event. */
  duplicates: number;
  /** Published items never ingested. */
  lost: number;
  alertsRaised: number;
  /** Distinct Message-IDs the SMTP server accepted. */
  mailsDelivered: number;
  /** Message-IDs accepted more than once. */
  duplicateMails: number;
}

export async function tally(pool: Pool, publisher: FeedPublisher, smtp: SmtpSink): Promise<Tally> {
  const { rows } = await pool.query<{ url: string; n: number }>(
    "SELECT data->>'url' AS url, count(*)::int AS n FROM events WHERE event_type = 'ItemIngested' GROUP BY 1",
  );
  const ingestions = new Map(rows.map((r) => [r.url, r.n]));
  let itemsIngested = 0;
  let duplicates = 0;
  for (const url of publisher.published.keys()) {
    const n = ingestions.get(url) ?? 0;
    if (n > 0) itemsIngested += 1;
    if (n > 1) duplicates += 1;
  }
  const { rows: alerts } = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM events WHERE event_type = 'AlertRaised'",
  );
  const receipts = new Map<string, number>();
  for (const mail of smtp.mails) {
    const id = rawHeader(mail.raw, 'Message-ID') ?? `(none ${receipts.size})`;
    receipts.set(id, (receipts.get(id) ?? 0) + 1);
  }
  return {
    itemsPublished: publisher.published.size,
    itemsIngested,
    duplicates,
    lost: publisher.published.size - itemsIngested,
    alertsRaised: alerts[0].n,
    mailsDelivered: receipts.size,
    duplicateMails: [...receipts.values()].filter((n) => n > 1).length,
  };
}
