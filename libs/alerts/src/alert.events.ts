import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EventDefinition } from '@frictionwatch/event-store';
import { FRICTION_TYPE_IDS, SECTOR_IDS, STAGE_IDS } from '@frictionwatch/taxonomy';

export const DELIVERY_MODES = ['immediate', 'daily', 'weekly'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** `items`: items and case stages that match the filters; `source-health`: a feed fails or recovers. */
export const SUBSCRIPTION_KINDS = ['items', 'source-health'] as const;
export type SubscriptionKind = (typeof SUBSCRIPTION_KINDS)[number];

const jurisdiction = z.string().regex(/^[A-Z]{2}$/, 'jurisdictions are ISO 3166-1 alpha-2 codes or EU');
const sector = z.string().refine((s) => (SECTOR_IDS as readonly string[]).includes(s.split('/')[0]), {
  message: `unknown sector (valid: ${SECTOR_IDS.join(', ')})`,
});

/** What a subscription follows; an empty list means "any". */
export const SubscriptionFiltersSchema = z
  .object({
    frictionTypes: z.array(z.enum(FRICTION_TYPE_IDS)).default([]),
    /** A sector includes its subsectors; `sector/child` names one subsector. */
    sectors: z.array(sector).default([]),
    actors: z.array(jurisdiction).default([]),
    targets: z.array(jurisdiction).default([]),
    stages: z.array(z.enum(STAGE_IDS)).default([]),
    minSeverity: z.number().int().min(0).max(100).default(0),
    /** Words or phrases, any of which must appear in the title or summary (case-insensitive). */
    keywords: z.array(z.string().min(1).max(100)).max(50).default([]),
    /** For `source-health`: the feeds followed (empty: every feed). */
    feedIds: z.array(z.string().min(1).max(100)).max(500).default([]),
  })
  .strict();
export type SubscriptionFilters = z.infer<typeof SubscriptionFiltersSchema>;

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** An address on one line: no CR/LF, no angle brackets, one @. Header injection starts here. */
export const RecipientSchema = z
  .string()
  .max(254)
  .regex(/^[^\s<>"(),;:@\\]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'must be a plain e-mail address');

export const SubscriptionSpecSchema = z.object({
  kind: z.enum(SUBSCRIPTION_KINDS).default('items'),
  recipient: RecipientSchema,
  name: z.string().min(1).max(120),
  filters: SubscriptionFiltersSchema.default(SubscriptionFiltersSchema.parse({})),
  delivery: z.enum(DELIVERY_MODES).default('immediate'),
  timeZone: z
    .string()
    .refine(validTimeZone, 'must be an IANA time zone such as Europe/Brussels')
    .default('UTC'),
  /** Local hour digests are sent at (immediate subscriptions: their overflow digest). */
  sendHour: z.number().int().min(0).max(23).default(8),
  /** Weekly digests: 1 = Monday .. 7 = Sunday. */
  sendWeekday: z.number().int().min(1).max(7).default(1),
  /** Remind this many days before a comment deadline or an effective date (null: no reminders). */
  remindDaysBefore: z.number().int().min(1).max(90).nullable().default(null),
});
export type SubscriptionSpec = z.infer<typeof SubscriptionSpecSchema>;

const subscriptionId = z.string().regex(/^sub_[a-z0-9]{8,40}$/);

export const SubscriptionCreatedSchema = SubscriptionSpecSchema.extend({
  subscriptionId,
  /** False while a double opt-in waits for the recipient's confirmation. */
  confirmed: z.boolean(),
});
export const SubscriptionUpdatedSchema = z.object({
  subscriptionId,
  changes: SubscriptionSpecSchema.omit({ kind: true, recipient: true }).partial(),
});
export const SubscriptionConfirmedSchema = z.object({ subscriptionId });
export const SubscriptionCancelledSchema = z.object({
  subscriptionId,
  reason: z.enum(['unsubscribed', 'deleted']),
});

/** What an alert is about: one item, a case reaching a stage, a deadline ahead, a feed's health. */
export const AlertTriggerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('item'), itemId: z.string() }),
  z.object({ kind: z.literal('case_stage'), itemId: z.string(), caseId: z.string(), stage: z.string() }),
  z.object({
    kind: z.literal('deadline'),
    itemId: z.string(),
    deadlineKind: z.enum(['comments_close', 'effective']),
    on: z.string(),
  }),
  z.object({
    kind: z.literal('feed_health'),
    feedId: z.string(),
    change: z.enum(['unhealthy', 'recovered']),
    reason: z.string().nullable(),
    sourceEventId: z.string(),
  }),
]);
export type AlertTrigger = z.infer<typeof AlertTriggerSchema>;

