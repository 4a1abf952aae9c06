import type { JurisdictionCode, MentionKind } from '@frictionwatch/taxonomy';
import type { Evidence } from './classification.types';
import type { Lexicon } from './lexicon';
import { hasCue, hitAfter, hitBefore, payloadOf, type ScannedField } from './scanned-item';

export type Role = 'actor' | 'target';

interface Mention {
  field: ScannedField;
  start: number;
  end: number;
  code: JurisdictionCode;
  kind: MentionKind;
  role: Role | null;
  rule: string;
  /** The first jurisdiction named at the start of the field, in subject position. */
  subject: boolean;
}

/** Words allowed between a preposition and the jurisdiction ("from the", "on certain"). */
const PREPOSITION_GAP =
  /^\s*(?:(?:the|a|an|certain|some|all|its|their|other|more|new|major|several|many|dozens of|hundreds of|[\d,.]+\+?)\s+){0,2}$/i;
/** What may separate a jurisdiction from the word after it ("China's new", "U.S. 100%"). */
const NEXT_GAP = /^(?:'s?|’s?)?\s*(?:[^\s,;:.!?()"“”]+\s+){0,2}$/;

/**
 * Who acts and who is aimed at. Each mention gets a role from its neighbours: a preposition before it
 * ("imports from", "probe into", "against" → target; "by" → actor), the word after it (an institution,
 * a measure or a verb → actor: "Chinese government", "EU tariffs", "China launches"; goods or a sector →
 * target: "Chinese EVs", "EU pork"), or its kind (an institution or a capital acts; "Chinese-made" is a
 * target). The title decides first, then the summary's first sentence, then the publisher.
 */
export function resolveJurisdictions(
  fields: readonly ScannedField[],
  lexicon: Lexicon,
  hint: { code: JurisdictionCode; field: 'jurisdictionHint' | 'source'; text: string } | null,
  evidence: Evidence[],
): { actors: JurisdictionCode[]; targets: JurisdictionCode[] } {
  const mentions = fields.flatMap((f) => mentionsIn(f, lexicon));
  const inTitle = mentions.filter((m) => m.field.field === 'title');
  const inSummary = mentions.filter((m) => m.field.field === 'summary');
  const firstSentenceEnd = (text: string) => {
    const m = /[.。!?！？](?:\s|$)/.exec(text);
    return m ? m.index : text.length;
  };
  const inLead = inSummary.filter((m) => m.start < firstSentenceEnd(m.field.text));

  const actors: Mention[] = [];
  const pick = (list: Mention[]) => {
    for (const m of list) if (!actors.some((a) => a.code === m.code)) actors.push(m);
  };
  pick(inTitle.filter((m) => m.role === 'actor'));
  if (actors.length === 0) pick(inLead.filter((m) => m.role === 'actor'));
  let actorCodes = actors.map((m) => m.code);
  if (actorCodes.length === 0 && hint) {
    actorCodes = [hint.code];
    evidence.push({
      label: 'actors',
      value: hint.code,
      rule: `role:actor:${hint.field}`,
      field: hint.field,
      start: 0,
      end: hint.text.length,
      text: hint.text,
    });
  }
  if (actorCodes.length === 0) {
    const subject = inTitle.find((m) => m.subject) ?? inLead.find((m) => m.subject);
    if (subject) {
      subject.role = 'actor';
      subject.rule = 'role:actor:subject';
      actors.push(subject);
      actorCodes = [subject.code];
    }
  }
  for (const m of actors) evidence.push(evidenceOf(m, 'actors'));

  const targets: Mention[] = [];
  const addTargets = (list: Mention[]) => {
    for (const m of list) {
      if (m.role !== 'target' || actorCodes.includes(m.code) || targets.some((t) => t.code === m.code))
        continue;
      targets.push(m);
    }
  };
  addTargets(inTitle);
  if (targets.length === 0) addTargets(inSummary);
  let targetCodes = targets.map((m) => m.code);
  for (const m of targets) evidence.push(evidenceOf(m, 'targets'));
  if (targetCodes.length === 0 && !actorCodes.includes('CN')) {
    const china = mentions.find((m) => m.code === 'CN');
    if (china) {
      targetCodes = ['CN'];
      evidence.push({ ...evidenceOf(china, 'targets'), rule: 'role:target:china_named' });
    }
  }
  return { actors: actorCodes, targets: targetCodes };
}

function evidenceOf(m: Mention, label: 'actors' | 'targets'): Evidence {
  return {
    label,
    value: m.code,
    rule: m.rule,
    field: m.field.field,
    start: m.start,
    end: m.end,
    text: m.field.text.slice(m.start, m.end),
  };
}

function mentionsIn(field: ScannedField, lexicon: Lexicon): Mention[] {
  const mentions: Mention[] = [];
  const { text } = field;
  for (const hit of field.hits) {
    const j = payloadOf(hit, 'jurisdiction');
    if (!j) continue;
    const m: Mention = {
      field,
      start: hit.start,
      end: hit.end,
      code: j.code,
      kind: j.mention,
      role: null,
      rule: lexicon.ruleOf(hit.phrase, j),
      subject: false,
    };
    assignRole(m, field, text);
    if (mentions.length === 0 && m.role === null && (j.mention === 'name' || j.mention === 'demonym')) {
      m.subject = /^\W*(?:\S+\s+){0,2}$/.test(text.slice(0, hit.start));
    }
    mentions.push(m);
  }
  return mentions;
}

function assignRole(m: Mention, field: ScannedField, text: string): void {
  const set = (role: Role, why: string) => {
    m.role = role;
    m.rule = `role:${role}:${why}`;
  };
  if (m.kind === 'origin') return set('target', 'origin');
  const cjk = /[\u3400-\u9fff]/.test(text.slice(m.start, m.end));

  const before = hitBefore(field, m.start);
  if (before) {
    const gap = text.slice(before.end, m.start);
    const close = cjk ? gap.length === 0 : PREPOSITION_GAP.test(gap);
    if (close && hasCue(before, 'targetPreposition')) return set('target', 'preposition');
    if (close && hasCue(before, 'actorPreposition')) return set('actor', 'by');
    const verb = payloadOf(before, 'stage');
    if (close && verb && m.kind !== 'institution' && /^\s*$/.test(gap)) return set('target', 'object');
  }

  const after = hitAfter(field, m.end);
  if (after && !payloadOf(after, 'jurisdiction')) {
    const gap = text.slice(m.end, after.start);
    const close = cjk ? gap.length <= 2 : gap.length <= 30 && NEXT_GAP.test(gap);
    if (close) {
      if (hasCue(after, 'actorPreposition')) return set('target', 'passive');
      if (hasCue(after, 'institutionWord')) return set('actor', 'institution_word');
      if (payloadOf(after, 'friction')) return set('actor', 'measure');
      if (payloadOf(after, 'sector') || hasCue(after, 'goodsWord')) {
        if (m.kind === 'name' && !cjk) {
          const further = hitAfter(field, after.end);
          if (
            further &&
            payloadOf(further, 'friction') &&
            NEXT_GAP.test(text.slice(after.end, further.start))
          ) {
            return set('actor', 'measure');
          }
        }
        return set('target', 'goods');
      }
      const stage = payloadOf(after, 'stage');
      if (stage) return set('actor', 'verb');
    }
  }
  if (m.kind === 'institution' || m.kind === 'capital') return set('actor', m.kind);
  if (m.kind === 'demonym') return set('target', 'demonym');
}
