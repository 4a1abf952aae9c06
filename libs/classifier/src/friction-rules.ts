import type { FrictionTypeId } from '@frictionwatch/taxonomy';
import type { CaseRef } from './case-refs';
import type { Evidence } from './classification.types';
import type { Hit, Lexicon, Payload } from './lexicon';
import { hasCue, hitAfter, hitBefore, payloadOf, sameClause, type ScannedField } from './scanned-item';

type FrictionPayload = Extract<Payload, { kind: 'friction' }>;

interface TypeHit {
  field: ScannedField;
  hit: Hit;
  payload: FrictionPayload;
  passing: boolean;
}

export interface FrictionDecision {
  friction: boolean;
  frictionTypes: FrictionTypeId[];
  /** Every measure word of a friction (for duty rates near them). */
  typeHits: { field: ScannedField; hit: Hit }[];
  /** A measure on all origins (a Section 232 duty): it has no targets unless the title names them. */
  global: boolean;
}

const TRADE_REMEDIES: readonly FrictionTypeId[] = ['anti_dumping', 'anti_subsidy', 'safeguard'];

/**
 * Which measures the item reports, and whether it reports one at all.
 * - A measure named in the title makes a friction, unless the title reads as market news (sales, prices,
 *   a plant) and names no stage of a case; one named only in the summary counts when the title does not
 *   read as market news.
 * - A measure right after "despite", "amid", "to avoid" … is background, not news.
 * - Weak terms ("duties", "restrictions") count only beside a strong one or a stage of a case; "duties"
 *   says nothing more when a trade remedy is named ("anti-dumping duties" is not also a tariff).
 * - "WTO" with a dispute word is a WTO dispute; a case reference (A-570-…, AS689) names its measure.
 */
