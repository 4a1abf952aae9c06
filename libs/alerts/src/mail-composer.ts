import type { AlertRaised } from './alert.events';

/**
 * Composes alert and digest mails: a plain-text and an HTML part (inline styles only, no remote
 * images), a subject naming the measure, sector and actor → target, RFC 8058 one-click unsubscribe
 * headers, and a Message-ID derived from the alert (or digest) id. Pure: the same alert always makes
 * the same mail. Every value that reaches a header is folded to one line of printable characters;
 * every value that reaches the HTML is escaped.
 */
export interface MailLinks {
  /** https URL of `POST /v1/unsubscribe?token=…` (and the GET confirmation page). */
  unsubscribeUrl: string;
  /** mailto: address for clients that unsubscribe by mail. */
  unsubscribeMailto: string;
  /** Where the subscription is managed. */
  manageUrl: string;
}

export interface CaseTimelineEntry {
  stage: string;
  on: string;
  title: string;
}

export interface ComposedMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
}

export interface ComposeContext {
  from: string;
  links: MailLinks;
  /** Mail domain of Message-IDs. */
  messageDomain: string;
  /** Human labels of vocabulary ids (`solar_pv` → `Solar PV`); unknown ids stay as they are. */
  labelOf: (id: string) => string;
  /** The case's stages so far, when the alert belongs to a case. */
  timeline?: readonly CaseTimelineEntry[];
}

