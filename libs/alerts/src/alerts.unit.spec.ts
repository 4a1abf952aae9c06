import type { StoredEvent } from '@frictionwatch/event-store';
import {
  alertIdFor,
  SubscriptionFiltersSchema,
  SubscriptionSpecSchema,
  type AlertRaised,
} from './alert.events';
import { nextDigestDue, zonedTime } from './digest-schedule';
import { composeAlertMail, composeDigestMail, headerSafe } from './mail-composer';
import { evolveSubscription } from './subscription-state';
import { matchSubscription, type MatchableItem } from './subscription-matching';
import { signToken, verifyToken } from './unsubscribe-token';

const item = (over: Partial<MatchableItem> = {}): MatchableItem => ({
  title: 'Commerce imposes anti-dumping duties on solar cells from China',
  summary: '',
  friction: true,
  frictionTypes: ['anti_dumping'],
  sectors: ['solar_pv'],
  subsectors: ['solar_pv/cells_modules'],
  actors: ['US'],
  targets: ['CN'],
  stage: 'final',
  severity: 67,
  ...over,
});
const filters = (over: Record<string, unknown> = {}) => SubscriptionFiltersSchema.parse(over);

describe('matchSubscription', () => {
  it('matches when every non-empty filter is met, and says why', () => {
    const result = matchSubscription(
      filters({
        sectors: ['solar_pv'],
        frictionTypes: ['anti_dumping', 'tariff'],
        targets: ['CN'],
        minSeverity: 50,
      }),
      item(),
    );
    expect(result).toEqual({
      matched: true,
      reasons: ['measure: anti_dumping', 'sector: solar_pv', 'targeted: CN', 'severity 67 ≥ 50'],
    });
  });

  it('refuses on any unmet filter and on non-friction items', () => {
    expect(matchSubscription(filters({ actors: ['EU'] }), item()).matched).toBe(false);
    expect(matchSubscription(filters({ stages: ['preliminary'] }), item()).matched).toBe(false);
    expect(matchSubscription(filters({ minSeverity: 90 }), item()).matched).toBe(false);
    expect(matchSubscription(filters(), item({ friction: false })).matched).toBe(false);
  });

  it('a sector includes its subsectors; a subsector filter only that subsector', () => {
    expect(matchSubscription(filters({ sectors: ['solar_pv/cells_modules'] }), item()).matched).toBe(true);
    expect(matchSubscription(filters({ sectors: ['solar_pv/polysilicon'] }), item()).matched).toBe(false);
  });

  it('keywords match title or summary, case-insensitively', () => {
    expect(matchSubscription(filters({ keywords: ['SOLAR CELLS'] }), item())).toEqual({
      matched: true,
      reasons: ['keyword: "SOLAR CELLS"'],
    });
    expect(matchSubscription(filters({ keywords: ['wafers'] }), item()).matched).toBe(false);
  });
});