export function decideFriction(
  fields: readonly ScannedField[],
  caseRefs: readonly { field: ScannedField; ref: CaseRef }[],
  lexicon: Lexicon,
  evidence: Evidence[],
  publisherIsWto = false,
): FrictionDecision {
  // "probe into dairy subsidies": an anti-subsidy case named without its usual words.
  const subsidyCases = fields.flatMap((field) => subsidyProbes(field));
  const consumed = new Set(subsidyCases.map((c) => c.hit));
  const title = fields[0];
  const titleIsMarketNews = title.hits.some((h) => hasCue(h, 'nonFriction') && !consumed.has(h));

  const typeHits: TypeHit[] = subsidyCases.map(({ field, hit }) => ({
    field,
    hit,
    payload: { kind: 'friction', node: 'anti_subsidy', top: 'anti_subsidy', weak: false },
    passing: false,
  }));
  for (const field of fields) {
    for (const hit of field.hits) {
      for (const p of hit.payloads) {
        if (p.kind !== 'friction') continue;
        const payload = p.weak && p.top === 'security_restriction' ? retarget(field, hit, p) : p;
        const passing =
          isPassing(field, hit, 'passing') ||
          (titleIsMarketNews && isPassing(field, hit, 'passingInMarketNews'));
        typeHits.push({ field, hit, payload, passing });
      }
    }
  }
  const titleHasStage = title.hits.some((h) => payloadOf(h, 'stage') !== undefined);
  const summaryHasStage = fields
    .slice(1)
    .some((f) => f.hits.some((h) => payloadOf(h, 'stage') !== undefined));
  const titleNamesJurisdiction = title.hits.some((h) => payloadOf(h, 'jurisdiction') !== undefined);

  const live = typeHits.filter((t) => !t.passing);
  const strong = live.filter((t) => !t.payload.weak);
  const weak = live.filter((t) => t.payload.weak);
  const inTitle = (list: TypeHit[]) => list.filter((t) => t.field.field === 'title');
  const wto = [
    ...fields.flatMap((field) => wtoDisputes(field, publisherIsWto && field.field === 'title')),
    ...strong.filter((t) => t.payload.top === 'wto_dispute').map(({ field, hit }) => ({ field, hit })),
  ];
  const wtoRefs = caseRefs.filter((r) => r.ref.kind === 'wto');
  const refMeasures = caseRefs.filter((r) => r.ref.measure);

  let friction: boolean;
  if (inTitle(strong).length > 0 || wto.some((w) => w.field.field === 'title')) {
    friction = !titleIsMarketNews || titleHasStage;
  } else if (strong.length > 0 || wto.length > 0 || refMeasures.length > 0 || wtoRefs.length > 0) {
    friction = !titleIsMarketNews;
  } else if (inTitle(weak).length > 0) {
    friction = !titleIsMarketNews;
  } else if (weak.length > 0) {
    friction = !titleIsMarketNews && (titleHasStage || (titleNamesJurisdiction && summaryHasStage));
  } else {
    friction = false;
  }
  const gazette = !friction && !titleIsMarketNews ? gazetteTitle(title) : null;
  if (gazette) friction = true;
  const probe = !friction && !titleIsMarketNews ? tradeProbe(title) : null;
  if (probe) friction = true;
  if (!friction) return { friction: false, frictionTypes: [], typeHits: [], global: false };

  const types: FrictionTypeId[] = [];
  const kept: { field: ScannedField; hit: Hit }[] = [];
  const add = (
    type: FrictionTypeId,
    field: ScannedField,
    hit: Hit | null,
    rule: string,
    start = 0,
    end = 0,
  ) => {
    if (hit) kept.push({ field, hit });
    if (types.includes(type)) return;
    types.push(type);
    const s = hit ? hit.start : start;
    const e = hit ? hit.end : end;
    evidence.push({
      label: 'frictionTypes',
      value: type,
      rule,
      field: field.field,
      start: s,
      end: e,
      text: field.text.slice(s, e),
    });
  };
  if (wto.length > 0 || wtoRefs.length > 0) {
    // A WTO dispute item is about the dispute, not also about the measure disputed.
    const w = wto.find((x) => x.field.field === 'title') ?? wto[0];
    if (w) add('wto_dispute', w.field, w.hit, lexicon.ruleOf(w.hit.phrase));
    else
      add(
        'wto_dispute',
        wtoRefs[0].field,
        null,
        'type:wto_dispute:case_ref',
        wtoRefs[0].ref.start,
        wtoRefs[0].ref.end,
      );
  } else {
    // Trade remedies named in the title speak for the item ("Initiation of Countervailing Duty
    // Investigation" is not also the anti-dumping petition its summary mentions).
    const titleRemedies = new Set(
      inTitle(strong)
        .map((t) => t.payload.top)
        .filter((t) => TRADE_REMEDIES.includes(t)),
    );
    for (const t of strong) {
      if (titleRemedies.size > 0 && t.field.field !== 'title' && TRADE_REMEDIES.includes(t.payload.top))
        continue;
      if (t.payload.top === 'wto_dispute') continue;
      add(t.payload.top, t.field, t.hit, lexicon.ruleOf(t.hit.phrase, t.payload));
    }
    if (types.length === 0) {
      for (const { field, ref } of refMeasures)
        add(ref.measure!, field, null, `type:${ref.measure}:case_ref`, ref.start, ref.end);
    }
    if (types.length === 0 && gazette) {
      add('anti_dumping', title, gazette, 'type:anti_dumping:gazette_title');
    }
    if (types.length === 0 && probe) {
      add('anti_dumping', title, probe, 'type:anti_dumping:trade_probe');
    }
    if (types.length === 0) {
      const firstWeak = inTitle(weak)[0] ?? weak[0];
      if (firstWeak)
        add(
          firstWeak.payload.top,
          firstWeak.field,
          firstWeak.hit,
          lexicon.ruleOf(firstWeak.hit.phrase, firstWeak.payload),
        );
    }
    // A safeguard or trade-remedy duty is not also a tariff.
    if (types.some((t) => TRADE_REMEDIES.includes(t)) && types.includes('tariff')) {
      types.splice(types.indexOf('tariff'), 1);
      const at = evidence.findIndex((e) => e.label === 'frictionTypes' && e.value === 'tariff');
      if (at >= 0) evidence.splice(at, 1);
    }
  }
  if (types.length === 0) return { friction: false, frictionTypes: [], typeHits: [], global: false };
  const firstTitleHit = kept.find((k) => k.field.field === 'title') ?? kept[0];
  evidence.push({
    label: 'friction',
    value: true,
    rule: 'friction:measure_named',
    field: firstTitleHit ? firstTitleHit.field.field : 'title',
    start: firstTitleHit?.hit.start ?? 0,
    end: firstTitleHit?.hit.end ?? 0,
    text: firstTitleHit ? firstTitleHit.field.text.slice(firstTitleHit.hit.start, firstTitleHit.hit.end) : '',
  });
  const global = live.some((t) => t.payload.node === 'tariff/section_232');
  return {
    friction: true,
    frictionTypes: types,
    typeHits: live.map(({ field, hit }) => ({ field, hit })),
    global,
  };
}

/** How near (characters) a context word must be to a generic measure word to decide its type. */
const CONTEXT_WINDOW = 60;

/**
 * A generic measure word ("ban", "blocks", "restrictions") near an investment word is an investment
 * restriction ("blocks the takeover"), near an export word an export control ("bans exports"), else a
 * security-driven market restriction.
 */
function retarget(field: ScannedField, hit: Hit, payload: FrictionPayload): FrictionPayload {
  if (!field.cues.has('investmentWord') && !field.cues.has('exportWord')) return payload;
  let best: { distance: number; top: FrictionTypeId } | null = null;
  for (const other of field.hits) {
    const distance = other.start >= hit.end ? other.start - hit.end : hit.start - other.end;
    if (distance < 0 || distance > CONTEXT_WINDOW) continue;
    const from = Math.min(hit.end, other.end);
    const to = Math.max(hit.start, other.start);
    if (!sameClause(field.text, from, to)) continue;
    const top: FrictionTypeId | null = hasCue(other, 'investmentWord')
      ? 'investment_restriction'
      : hasCue(other, 'exportWord')
        ? 'export_control'
        : null;
    if (top && (!best || distance < best.distance)) best = { distance, top };
  }
  return best ? { ...payload, top: best.top, node: best.top } : payload;
}