/** One line, printable, bounded: what may go into a header. */
export function headerSafe(text: string, max = 200): string {
  const folded = text
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return folded.length > max ? `${folded.slice(0, max - 1)}…` : folded;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function safeHref(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

function listHeaders(links: MailLinks): Record<string, string> {
  return {
    'List-Unsubscribe': `<${links.unsubscribeUrl}>, <${links.unsubscribeMailto}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

function labels(ids: readonly string[], labelOf: (id: string) => string): string {
  return ids.map(labelOf).join(', ');
}

/** `Anti-dumping · Solar PV · US → CN: <title>` (the parts that are known). */
export function alertSubject(alert: AlertRaised, labelOf: (id: string) => string): string {
  const c = alert.content;
  if (alert.trigger.kind === 'feed_health') {
    const state = alert.trigger.change === 'unhealthy' ? 'unhealthy' : 'recovered';
    return headerSafe(`[frictionwatch] Source ${state}: ${c.title}`);
  }
  const parts: string[] = [];
  if (c.frictionTypes.length) parts.push(labelOf(c.frictionTypes[0]));
  if (c.sectors.length) parts.push(labelOf(c.sectors[0]));
  if (c.actors.length || c.targets.length)
    parts.push(`${c.actors.join('/') || '?'} → ${c.targets.join('/') || '?'}`);
  const prefix =
    alert.trigger.kind === 'deadline'
      ? `Reminder ${alert.trigger.deadlineKind === 'comments_close' ? 'comments close' : 'takes effect'} ${alert.trigger.on}: `
      : alert.trigger.kind === 'case_stage'
        ? `Case now ${labelOf(alert.trigger.stage)}: `
        : '';
  return headerSafe(`[frictionwatch] ${prefix}${parts.join(' · ')}${parts.length ? ': ' : ''}${c.title}`);
}

function factLines(alert: AlertRaised, labelOf: (id: string) => string): [string, string][] {
  const c = alert.content;
  const facts: [string, string][] = [];
  if (c.publishedAt) facts.push(['Published', c.publishedAt.slice(0, 10)]);
  if (c.feedName) facts.push(['Source', c.feedName]);
  if (c.frictionTypes.length) facts.push(['Measure', labels(c.frictionTypes, labelOf)]);
  if (c.sectors.length) facts.push(['Sector', labels(c.sectors, labelOf)]);
  if (c.actors.length || c.targets.length)
    facts.push(['Who → whom', `${c.actors.join(', ') || '?'} → ${c.targets.join(', ') || '?'}`]);
  if (c.stage) facts.push(['Stage', labelOf(c.stage)]);
  if (alert.trigger.kind !== 'feed_health') facts.push(['Severity', `${c.severity} / 100`]);
  if (alert.trigger.kind === 'deadline')
    facts.push([
      alert.trigger.deadlineKind === 'comments_close' ? 'Comments close' : 'Takes effect',
      alert.trigger.on,
    ]);
  if (c.caseTitle) facts.push(['Case', c.caseTitle]);
  return facts;
}

function textSection(alert: AlertRaised, context: ComposeContext): string {
  const c = alert.content;
  const lines = [c.title, ''];
  if (c.link) lines.push(c.link, '');
  for (const [name, value] of factLines(alert, context.labelOf)) lines.push(`${name}: ${value}`);
  if (c.summary) lines.push('', c.summary);
  if (context.timeline?.length) {
    lines.push('', 'Case timeline:');
    for (const entry of context.timeline)
      lines.push(`  ${entry.on}  ${context.labelOf(entry.stage)}  ${entry.title}`);
  }
  if (c.evidence.length)
    lines.push('', 'Evidence (the phrases that matched):', ...c.evidence.map((e) => `  - ${e}`));
  lines.push('', `Why you got this (${alert.subscriptionName}):`, ...c.reasons.map((r) => `  - ${r}`));
  return lines.join('\n');
}

function htmlSection(alert: AlertRaised, context: ComposeContext): string {
  const c = alert.content;
  const href = safeHref(c.link);
  const title = href
    ? `<a href="${escapeHtml(href)}" style="color:#0b4f9c">${escapeHtml(c.title)}</a>`
    : escapeHtml(c.title);
  const facts = factLines(alert, context.labelOf)
    .map(
      ([name, value]) =>
        `<tr><td style="padding:2px 12px 2px 0;color:#555">${escapeHtml(name)}</td><td>${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const timeline = context.timeline?.length
    ? `<h3 style="font-size:14px;margin:16px 0 4px">Case timeline</h3><ol style="margin:0;padding-left:20px">${context.timeline
        .map(
          (e) =>
            `<li>${escapeHtml(e.on)} — <strong>${escapeHtml(context.labelOf(e.stage))}</strong> — ${escapeHtml(e.title)}</li>`,
        )
        .join('')}</ol>`
    : '';
  const evidence = c.evidence.length
    ? `<h3 style="font-size:14px;margin:16px 0 4px">Evidence</h3><ul style="margin:0;padding-left:20px">${c.evidence
        .map((e) => `<li>${escapeHtml(e)}</li>`)
        .join('')}</ul>`
    : '';
  return [
    `<h2 style="font-size:17px;margin:0 0 8px">${title}</h2>`,
    `<table style="border-collapse:collapse;font-size:14px">${facts}</table>`,
    c.summary ? `<p style="font-size:14px">${escapeHtml(c.summary)}</p>` : '',
    timeline,
    evidence,
    `<h3 style="font-size:14px;margin:16px 0 4px">Why you got this (${escapeHtml(alert.subscriptionName)})</h3>`,
    `<ul style="margin:0;padding-left:20px">${c.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`,
  ].join('\n');
}

function footerText(links: MailLinks): string {
  return `\n\n--\nManage this subscription: ${links.manageUrl}\nUnsubscribe in one click: ${links.unsubscribeUrl}\n`;
}

function wrapHtml(body: string, links: MailLinks): string {
  return [
    '<!doctype html><html><head><meta charset="utf-8"></head>',
    '<body style="font-family:Arial,Helvetica,sans-serif;color:#111;max-width:640px">',
    body,
    '<hr style="margin-top:24px;border:none;border-top:1px solid #ccc">',
    `<p style="font-size:12px;color:#555"><a href="${escapeHtml(links.manageUrl)}">Manage this subscription</a> · <a href="${escapeHtml(links.unsubscribeUrl)}">Unsubscribe</a></p>`,
    '</body></html>',
  ].join('\n');
}

/** One immediate alert mail. */
export function composeAlertMail(alert: AlertRaised, context: ComposeContext): ComposedMail {
  return {
    from: context.from,
    to: alert.recipient,
    subject: alertSubject(alert, context.labelOf),
    text: textSection(alert, context) + footerText(context.links),
    html: wrapHtml(htmlSection(alert, context), context.links),
    messageId: `<${alert.alertId}@${context.messageDomain}>`,
    headers: listHeaders(context.links),
  };
}

/** One digest mail carrying several alerts, newest last. */
export function composeDigestMail(
  digest: { digestId: string; subscriptionName: string; recipient: string; periodLabel: string },
  alerts: readonly AlertRaised[],
  context: Omit<ComposeContext, 'timeline'>,
): ComposedMail {
  const subject = headerSafe(
    `[frictionwatch] ${digest.subscriptionName}: ${alerts.length} new item${alerts.length === 1 ? '' : 's'} (${digest.periodLabel})`,
  );
  const text = alerts.map((a, i) => `${i + 1}. ${textSection(a, context)}`).join('\n\n----\n\n');
  const html = alerts
    .map((a) => htmlSection(a, context))
    .join('\n<hr style="border:none;border-top:1px solid #eee">\n');
  return {
    from: context.from,
    to: digest.recipient,
    subject,
    text: `${alerts.length} alerts for ${digest.subscriptionName} (${digest.periodLabel})\n\n${text}${footerText(context.links)}`,
    html: wrapHtml(html, context.links),
    messageId: `<${digest.digestId}@${context.messageDomain}>`,
    headers: listHeaders(context.links),
  };
}
