import { sql, type Kysely } from 'kysely';
import type {
  EventMetadataInput,
  PostgresEventStore,
  StoredEvent,
  StreamAppend,
} from '@frictionwatch/event-store';
import { kyselyQueryable, type Projection, type ProjectionContext } from '@frictionwatch/projections';
import {
  extractDeadlines,
  linkCase,
  readLabels,
  structuredRefs,
  type ItemLabels,
} from '@frictionwatch/read-models';
import {
  alertIdFor,
  alertKey,
  alertStreamId,
  type AlertContent,
  type AlertRaised,
  type AlertTrigger,
} from './alert.events';
import { zonedTime } from './digest-schedule';
import { isSubscriptionEvent, SUBSCRIPTION_EVENT_TYPES, type SubscriptionState } from './subscription-state';
import { matchSubscription } from './subscription-matching';
import {
  createSubscriptionsTable,
  foldSubscriptions,
  loadSubscriptions,
  saveSubscriptions,
  type SubscriptionsTables,
} from './subscriptions.projection';

export interface AlertMatcherTables extends SubscriptionsTables {
  /** Alert keys already raised (item, case stage, deadline): never twice, across reclassifications. */
  alerted: { alert_key: string };
}

/** An alert and the metadata of its event: the correlation id travels from the fetch to the mail. */
export interface RaisedAlert {
  alert: AlertRaised;
  metadata: EventMetadataInput;
}

function causedBy(event: StoredEvent): EventMetadataInput {
  return { correlationId: event.metadata.correlationId, causationId: event.eventId };
}

interface ItemText {
  title: string;
  summary: string;
  url: string | null;
  publishedAt: string;
  extra: Record<string, unknown>;
  feedName: string | null;
}

const MAX_EVIDENCE = 12;

function evidenceLines(labels: ItemLabels): string[] {
  const lines: string[] = [];
  for (const entry of labels.evidence) {
    const e = entry as { label?: unknown; text?: unknown; value?: unknown };
    if (typeof e.label !== 'string' || typeof e.text !== 'string') continue;
    const line = `${e.label}: "${e.text}"${typeof e.value === 'string' && e.value !== e.text ? ` (${e.value})` : ''}`;
    if (!lines.includes(line)) lines.push(line);
    if (lines.length >= MAX_EVIDENCE) break;
  }
  return lines;
}

/** Reads the ingested text each classification was made from, in the batch's own transaction. */
async function itemTexts(db: Kysely<unknown>, eventIds: string[]): Promise<Map<string, ItemText>> {
  const texts = new Map<string, ItemText>();
  if (eventIds.length === 0) return texts;
  const { rows } = await sql<{ event_id: string; event_type: string; data: Record<string, unknown> }>`
    SELECT event_id::text, event_type, data FROM public.events WHERE event_id = ANY (${eventIds}::uuid[])`.execute(
    db,
  );
  for (const row of rows) {
    const d = row.data;
    texts.set(row.event_id, {
      title: String(d.title ?? ''),
      summary: String(d.summary ?? ''),
      url: typeof d.url === 'string' ? d.url : null,
      publishedAt: String(d.publishedAt ?? ''),
      extra: (d.extra as Record<string, unknown>) ?? {},
      feedName:
        typeof (d.source as { name?: unknown } | undefined)?.name === 'string'
          ? (d.source as { name: string }).name
          : null,
    });
  }
  return texts;
}

interface Candidate {
  event: StoredEvent;
  subscription: SubscriptionState;
  itemId: string;
  labels: ItemLabels;
  text: ItemText;
  reasons: string[];
  caseId: string | null;
  caseTitle: string | null;
}

function contentOf(c: Candidate): AlertContent {
  return {
    title: c.text.title,
    summary: c.text.summary.slice(0, 2000),
    link: c.text.url,
    publishedAt: c.text.publishedAt || null,
    feedName: c.text.feedName,
    frictionTypes: c.labels.frictionTypes,
    sectors: c.labels.sectors,
    actors: c.labels.actors,
    targets: c.labels.targets,
    stage: c.labels.stage,
    severity: c.labels.severity,
    caseId: c.caseId,
    caseTitle: c.caseTitle,
    evidence: evidenceLines(c.labels),
    reasons: c.reasons,
  };
}

function raised(subscription: SubscriptionState, trigger: AlertTrigger, content: AlertContent): AlertRaised {
  return {
    alertId: alertIdFor(subscription.subscriptionId, trigger),
    subscriptionId: subscription.subscriptionId,
    recipient: subscription.recipient,
    subscriptionName: subscription.name,
    // Reminders and health changes are time-critical: they never wait for a digest.
    delivery: trigger.kind === 'item' || trigger.kind === 'case_stage' ? subscription.delivery : 'immediate',
    trigger,
    content,
  };
}

