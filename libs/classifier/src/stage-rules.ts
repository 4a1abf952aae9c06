import type { StageId } from '@frictionwatch/taxonomy';
import type { Evidence } from './classification.types';
import type { Hit, Lexicon, Payload } from './lexicon';
import { hasCue, sameClause, type ScannedField } from './scanned-item';

type StagePayload = Extract<Payload, { kind: 'stage' }>;

/**
 * Where the case stands. The title decides when it names a stage, else the summary. Strong cues
 * ("provisional", "initiation", "sunset", "lifts", "decided not to impose") beat weak ones ("imposes",
 * "launches"); among cues of one strength the higher precedence wins (removed > review > final >
 * preliminary > investigation_opened > proposed), so "Final Results of Expedited Sunset Review" is a
 * review and "terminates the investigation" a removal. "let … expire" is a removal.
 */
export function decideStage(
  fields: readonly ScannedField[],
  lexicon: Lexicon,
  evidence: Evidence[],
): StageId | null {
  for (const field of fields) {
    let best: { hit: Hit; payload: StagePayload; rule: string } | null = null;
    const better = (p: StagePayload) =>
      !best ||
      (best.payload.weak && !p.weak) ||
      (best.payload.weak === p.weak && p.precedence > best.payload.precedence);
    for (const hit of field.hits) {
      for (const p of hit.payloads) {
        if (p.kind === 'stage' && better(p)) best = { hit, payload: p, rule: lexicon.ruleOf(hit.phrase, p) };
      }
    }
    const letExpire = findLetExpire(field);
    if (letExpire && (!best || best.payload.weak || best.payload.precedence < 6)) {
      best = {
        hit: letExpire,
        payload: { kind: 'stage', stage: 'removed', weak: false, precedence: 6 },
        rule: 'stage:removed:let_expire',
      };
    }
    if (best) {
      evidence.push({
        label: 'stage',
        value: best.payload.stage,
        rule: best.rule,
        field: field.field,
        start: best.hit.start,
        end: best.hit.end,
        text: field.text.slice(best.hit.start, best.hit.end),
      });
      return best.payload.stage;
    }
  }
  return null;
}

/** "let the duties expire", "allowed … to lapse": the span from "let" to "expire". */
function findLetExpire(field: ScannedField): Hit | null {
  for (const hit of field.hits) {
    if (!hasCue(hit, 'let')) continue;
    for (const other of field.hits) {
      if (other.start > hit.end && other.start - hit.end < 80 && hasCue(other, 'expire')) {
        if (sameClause(field.text, hit.end, other.start)) return { ...other, start: hit.start };
      }
    }
  }
  return null;
}