describe('subscription spec', () => {
  it('refuses addresses that could carry headers, unknown sectors and bad time zones', () => {
    const base = { recipient: 'a@example.org', name: 'n' };
    expect(
      SubscriptionSpecSchema.safeParse({ ...base, recipient: 'a@example.org\r\nBcc: b@x.org' }).success,
    ).toBe(false);
    expect(SubscriptionSpecSchema.safeParse({ ...base, recipient: 'A <a@example.org>' }).success).toBe(false);
    expect(SubscriptionSpecSchema.safeParse({ ...base, filters: { sectors: ['tulips'] } }).success).toBe(
      false,
    );
    expect(SubscriptionSpecSchema.safeParse({ ...base, timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(SubscriptionSpecSchema.parse(base)).toMatchObject({
      delivery: 'immediate',
      timeZone: 'UTC',
      sendHour: 8,
    });
  });
});

describe('digest schedule', () => {
  const timing = { delivery: 'daily' as const, timeZone: 'Europe/Brussels', sendHour: 8, sendWeekday: 1 };

  it('is due at the local send hour, across daylight-saving changes', () => {
    // Winter: 08:00 in Brussels is 07:00 UTC; summer: 06:00 UTC.
    expect(nextDigestDue(new Date('2026-01-15T10:00:00Z'), timing).toISOString()).toBe(
      '2026-01-16T07:00:00.000Z',
    );
    expect(nextDigestDue(new Date('2026-07-15T05:00:00Z'), timing).toISOString()).toBe(
      '2026-07-15T06:00:00.000Z',
    );
    // The night clocks go forward (29 March 2026): still 08:00 local.
    expect(nextDigestDue(new Date('2026-03-28T12:00:00Z'), timing).toISOString()).toBe(
      '2026-03-29T06:00:00.000Z',
    );
  });

  it('is strictly after the given instant', () => {
    const at = new Date('2026-01-16T07:00:00.000Z');
    expect(nextDigestDue(at, timing).toISOString()).toBe('2026-01-17T07:00:00.000Z');
  });

  it('weekly digests go out on their weekday', () => {
    const weekly = { ...timing, delivery: 'weekly' as const, sendWeekday: 5, timeZone: 'America/New_York' };
    // 2026-12-02 is a Wednesday: next Friday 08:00 in New York is 13:00 UTC.
    expect(nextDigestDue(new Date('2026-12-02T12:00:00Z'), weekly).toISOString()).toBe(
      '2026-12-04T13:00:00.000Z',
    );
  });

  it('maps a local wall time to its UTC instant', () => {
    expect(zonedTime({ year: 2026, month: 12, day: 2, hour: 9 }, 'Asia/Tokyo').toISOString()).toBe(
      '2026-12-02T00:00:00.000Z',
    );
    // Day arithmetic past month ends (a reminder 5 days before 3 March).
    expect(zonedTime({ year: 2026, month: 3, day: 3 - 5, hour: 8 }, 'UTC').toISOString()).toBe(
      '2026-02-26T08:00:00.000Z',
    );
  });
});

describe('signed tokens', () => {
  const id = 'sub_0123456789abcdef0123';

  it('verify what was signed, for its purpose only', () => {
    const token = signToken('secret-one-two-three', 'unsubscribe', id);
    expect(verifyToken('secret-one-two-three', 'unsubscribe', token)).toBe(id);
    expect(verifyToken('secret-one-two-three', 'confirm', token)).toBeNull();
  });

  it('refuse forged, altered and malformed tokens', () => {
    const token = signToken('secret-one-two-three', 'unsubscribe', id);
    expect(verifyToken('another-secret-value', 'unsubscribe', token)).toBeNull();
    const other = token.replace(id, 'sub_ffffffffffffffffffff');
    expect(verifyToken('secret-one-two-three', 'unsubscribe', other)).toBeNull();
    expect(verifyToken('secret-one-two-three', 'unsubscribe', 'unsubscribe.sub_x.abc')).toBeNull();
    expect(verifyToken('secret-one-two-three', 'unsubscribe', '')).toBeNull();
  });
});

describe('mails', () => {
  const alert: AlertRaised = {
    alertId: alertIdFor('sub_0123456789abcdef0123', { kind: 'item', itemId: 'i1' }),
    subscriptionId: 'sub_0123456789abcdef0123',
    recipient: 'team@example.org',
    subscriptionName: 'Solar\r\nBcc: evil@example.org',
    delivery: 'immediate',
    trigger: { kind: 'item', itemId: 'i1' },
    content: {
      title: 'Duties on <b>solar</b> cells\r\nX-Evil: 1',
      summary: 'Preliminary.',
      link: 'javascript:alert(1)',
      publishedAt: '2026-11-30T12:00:00.000Z',
      feedName: 'Federal Register',
      frictionTypes: ['anti_dumping'],
      sectors: ['solar_pv'],
      actors: ['US'],
      targets: ['CN'],
      stage: 'preliminary',
      severity: 70,
      caseId: 'case_1',
      caseTitle: 'Solar cells from China',
      evidence: ['frictionTypes: "anti-dumping"'],
      reasons: ['sector: solar_pv'],
    },
  };
  const context = {
    from: 'frictionwatch <alerts@example.org>',
    links: {
      unsubscribeUrl: 'https://fw.example.org/v1/unsubscribe?token=t',
      unsubscribeMailto: 'mailto:u@example.org?subject=t',
      manageUrl: 'https://fw.example.org/m',
    },
    messageDomain: 'example.org',
    labelOf: (id: string) =>
      ({ anti_dumping: 'Anti-dumping', solar_pv: 'Solar PV', preliminary: 'Preliminary' })[id] ?? id,
    timeline: [{ stage: 'investigation_opened', on: '2026-06-01', title: 'Initiation' }],
  };

  it('names measure, sector and actor → target in one safe subject line', () => {
    const mail = composeAlertMail(alert, context);
    expect(mail.subject).toBe(
      '[frictionwatch] Anti-dumping · Solar PV · US → CN: Duties on <b>solar</b> cells X-Evil: 1',
    );
    expect(mail.messageId).toBe(`<${alert.alertId}@example.org>`);
    expect(mail.headers).toEqual({
      'List-Unsubscribe': '<https://fw.example.org/v1/unsubscribe?token=t>, <mailto:u@example.org?subject=t>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('escapes the HTML part and links only http(s) URLs', () => {
    const mail = composeAlertMail(alert, context);
    expect(mail.html).toContain('Duties on &lt;b&gt;solar&lt;/b&gt; cells');
    expect(mail.html).not.toContain('javascript:');
    expect(mail.text).toContain('Case timeline:');
    expect(mail.text).toContain('Stage: Preliminary');
    expect(mail.text).toContain('Evidence (the phrases that matched):');
  });

  it('a digest carries every alert and the unsubscribe headers', () => {
    const mail = composeDigestMail(
      { digestId: 'dgst_1', subscriptionName: 'Solar', recipient: 'team@example.org', periodLabel: 'day' },
      [alert, { ...alert, alertId: 'alrt_2', content: { ...alert.content, title: 'Second' } }],
      context,
    );
    expect(mail.subject).toBe('[frictionwatch] Solar: 2 new items (day)');
    expect(mail.text).toContain('1. Duties on');
    expect(mail.text).toContain('2. Second');
    expect(mail.messageId).toBe('<dgst_1@example.org>');
  });

  it('headerSafe folds control characters and bounds the length', () => {
    expect(headerSafe('a\r\nb\u0000c\u2028d')).toBe('a b c d');
    expect(headerSafe('x'.repeat(300))).toHaveLength(200);
  });
});

describe('evolveSubscription', () => {
  const event = (type: string, data: Record<string, unknown>): StoredEvent =>
    ({ type, data, recordedAt: new Date('2026-12-01T00:00:00Z') }) as unknown as StoredEvent;
  const created = {
    ...SubscriptionSpecSchema.parse({ recipient: 'a@example.org', name: 'n' }),
    subscriptionId: 'sub_0123456789abcdef0123',
  };

  it('is pending until confirmed under double opt-in, and cancelled for good', () => {
    let state = evolveSubscription(undefined, event('SubscriptionCreated', { ...created, confirmed: false }));
    expect(state?.status).toBe('pending');
    state = evolveSubscription(
      state,
      event('SubscriptionConfirmed', { subscriptionId: created.subscriptionId }),
    );
    expect(state?.status).toBe('active');
    state = evolveSubscription(
      state,
      event('SubscriptionUpdated', { subscriptionId: created.subscriptionId, changes: { sendHour: 17 } }),
    );
    expect(state).toMatchObject({ status: 'active', sendHour: 17, name: 'n' });
    state = evolveSubscription(
      state,
      event('SubscriptionCancelled', { subscriptionId: created.subscriptionId, reason: 'unsubscribed' }),
    );
    expect(state?.status).toBe('cancelled');
    expect(evolveSubscription(state, event('SubscriptionConfirmed', {}))?.status).toBe('cancelled');
  });
});
