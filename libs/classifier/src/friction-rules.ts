import type { FrictionTypeId } from '@frictionwatch/taxonomy';
import type { CaseRef } from './case-refs';
import type { Evidence } from './classification.types';
import type { Hit, Lexicon, Payload } from './lexicon';
import { hasCue, hitBefore, payloadOf, sameClause, type ScannedField } from './scanned-item';

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
  /** Hits of the kept types (for duty rates near them). */
  typeHits: { field: ScannedField; hit: Hit }[];
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
): FrictionDecision {
  const typeHits: TypeHit[] = [];
  for (const field of fields) {
    for (const hit of field.hits) {
      const payload = payloadOf(hit, 'friction');
      if (!payload) continue;
      for (const p of hit.payloads) {
        if (p.kind === 'friction') typeHits.push({ field, hit, payload: p, passing: isPassing(field, hit) });
      }
    }
  }
  const title = fields[0];
  const titleIsMarketNews = title.hits.some((h) => hasCue(h, 'nonFriction'));
  const titleHasStage = title.hits.some((h) => {
    const stage = payloadOf(h, 'stage');
    return stage !== undefined && !stage.weak;
  });

  const live = typeHits.filter((t) => !t.passing);
  const strong = live.filter((t) => !t.payload.weak);
  const strongInTitle = strong.some((t) => t.field.field === 'title');
  const wto = fields.flatMap((field) => wtoDisputes(field));
  const refMeasures = caseRefs.filter((r) => r.ref.measure);

  let friction: boolean;
  if (strongInTitle || wto.some((w) => w.field.field === 'title')) {
    friction = !titleIsMarketNews || titleHasStage;
  } else if (strong.length > 0 || wto.length > 0 || refMeasures.length > 0) {
    friction = !titleIsMarketNews;
  } else {
    const weakInTitle = live.some((t) => t.field.field === 'title');
    friction = weakInTitle && titleHasStage && !titleIsMarketNews;
  }
  if (!friction) return { friction: false, frictionTypes: [], typeHits: [] };

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
  for (const t of strong) add(t.payload.top, t.field, t.hit, lexicon.ruleOf(t.hit.phrase, t.payload));
  for (const w of wto) add('wto_dispute', w.field, w.hit, 'type:wto_dispute:wto_with_dispute_word');
  for (const { field, ref } of refMeasures) {
    add(ref.measure!, field, null, `type:${ref.measure}:case_ref`, ref.start, ref.end);
  }
  for (const t of live.filter((x) => x.payload.weak)) {
    if (t.payload.top === 'tariff' && types.some((x) => TRADE_REMEDIES.includes(x))) continue;
    if (t.payload.top !== 'tariff' && types.length > 0) continue;
    add(t.payload.top, t.field, t.hit, lexicon.ruleOf(t.hit.phrase, t.payload));
  }
  if (types.length === 0) return { friction: false, frictionTypes: [], typeHits: [] };
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
  return { friction: true, frictionTypes: types, typeHits: kept };
}

/** A measure named right after "despite", "amid", "to avoid" … (within the clause, a few words before). */
function isPassing(field: ScannedField, hit: Hit): boolean {
  for (let back = hit.start, steps = 0; steps < 4; steps++) {
    const before = hitBefore(field, back);
    if (!before || hit.start - before.end > 40 || !sameClause(field.text, before.end, hit.start))
      return false;
    if (hasCue(before, 'passing')) return true;
    back = before.start;
  }
  return false;
}

/** "WTO" and a dispute word in one clause. */
function wtoDisputes(field: ScannedField): { field: ScannedField; hit: Hit }[] {
  const found: { field: ScannedField; hit: Hit }[] = [];
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