/**
 * The alert reactor. It follows the log like a projection (checkpointed) and, for each
 * `ItemClassified` and each case reaching a new stage, evaluates the active subscriptions and appends
 * `AlertRaised` to the alert's own stream (`no_stream`), in the batch's transaction: the alerts, the
 * keys it remembers and its checkpoint commit together, so each alert is raised exactly once, also
 * across reclassifications. It keeps its own copy of the subscriptions, folded in log order, so an item
 * is matched against the subscriptions as they stood when it was classified. Deadline reminders are
 * written to `alert_reminders` for the scheduler to raise on their day; feed health changes alert
 * `source-health` subscriptions.
 */
export function alertMatcher(
  store: PostgresEventStore,
  options: { now?: () => Date } = {},
): Projection<AlertMatcherTables> & { reactor: true } {
  const now = options.now ?? (() => new Date());
  return {
    name: 'alert_matcher',
    reactor: true,
    maxAttempts: 1_000_000,
    canHandle: [...SUBSCRIPTION_EVENT_TYPES, 'ItemClassified', 'FeedUnhealthy', 'FeedRecovered'],
    tables: ['subscriptions', 'alerted'],

    async createTables(db: Kysely<AlertMatcherTables>) {
      await createSubscriptionsTable(db as unknown as Kysely<SubscriptionsTables>);
      await db.schema
        .createTable('alerted')
        .addColumn('alert_key', 'text', (c) => c.primaryKey())
        .execute();
    },

    async handle(events: readonly StoredEvent[], { db }: ProjectionContext<AlertMatcherTables>) {
      const subscriptionsDb = db as unknown as Kysely<SubscriptionsTables>;
      const subscriptions = await loadSubscriptions(subscriptionsDb);
      const changedSubscriptions = new Map<string, SubscriptionState>();
      const classified = events.filter((e) => e.type === 'ItemClassified');
      const texts = await itemTexts(
        db as unknown as Kysely<unknown>,
        classified.map((e) => (e.data as { sourceEventId: string }).sourceEventId),
      );

      // Pass 1, in log order: subscriptions change as their events come; items meet the current ones.
      const candidates: Candidate[] = [];
      const healthAlerts: RaisedAlert[] = [];
      for (const event of events) {
        if (isSubscriptionEvent(event)) {
          for (const [id, state] of foldSubscriptions(subscriptions, [event]))
            changedSubscriptions.set(id, state);
          continue;
        }
        const active = [...subscriptions.values()].filter((s) => s.status === 'active');
        if (event.type === 'FeedUnhealthy' || event.type === 'FeedRecovered') {
          const data = event.data as { feedId: string; reason?: string };
          const change = event.type === 'FeedUnhealthy' ? 'unhealthy' : 'recovered';
          for (const s of active) {
            if (s.kind !== 'source-health') continue;
            if (s.filters.feedIds.length && !s.filters.feedIds.includes(data.feedId)) continue;
            const trigger: AlertTrigger = {
              kind: 'feed_health',
              feedId: data.feedId,
              change,
              reason: data.reason ?? null,
              sourceEventId: event.eventId,
            };
            healthAlerts.push({
              metadata: causedBy(event),
              alert: raised(s, trigger, {
                title: `${data.feedId} ${change === 'unhealthy' ? `is unhealthy: ${data.reason ?? ''}` : 'has recovered'}`,
                summary: '',
                link: null,
                publishedAt: event.recordedAt.toISOString(),
                feedName: data.feedId,
                frictionTypes: [],
                sectors: [],
                actors: [],
                targets: [],
                stage: null,
                severity: 0,
                caseId: null,
                caseTitle: null,
                evidence: [],
                reasons: [
                  s.filters.feedIds.length
                    ? `you follow the health of ${data.feedId}`
                    : 'you follow the health of every source',
                ],
              }),
            });
          }
          continue;
        }
        const data = event.data as {
          itemId: string;
          sourceEventId: string;
          classifierVersion: string;
          taxonomyVersion: string;
          classification: Record<string, unknown>;
        };
        const text = texts.get(data.sourceEventId);
        if (!text) continue; // the log always has it; a missing one is not ours to invent
        const labels = readLabels(data.classification, data);
        let link: ReturnType<typeof linkCase> | undefined;
        for (const s of active) {
          if (s.kind !== 'items') continue;
          const match = matchSubscription(s.filters, { ...labels, title: text.title, summary: text.summary });
          if (!match.matched) continue;
          link ??= linkCase({
            title: text.title,
            structuredRefs: structuredRefs(text.extra),
            labels: { ...labels, caseRefs: labels.caseRefs.map((r) => ({ kind: r.kind, ref: r.ref })) },
          });
          candidates.push({
            event,
            subscription: s,
            itemId: data.itemId,
            labels,
            text,
            reasons: match.reasons,
            caseId: link?.caseId ?? null,
            caseTitle: link?.title ?? null,
          });
        }
      }

      // Pass 2: which of these were raised before, then raise the rest, once each.
      const keysOf = (c: Candidate) => ({
        item: alertKey(c.subscription.subscriptionId, { kind: 'item', itemId: c.itemId }),
        stage:
          c.caseId && c.labels.stage
            ? alertKey(c.subscription.subscriptionId, {
                kind: 'case_stage',
                itemId: c.itemId,
                caseId: c.caseId,
                stage: c.labels.stage,
              })
            : null,
      });
      const wanted = candidates.flatMap((c) => {
        const k = keysOf(c);
        return k.stage ? [k.item, k.stage] : [k.item];
      });
      const seen = new Set<string>();
      if (wanted.length) {
        const rows = await db
          .selectFrom('alerted')
          .select('alert_key')
          .where('alert_key', 'in', wanted)
          .execute();
        for (const row of rows) seen.add(row.alert_key);
      }
      const alerts: RaisedAlert[] = [];
      const newKeys: string[] = [];
      const remember = (key: string) => {
        seen.add(key);
        newKeys.push(key);
      };
      const reminders: { alert: AlertRaised; remindAt: Date; dueOn: string }[] = [];
      for (const c of candidates) {
        const k = keysOf(c);
        const content = contentOf(c);
        if (!seen.has(k.item)) {
          remember(k.item);
          if (k.stage) remember(k.stage);
          alerts.push({
            alert: raised(c.subscription, { kind: 'item', itemId: c.itemId }, content),
            metadata: causedBy(c.event),
          });
        } else if (k.stage && !seen.has(k.stage)) {
          // A reclassification moved the item's case to a stage this subscriber has not heard of.
          remember(k.stage);
          alerts.push({
            alert: raised(
              c.subscription,
              { kind: 'case_stage', itemId: c.itemId, caseId: c.caseId!, stage: c.labels.stage! },
              content,
            ),
            metadata: causedBy(c.event),
          });
        }
        const days = c.subscription.remindDaysBefore;
        if (days === null) continue;
        for (const deadline of extractDeadlines({ ...c.text, publishedAt: c.text.publishedAt })) {
          const trigger: AlertTrigger = {
            kind: 'deadline',
            itemId: c.itemId,
            deadlineKind: deadline.kind,
            on: deadline.on,
          };
          const key = alertKey(c.subscription.subscriptionId, trigger);
          if (seen.has(key)) continue;
          const [y, m, d] = deadline.on.split('-').map(Number);
          const due = zonedTime({ year: y, month: m, day: d, hour: 23 }, c.subscription.timeZone);
          if (due.getTime() < now().getTime()) continue; // already past: nothing to remind of
          remember(key);
          const remindAt = zonedTime(
            { year: y, month: m, day: d - days, hour: c.subscription.sendHour },
            c.subscription.timeZone,
          );
          reminders.push({ alert: raised(c.subscription, trigger, content), remindAt, dueOn: deadline.on });
        }
      }

      await appendAlerts(store, db as unknown as Kysely<unknown>, [...alerts, ...healthAlerts]);
      if (newKeys.length)
        await db
          .insertInto('alerted')
          .values(newKeys.map((alert_key) => ({ alert_key })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      if (reminders.length)
        await sql`
          INSERT INTO public.alert_reminders (alert_id, subscription_id, remind_at, due_on, alert)
          SELECT * FROM unnest(${reminders.map((r) => r.alert.alertId)}::text[],
                               ${reminders.map((r) => r.alert.subscriptionId)}::text[],
                               ${reminders.map((r) => r.remindAt.toISOString())}::timestamptz[],
                               ${reminders.map((r) => r.dueOn)}::date[],
                               ${reminders.map((r) => JSON.stringify(r.alert))}::jsonb[])
          ON CONFLICT (alert_id) DO NOTHING`.execute(db);
      await saveSubscriptions(subscriptionsDb, changedSubscriptions.values());
    },
  };
}

/**
 * Appends `AlertRaised` events to their own streams inside the caller's transaction. A stream that
 * exists already is left alone (its alert was raised), so the append never conflicts.
 */
export async function appendAlerts(
  store: PostgresEventStore,
  db: Kysely<unknown>,
  alerts: readonly RaisedAlert[],
): Promise<RaisedAlert[]> {
  if (alerts.length === 0) return [];
  const unique = new Map(alerts.map((a) => [alertStreamId(a.alert.alertId), a]));
  const { rows } = await sql<{ stream_id: string }>`
    SELECT stream_id FROM public.event_streams WHERE stream_id = ANY (${[...unique.keys()]}::text[])`.execute(
    db,
  );
  for (const row of rows) unique.delete(row.stream_id);
  const appends: StreamAppend[] = [...unique.entries()].map(([streamId, { alert, metadata }]) => ({
    streamId,
    expectedVersion: 'no_stream',
    events: [{ type: 'AlertRaised', data: alert, metadata }],
  }));
  if (appends.length) await store.appendMany(appends, kyselyQueryable(db as never));
  return [...unique.values()];
}