/** A measure named right after "despite", "amid", "to avoid" … (within the clause, a few words before). */
function isPassing(field: ScannedField, hit: Hit, cue: 'passing' | 'passingInMarketNews'): boolean {
  for (let back = hit.start, steps = 0; steps < 4; steps++) {
    const before = hitBefore(field, back);
    if (!before || hit.start - before.end > 40 || !sameClause(field.text, before.end, hit.start))
      return false;
    if (hasCue(before, cue)) return true;
    back = before.start;
  }
  return false;
}

/**
 * The trade-remedy title convention of the Federal Register and other gazettes, when no measure is
 * named: "<product> From <country>: <stage>" or "…; Determination" (a jurisdiction right after "from",
 * then a colon or semicolon, then a stage cue). Such notices are anti-dumping cases unless they say
 * otherwise. Returns the stage cue's hit.
 */
function gazetteTitle(title: ScannedField): Hit | null {
  const colon = title.text.search(/[:;]\s*\S/);
  if (colon < 0) return null;
  const origin = title.hits.some((h) => {
    if (h.start > colon || !payloadOf(h, 'jurisdiction')) return false;
    const before = hitBefore(title, h.start);
    return (
      before !== undefined &&
      hasCue(before, 'targetPreposition') &&
      /^from$/i.test(title.text.slice(before.start, before.end))
    );
  });
  if (!origin) return null;
  return title.hits.find((h) => h.start > colon && payloadOf(h, 'stage') !== undefined) ?? null;
}

/**
 * "UK launches investigation into Chinese excavators": an investigation into a jurisdiction's goods
 * that names no measure is a trade-remedy case, anti-dumping unless it says otherwise. Returns the
 * investigation cue's hit.
 */
function tradeProbe(title: ScannedField): Hit | null {
  for (const hit of title.hits) {
    const stage = payloadOf(hit, 'stage');
    if (stage?.stage !== 'investigation_opened') continue;
    const next = hitAfter(title, hit.end);
    if (!next || next.start - hit.end > 12) continue;
    const j = payloadOf(next, 'jurisdiction');
    const into =
      /\b(?:into|on|of)$/i.test(title.text.slice(hit.start, hit.end)) ||
      (hasCue(next, 'targetPreposition') && /^(?:into|on|of)$/i.test(title.text.slice(next.start, next.end)));
    if ((j && (j.mention === 'demonym' || j.mention === 'origin')) || into) {
      const object = into && hasCue(next, 'targetPreposition') ? hitAfter(title, next.end) : next;
      const objectJurisdiction = object ? payloadOf(object, 'jurisdiction') : undefined;
      if (
        objectJurisdiction &&
        objectJurisdiction.mention !== 'firm' &&
        objectJurisdiction.mention !== 'institution'
      ) {
        return hit;
      }
      if (object && hasCue(object, 'goodsWord')) return hit;
    }
  }
  return null;
}

/** A subsidy word shortly after "probe into", "investigation into" …: the subsidy word's hit. */
function subsidyProbes(field: ScannedField): { field: ScannedField; hit: Hit }[] {
  const found: { field: ScannedField; hit: Hit }[] = [];
  if (!field.cues.has('subsidyWord')) return found;
  for (const hit of field.hits) {
    const stage = payloadOf(hit, 'stage');
    if (stage?.stage !== 'investigation_opened') continue;
    const subsidy = field.hits.find(
      (h) =>
        h.start >= hit.end &&
        h.start - hit.end <= 40 &&
        hasCue(h, 'subsidyWord') &&
        sameClause(field.text, hit.end, h.start),
    );
    if (subsidy) found.push({ field, hit: subsidy });
  }
  return found;
}

/** "WTO" and a dispute word in one clause. */
function wtoDisputes(field: ScannedField, publishedByWto: boolean): { field: ScannedField; hit: Hit }[] {
  const found: { field: ScannedField; hit: Hit }[] = [];
  if (publishedByWto && !field.cues.has('wto')) {
    // The WTO's own titles: "United States — Measures on …: Panel established".
    const dispute = field.hits.find((h) => hasCue(h, 'disputeWord'));
    return dispute ? [{ field, hit: dispute }] : [];
  }
  if (!field.cues.has('wto') || !field.cues.has('disputeWord')) return found;
  for (const hit of field.hits) {
    if (!hasCue(hit, 'wto')) continue;
    const dispute = field.hits.find(
      (h) =>
        hasCue(h, 'disputeWord') &&
        Math.abs(h.start - hit.start) < 80 &&
        sameClause(field.text, Math.min(h.end, hit.end), Math.max(h.start, hit.start)),
    );
    if (dispute) found.push({ field, hit });
  }
  return found;
}
