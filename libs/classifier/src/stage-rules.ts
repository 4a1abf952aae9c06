import type { StageId } from '@frictionwatch/taxonomy';
import type { Evidence } from './classification.types';
import type { Hit, Lexicon, Payload } from './lexicon';
import { hasCue, sameClause, type ScannedField } from './scanned-item';

type StagePayload = Extract<Payload, { kind: 'stage' }>;

/**
 * Where the case stands. The title decides when it names a stage, else the summary. Within a field,
 * strong cues ("provisional", "initiation", "sunset", "lifts", "decided not to impose") beat weak ones
 * ("imposes", "launches", a bare "review"), which beat generic ones ("announces", "new"), and among cues
 * of one strength the higher precedence wins (removed > review > final >
 * preliminary > investigation_opened > proposed), so "Final Results of Expedited Sunset Review" is a
 * review and "terminates the investigation" a removal. "let … expire" is a removal. A measure reported
 * without any cue is taken to be in force (`final`; a WTO dispute: filed, `investigation_opened`); an
 * EU import registration has no stage (`null`).
 */
export function decideStage(
  fields: readonly ScannedField[],
  lexicon: Lexicon,
  evidence: Evidence[],
  wtoDispute = false,
): StageId | null {
  if (fields[0].cues.has('noStage')) return null;
  let best: Candidate | null = null;
  for (const field of fields) {
    for (const hit of field.hits) {
      for (const p of hit.payloads) {
        if (p.kind === 'stage')
          best = better(best, { field, hit, payload: p, rule: lexicon.ruleOf(hit.phrase, p) });
      }
    }
    const letExpire = findLetExpire(field);
    if (letExpire) {
      const payload: StagePayload = { kind: 'stage', stage: 'removed', weak: false, precedence: 6 };
      best = better(best, { field, hit: letExpire, payload, rule: 'stage:removed:let_expire' });
    }
  }
  if (!best) {
    // A measure reported without its stage is most often one in force; a WTO dispute, one filed.
    const stage: StageId = wtoDispute ? 'investigation_opened' : 'final';
    evidence.push({
      label: 'stage',
      value: stage,
      rule: `stage:${stage}:default`,
      field: 'title',
      start: 0,
      end: 0,
      text: '',
    });
    return stage;
  }
  evidence.push({
    label: 'stage',
    value: best.payload.stage,
    rule: best.rule,
    field: best.field.field,
    start: best.hit.start,
    end: best.hit.end,
    text: best.field.text.slice(best.hit.start, best.hit.end),
  });
  return best.payload.stage;
}

interface Candidate {
  field: ScannedField;
  hit: Hit;
  payload: StagePayload;
  rule: string;
}

const strength = (p: StagePayload) => (p.generic ? 0 : p.weak ? 1 : 2);

/**
 * The title before the summary (unless the title has only a generic verb); then strong before weak
 * before generic; then the higher precedence.
 */
function better(a: Candidate | null, b: Candidate): Candidate {
  if (!a) return b;
  // A generic verb in the title ("announces") gives way to any cue of the summary.
  if (a.field.field !== b.field.field && !a.payload.generic && !b.payload.generic) {
    return a.field.field === 'title' ? a : b;
  }
  if (strength(a.payload) !== strength(b.payload)) return strength(a.payload) > strength(b.payload) ? a : b;
  return b.payload.precedence > a.payload.precedence ? b : a;
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