/** What the mail says, captured when the alert is raised (the mail never waits for a read model). */
export const AlertContentSchema = z.object({
  title: z.string(),
  summary: z.string(),
  link: z.string().nullable(),
  publishedAt: z.string().nullable(),
  feedName: z.string().nullable(),
  frictionTypes: z.array(z.string()),
  sectors: z.array(z.string()),
  actors: z.array(z.string()),
  targets: z.array(z.string()),
  stage: z.string().nullable(),
  severity: z.number(),
  caseId: z.string().nullable(),
  caseTitle: z.string().nullable(),
  /** The phrases that matched: `label: text`. */
  evidence: z.array(z.string()),
  /** Why it matched this subscription, one reason a line. */
  reasons: z.array(z.string()),
});
export type AlertContent = z.infer<typeof AlertContentSchema>;

export const AlertRaisedSchema = z.object({
  alertId: z.string(),
  subscriptionId,
  recipient: z.string(),
  subscriptionName: z.string(),
  delivery: z.enum(DELIVERY_MODES),
  trigger: AlertTriggerSchema,
  content: AlertContentSchema,
});
export type AlertRaised = z.infer<typeof AlertRaisedSchema>;

/** Too many immediate mails to one recipient this hour: this alert goes into the next digest. */
export const AlertDeferredSchema = z.object({ alertId: z.string(), reason: z.string() });
export const AlertDeliveredSchema = z.object({
  alertId: z.string(),
  messageId: z.string(),
  /** The SMTP server's reply to the message. */
  response: z.string(),
  /** Set when the alert went out in a digest. */
  digestId: z.string().nullable(),
});
export const AlertDeliveryFailedSchema = z.object({
  alertId: z.string(),
  permanent: z.boolean(),
  attempt: z.number().int(),
  /** The SMTP reply or the connection error, never credentials. */
  reply: z.string(),
  responseCode: z.number().int().nullable(),
});
/** One digest mail: the alerts it carried. Its stream makes the digest once per subscription and period. */
export const DigestDeliveredSchema = z.object({
  digestId: z.string(),
  subscriptionId,
  periodEnd: z.string(),
  alertIds: z.array(z.string()),
  messageId: z.string(),
  response: z.string(),
});

export type SubscriptionCreated = z.infer<typeof SubscriptionCreatedSchema>;
export type SubscriptionUpdated = z.infer<typeof SubscriptionUpdatedSchema>;

export const ALERT_EVENTS: EventDefinition[] = [
  { type: 'SubscriptionCreated', schemaVersion: 1, schema: SubscriptionCreatedSchema },
  { type: 'SubscriptionUpdated', schemaVersion: 1, schema: SubscriptionUpdatedSchema },
  { type: 'SubscriptionConfirmed', schemaVersion: 1, schema: SubscriptionConfirmedSchema },
  { type: 'SubscriptionCancelled', schemaVersion: 1, schema: SubscriptionCancelledSchema },
  { type: 'AlertRaised', schemaVersion: 1, schema: AlertRaisedSchema },
  { type: 'AlertDeferred', schemaVersion: 1, schema: AlertDeferredSchema },
  { type: 'AlertDelivered', schemaVersion: 1, schema: AlertDeliveredSchema },
  { type: 'AlertDeliveryFailed', schemaVersion: 1, schema: AlertDeliveryFailedSchema },
  { type: 'DigestDelivered', schemaVersion: 1, schema: DigestDeliveredSchema },
];

export function subscriptionStreamId(subscriptionId: string): string {
  return `subscription-${subscriptionId}`;
}

function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

/** The key that makes an alert unique: one per subscription and item, case stage, deadline or feed event. */
export function alertKey(subscriptionId: string, trigger: AlertTrigger): string {
  switch (trigger.kind) {
    case 'item':
      return `${subscriptionId}|item|${trigger.itemId}`;
    case 'case_stage':
      return `${subscriptionId}|case|${trigger.caseId}|${trigger.stage}`;
    case 'deadline':
      return `${subscriptionId}|deadline|${trigger.itemId}|${trigger.deadlineKind}|${trigger.on}`;
    case 'feed_health':
      return `${subscriptionId}|feed|${trigger.sourceEventId}`;
  }
}

/** `alrt_` + 24 hex digits of the alert key: the same alert always has the same id (and stream). */
export function alertIdFor(subscriptionId: string, trigger: AlertTrigger): string {
  return `alrt_${digestOf(alertKey(subscriptionId, trigger))}`;
}

export function alertStreamId(alertId: string): string {
  return `alert-${alertId}`;
}

export function digestIdFor(subscriptionId: string, periodEnd: string): string {
  return `dgst_${digestOf(`${subscriptionId}|${periodEnd}`)}`;
}

export function digestStreamId(digestId: string): string {
  return `digest-${digestId}`;
}
