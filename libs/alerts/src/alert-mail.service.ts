import { UnrecoverableError } from 'bullmq';
import type { Pool } from 'pg';
import { deterministicEventId, type PostgresEventStore } from '@frictionwatch/event-store';
import { alertStreamId, digestIdFor, digestStreamId, type AlertRaised } from './alert.events';
import { composeAlertMail, composeDigestMail, headerSafe, type CaseTimelineEntry } from './mail-composer';
import { confirmUrl, mailLinks, messageDomainOf, type LinkSettings } from './mail-links';
import type { SendOutcome, SmtpMailer } from './smtp-mailer';
import type { SubscriptionCommands } from './subscription-commands';

export interface MailJobContext {
  attemptsMade: number;
  attempts: number;
  correlationId: string;
  causationId?: string;
}

export interface AlertMailSettings extends LinkSettings {
  from: string;
}

/** Where the read models live now (the alerts delivery log and the cases timeline). */
export type ActiveSchemaOf = (projection: string) => Promise<string>;

/** A failed send ends the job: a permanent rejection stops the queue's retries, anything else retries. */
function retryOrStop(outcome: Extract<SendOutcome, { ok: false }>): never {
  if (outcome.permanent) throw new UnrecoverableError(outcome.reply);
  throw new Error(`SMTP: ${outcome.reply}`);
}

/** Alerts a digest carries at most; the rest go out in the next one. */
export const DIGEST_MAX_ALERTS = 200;

/**
 * The mail jobs: one immediate alert, one digest, one opt-in confirmation. Delivered once as far as
 * SMTP allows: each job checks the log for a delivery before sending and appends `AlertDelivered`
 * after the server accepts; a crash between the two resends with the same Message-ID. Temporary
 * failures are recorded and retried by the queue; a permanent 5xx (or the last attempt) is recorded
 * as permanent and stops.
 */
export class AlertMailService {
  private readonly messageDomain: string;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly pool: Pool,
    private readonly mailer: SmtpMailer,
    private readonly subscriptions: SubscriptionCommands,
    private readonly settings: AlertMailSettings,
    private readonly labelOf: (id: string) => string,
    private readonly activeSchema: ActiveSchemaOf,
  ) {
    this.messageDomain = messageDomainOf(settings.from);
  }

  async sendAlert(alertId: string, job: MailJobContext): Promise<{ outcome: string }> {
    const events = await this.store.readStream(alertStreamId(alertId));
    const raisedEvent = events.find((e) => e.type === 'AlertRaised');
    if (!raisedEvent) throw new UnrecoverableError(`No alert ${alertId}`);
    const done = events.find(
      (e) =>
        e.type === 'AlertDelivered' ||
        e.type === 'AlertDeferred' ||
        (e.type === 'AlertDeliveryFailed' && (e.data as { permanent: boolean }).permanent),
    );
    if (done) return { outcome: `already ${done.type}` };
    const alert = raisedEvent.data as AlertRaised;
    const metadata = { correlationId: job.correlationId, causationId: job.causationId };

    const subscription = await this.subscriptions.get(alert.subscriptionId);
    if (!subscription || subscription.state.status === 'cancelled') {
      await this.recordFailure(alert.alertId, job, {
        ok: false,
        permanent: true,
        reply: 'not sent: the subscription was cancelled before delivery',
        responseCode: null,
      });
      return { outcome: 'subscription cancelled' };
    }

    const mail = composeAlertMail(alert, {
      from: this.settings.from,
      links: mailLinks(this.settings, alert.subscriptionId),
      messageDomain: this.messageDomain,
      labelOf: this.labelOf,
      timeline: alert.content.caseId ? await this.timeline(alert.content.caseId) : undefined,
    });
    const outcome = await this.mailer.send(mail);
    if (!outcome.ok) return this.failed(alert.alertId, job, outcome);
    await this.store.append(alertStreamId(alert.alertId), [
      {
        type: 'AlertDelivered',
        eventId: deterministicEventId(`AlertDelivered:${alert.alertId}`),
        data: {
          alertId: alert.alertId,
          messageId: mail.messageId,
          response: outcome.response,
          digestId: null,
        },
        metadata,
      },
    ]);
    return { outcome: 'delivered' };
  }

  /** The digest of one subscription for the period ending at `periodEnd`; an empty period sends nothing. */
  async sendDigest(
    subscriptionId: string,
    periodEnd: string,
    job: MailJobContext,
  ): Promise<{ outcome: string }> {
    const subscription = await this.subscriptions.get(subscriptionId);
    if (!subscription || subscription.state.status !== 'active')
      return { outcome: 'subscription not active' };
    const digestId = digestIdFor(subscriptionId, periodEnd);
    const metadata = { correlationId: job.correlationId, causationId: job.causationId };
    if ((await this.store.streamVersion(digestStreamId(digestId))) !== null)
      return { outcome: 'already delivered' };

    const alerts = await this.pendingDigestAlerts(subscriptionId, periodEnd);
    if (alerts.length === 0) return { outcome: 'nothing to send' };
    const state = subscription.state;
    const mail = composeDigestMail(
      {
        digestId,
        subscriptionName: state.name,
        recipient: state.recipient,
        periodLabel: `${state.delivery === 'weekly' ? 'week' : 'day'} to ${periodEnd.slice(0, 16).replace('T', ' ')} UTC`,
      },
      alerts,
      {
        from: this.settings.from,
        links: mailLinks(this.settings, subscriptionId),
        messageDomain: this.messageDomain,
        labelOf: this.labelOf,
      },
    );
    const outcome = await this.mailer.send(mail);
    if (!outcome.ok) {
      for (const alert of alerts) await this.recordFailure(alert.alertId, job, outcome);
      retryOrStop(outcome);
    }
    // The digest's stream and every alert's delivery in one transaction: all of them or none.
    await this.store.appendMany([
      {
        streamId: digestStreamId(digestId),
        expectedVersion: 'no_stream',
        events: [
          {
            type: 'DigestDelivered',
            eventId: deterministicEventId(`DigestDelivered:${digestId}`),
            data: {
              digestId,
              subscriptionId,
              periodEnd,
              alertIds: alerts.map((a) => a.alertId),
              messageId: mail.messageId,
              response: outcome.response,
            },
            metadata,
          },
        ],
      },
      ...alerts.map((alert) => ({
        streamId: alertStreamId(alert.alertId),
        events: [
          {
            type: 'AlertDelivered',
            eventId: deterministicEventId(`AlertDelivered:${alert.alertId}`),
            data: { alertId: alert.alertId, messageId: mail.messageId, response: outcome.response, digestId },
            metadata,
          },
        ],
      })),
    ]);
    return { outcome: `delivered ${alerts.length}` };
  }

  /** The double opt-in mail: a signed link that confirms the subscription. */
  async sendConfirmation(subscriptionId: string): Promise<{ outcome: string }> {
    const subscription = await this.subscriptions.get(subscriptionId);
    if (!subscription || subscription.state.status !== 'pending') return { outcome: 'nothing to confirm' };
    const url = confirmUrl(this.settings, subscriptionId);
    const name = headerSafe(subscription.state.name, 120);
    const outcome = await this.mailer.send({
      from: this.settings.from,
      to: subscription.state.recipient,
      subject: headerSafe(`[frictionwatch] Confirm your subscription: ${name}`),
      text: `Someone (hopefully you) subscribed this address to frictionwatch alerts "${name}".\n\nConfirm: ${url}\n\nIf this was not you, ignore this mail: nothing will be sent.\n`,
      html: `<p>Someone (hopefully you) subscribed this address to frictionwatch alerts.</p><p><a href="${url}">Confirm the subscription</a></p><p>If this was not you, ignore this mail: nothing will be sent.</p>`,
      messageId: `<confirm.${subscriptionId}@${this.messageDomain}>`,
      headers: {},
    });
    if (!outcome.ok) retryOrStop(outcome);
    return { outcome: 'sent' };
  }

  /** Alerts of the subscription waiting for a digest, raised before the period ended, not delivered. */
  private async pendingDigestAlerts(subscriptionId: string, periodEnd: string): Promise<AlertRaised[]> {
    const schema = await this.activeSchema('alerts');
    const { rows } = await this.pool.query<{ alert_id: string }>(
      `SELECT alert_id FROM "${schema}".alerts
       WHERE subscription_id = $1 AND raised_at <= $2
         AND (status = 'deferred' OR (status = 'pending' AND delivery <> 'immediate'))
       ORDER BY raised_at, alert_id LIMIT ${DIGEST_MAX_ALERTS}`,
      [subscriptionId, periodEnd],
    );
    if (rows.length === 0) return [];
    // The read model may lag the log: the log has the last word on what was delivered.
    const streams = rows.map((r) => alertStreamId(r.alert_id));
    const { rows: events } = await this.pool.query<{
      stream_id: string;
      event_type: string;
      data: AlertRaised;
    }>(
      `SELECT stream_id, event_type, data FROM events
       WHERE stream_id = ANY ($1::text[]) AND event_type IN ('AlertRaised', 'AlertDelivered')
       ORDER BY global_position`,
      [streams],
    );
    const delivered = new Set(
      events.filter((e) => e.event_type === 'AlertDelivered').map((e) => e.stream_id),
    );
    return events
      .filter((e) => e.event_type === 'AlertRaised' && !delivered.has(e.stream_id))
      .map((e) => e.data);
  }

  private async timeline(caseId: string): Promise<CaseTimelineEntry[] | undefined> {
    try {
      const schema = await this.activeSchema('cases');
      const { rows } = await this.pool.query<CaseTimelineEntry>(
        `SELECT stage, on_date::text AS "on", title FROM "${schema}".case_timeline
         WHERE case_id = $1 ORDER BY on_date, stage_rank, item_id LIMIT 20`,
        [caseId],
      );
      return rows;
    } catch {
      return undefined; // the cases read model is not run here: the mail goes without its timeline
    }
  }

  private async failed(
    alertId: string,
    job: MailJobContext,
    outcome: Extract<SendOutcome, { ok: false }>,
  ): Promise<never> {
    await this.recordFailure(alertId, job, outcome);
    retryOrStop(outcome);
  }

  private async recordFailure(
    alertId: string,
    job: MailJobContext,
    outcome: Extract<SendOutcome, { ok: false }>,
  ): Promise<void> {
    const attempt = job.attemptsMade + 1;
    const last = attempt >= job.attempts;
    await this.store.append(alertStreamId(alertId), [
      {
        type: 'AlertDeliveryFailed',
        eventId: deterministicEventId(`AlertDeliveryFailed:${alertId}:${attempt}`),
        data: {
          alertId,
          permanent: outcome.permanent || last,
          attempt,
          reply:
            last && !outcome.permanent
              ? `gave up after ${attempt} attempts: ${outcome.reply}`
              : outcome.reply,
          responseCode: outcome.responseCode,
        },
        metadata: { correlationId: job.correlationId, causationId: job.causationId },
      },
    ]);
  }
}
