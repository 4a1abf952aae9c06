import type { JurisdictionCode, MentionKind } from '@frictionwatch/taxonomy';
import type { Evidence } from './classification.types';
import type { Hit, Lexicon } from './lexicon';
import { hasCue, hitAfter, hitBefore, payloadOf, type ScannedField } from './scanned-item';

export type Role = 'actor' | 'target';

interface Mention {
  field: ScannedField;
  hit: Hit;
  start: number;
  end: number;
  code: JurisdictionCode;
  kind: MentionKind;
  role: Role | null;
  /** Why: `preposition`, `verb`, `measure`, `goods`, `list`, … (the evidence rule is `role:<role>:<why>`). */
  why: string;
  /** The first jurisdiction named at the start of the field, in subject position. */
  subject: boolean;
}

export interface PublisherHint {
  code: JurisdictionCode;
  field: 'jurisdictionHint' | 'source';
  text: string;
}

/** Words allowed between a preposition and the jurisdiction ("from the", "on certain"). */
const PREPOSITION_GAP =
  /^\s*(?:(?:the|a|an|certain|some|all|its|their|other|more|new|major|several|many|dozens of|hundreds of|[\d,.]+\+?)\s+){0,2}$/i;
/** What may separate a jurisdiction from the word after it ("China's new", "U.S. 100%"). */
const NEXT_GAP = /^(?:'s?|’s?)?\s*(?:(?!(?:and|or)\s)[^\s,;:.!?()"“”]+\s+){0,2}$/i;
/** What joins the members of a list of jurisdictions ("China, Thailand and Vietnam", "欧盟、美国"). */
const LIST_GAP =
  /^(?=.*(?:[,、和及与/]|\band\b|\bor\b|\bas well as\b))\s*(?:\(\d+\)\s*)?(?:,|、|和|及|与|\/)?\s*(?:(?:and|or|as well as)\s+)?(?:the\s+)?$/i;
/** Institution names many jurisdictions use for their own bodies. */
const GENERIC_INSTITUTIONS =
  /^(?:the\s+)?(?:commission|council|ministry of commerce|commerce ministry|commerce|customs)$/i;
/** A WTO dispute's title names the respondent first: "Japan — Measures Related to …". */
const DISPUTE_TITLE_DASH = /^\s*[—–-]/;

/**
 * Who acts and who is aimed at. Each mention gets a role from its neighbours: a preposition before it
 * ("imports from", "probe into", "against" → target; "by" → actor), a verb or measure word right before it
 * ("hikes China tariffs", "restrict China's …" → target), the word after it (an institution, a measure or
 * a verb → actor: "Chinese government", "EU tariffs", "China launches"; goods or a sector → target:
 * "Chinese EVs", "EU pork"), a list it belongs to ("from China, Thailand and Vietnam"), or its kind (an
 * institution or a capital acts; "Chinese-made" is a target; a firm such as Huawei is a target when no
 * jurisdiction is). The title decides first, then the summary's first sentence, then the publisher.
 * In a WTO dispute the complainant is the actor: the owner of the measure disputed is the target.
 */
export function resolveJurisdictions(
  fields: readonly ScannedField[],
  lexicon: Lexicon,
  hint: PublisherHint | null,
  wtoDispute: boolean,
  evidence: Evidence[],
  globalMeasure = false,
): { actors: JurisdictionCode[]; targets: JurisdictionCode[] } {
  const mentions = fields.flatMap((f) => mentionsIn(f, wtoDispute));
  if (hint) {
    // "the Commission" in a USITC notice is the USITC: generic institution names belong to the publisher.
    for (const m of mentions) {
      if (
        m.kind === 'institution' &&
        m.code !== hint.code &&
        GENERIC_INSTITUTIONS.test(m.field.text.slice(m.start, m.end))
      ) {
        m.code = hint.code;
        m.why = `${m.why}:publisher_institution`;
      }
    }
  }
  const inTitle = mentions.filter((m) => m.field.field === 'title');
  const inSummary = mentions.filter((m) => m.field.field === 'summary');
  const summary = fields[1];
  const leadMatch = summary ? /[.。!?！？;；](?:\s|$)/.exec(summary.text) : null;
  const leadEnd = leadMatch ? leadMatch.index : (summary?.text.length ?? 0);
  const inLead = inSummary.filter((m) => m.start < leadEnd);

  const actors: Mention[] = [];
  const pick = (list: readonly Mention[]) => {
    for (const m of list) if (!actors.some((a) => a.code === m.code)) actors.push(m);
  };
  const isActor = (m: Mention) => m.role === 'actor' && m.kind !== 'firm';
  const fallbackActor = (m: Mention) => wtoDispute && m.why.startsWith('wto_goods');
  pick(inTitle.filter((m) => isActor(m) && !fallbackActor(m)));
  if (actors.length === 0) {
    // The lead's subject, and those listed with it.
    const first = inLead.find((m) => isActor(m) && !fallbackActor(m));
    if (first)
      pick(
        inLead.filter(
          (m) => m === first || (m.start > first.start && m.role === 'actor' && m.why === 'list'),
        ),
      );
  }
  if (actors.length === 0) pick(inTitle.filter((m) => isActor(m)).slice(0, 1));
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
      subject.why = 'subject';
      actors.push(subject);
      actorCodes = [subject.code];
    }
  }
  for (const m of actors) evidence.push(evidenceOf(m, 'actors', lexicon));

  const targets: Mention[] = [];
  const addTargets = (list: readonly Mention[], firms: boolean) => {
    for (const m of list) {
      if (m.role !== 'target' || (m.kind === 'firm') !== firms) continue;
      if (actorCodes.includes(m.code) || targets.some((t) => t.code === m.code)) continue;
      targets.push(m);
    }
  };
  addTargets(inTitle, false);
  // A measure on all origins names countries in its summary only as sources of imports.
  if (targets.length === 0 && !globalMeasure) addTargets(inSummary, false);
  if (targets.length === 0) addTargets(inTitle, true);
  if (targets.length === 0 && !globalMeasure) addTargets(inSummary, true);
  let targetCodes = targets.map((m) => m.code);
  for (const m of targets) evidence.push(evidenceOf(m, 'targets', lexicon));
  if (targetCodes.length === 0 && !actorCodes.includes('CN') && !globalMeasure) {
    const china = mentions.find((m) => m.code === 'CN');
    if (china) {
      targetCodes = ['CN'];
      evidence.push({ ...evidenceOf(china, 'targets', lexicon), rule: 'role:target:china_named' });
    }
  }
  return { actors: actorCodes, targets: targetCodes };
}

function evidenceOf(m: Mention, label: 'actors' | 'targets', lexicon: Lexicon): Evidence {
  const j = payloadOf(m.hit, 'jurisdiction');
  return {
    label,
    value: m.code,
    rule: `role:${m.role ?? (label === 'actors' ? 'actor' : 'target')}:${m.why}|${lexicon.ruleOf(m.hit.phrase, j)}`,
    field: m.field.field,
    start: m.start,
    end: m.end,
    text: m.field.text.slice(m.start, m.end),
  };
}

function mentionsIn(field: ScannedField, wtoDispute: boolean): Mention[] {
  const mentions: Mention[] = [];
  const { text } = field;
  for (const hit of field.hits) {
    const j = payloadOf(hit, 'jurisdiction');
    if (!j) continue;
    const m: Mention = {
      field,
      hit,
      start: hit.start,
      end: hit.end,
      code: j.code,
      kind: j.mention,
      role: null,
      why: '',
      subject: false,
    };
    const previous = mentions[mentions.length - 1];
    if (
      previous &&
      previous.role &&
      previous.end <= m.start &&
      LIST_GAP.test(text.slice(previous.end, m.start))
    ) {
      m.role = previous.role;
      m.why = 'list';
    } else if (wtoDispute) {
      assignWtoRole(m, field, text);
    } else {
      assignRole(m, field, text);
    }
    if (
      mentions.length === 0 &&
      m.role === null &&
      !isSpeaker(m) &&
      (j.mention === 'name' || j.mention === 'demonym')
    ) {
      m.subject = /^\W*(?:\S+\s+){0,2}$/.test(text.slice(0, hit.start));
    }
    mentions.push(m);
  }
  // A list shares the role of whichever member has one ("the US and China agree").
  for (let i = mentions.length - 2; i >= 0; i--) {
    const m = mentions[i];
    const next = mentions[i + 1];
    if (m.role === null && next.role && m.end <= next.start && LIST_GAP.test(text.slice(m.end, next.start))) {
      m.role = next.role;
      m.why = 'list';
      m.subject = false;
    }
  }
  return mentions;
}

const isCjk = (text: string) => /[\u3400-\u9fff]/.test(text);

function assignRole(m: Mention, field: ScannedField, text: string): void {
  const set = (role: Role, why: string) => {
    m.role = role;
    m.why = why;
  };
  if (m.kind === 'origin' || m.kind === 'firm') return set('target', m.kind);
  const cjk = isCjk(text.slice(m.start, m.end));

  const before = hitBefore(field, m.start);
  if (before && !payloadOf(before, 'jurisdiction')) {
    const gap = text.slice(before.end, m.start);
    const close = cjk ? gap.length === 0 : PREPOSITION_GAP.test(gap);
    if (close && hasCue(before, 'targetPreposition')) return set('target', 'preposition');
    if (close && field.field === 'title' && hasCue(before, 'targetPrepositionWeak'))
      return set('target', 'preposition');
    if (close && hasCue(before, 'actorPreposition')) return set('actor', 'by');
    const verb = payloadOf(before, 'stage') ?? payloadOf(before, 'friction');
    if (verb && m.kind !== 'institution' && /^\s+$/.test(gap)) return set('target', 'object');
  }

  // Chinese: "美方对华 …", "欧盟对中国 …": the one before 对 acts.
  if (cjk && text.charCodeAt(m.end) === 0x5bf9) return set('actor', 'subject_particle');
  const after = hitAfter(field, m.end);
  if (after && !payloadOf(after, 'jurisdiction')) {
    const gap = text.slice(m.end, after.start);
    const close = cjk ? gap.length <= 2 : gap.length <= 30 && NEXT_GAP.test(gap);
    if (close && hasCue(after, 'speakerWord')) {
      m.why = 'speaker';
      return;
    }
    if (hasCue(after, 'subjectVerb') && (cjk ? gap.length === 0 : /^\s+$/.test(gap)))
      return set('actor', 'verb');
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
      if (payloadOf(after, 'stage')) return set('actor', 'verb');
    }
  }
  if (m.kind === 'institution' || m.kind === 'capital') return set('actor', m.kind);
  if (m.kind === 'demonym') return set('target', 'demonym');
}

/** Speakers ("China's commerce ministry opposes …") are neither actors nor, by default, subjects. */
function isSpeaker(m: Mention): boolean {
  return m.why === 'speaker';
}

/**
 * Roles in a WTO dispute: the complainant acts ("China files …", "requested by Korea", "in an EU
 * dispute"), the owner of the measure is the target ("against the US", "US tariffs", "Japan — Measures
 * …"). A jurisdiction whose goods are hit ("US tariffs on Chinese goods") is the complainant when the
 * text names no other.
 */
function assignWtoRole(m: Mention, field: ScannedField, text: string): void {
  const set = (role: Role, why: string) => {
    m.role = role;
    m.why = why;
  };
  if (m.kind === 'firm') return set('target', 'firm');
  const cjk = isCjk(text.slice(m.start, m.end));
  const before = hitBefore(field, m.start);
  if (before && !payloadOf(before, 'jurisdiction')) {
    const gap = text.slice(before.end, m.start);
    const close = cjk ? gap.length === 0 : PREPOSITION_GAP.test(gap);
    if (close && hasCue(before, 'actorPreposition')) return set('actor', 'by');
    if (close && /^(?:against|with|对|针对)$/i.test(text.slice(before.start, before.end).trim())) {
      return set('target', 'respondent');
    }
  }
  if (DISPUTE_TITLE_DASH.test(text.slice(m.end))) return set('target', 'respondent');
  const after = hitAfter(field, m.end);
  if (after && !payloadOf(after, 'jurisdiction')) {
    const gap = text.slice(m.end, after.start);
    const close = cjk ? gap.length <= 2 : gap.length <= 30 && NEXT_GAP.test(gap);
    if (hasCue(after, 'subjectVerb') && /^\s*$/.test(gap)) return set('actor', 'verb');
    if (close) {
      if (hasCue(after, 'disputeWord') || hasCue(after, 'wto')) return set('actor', 'complainant');
      const measure = payloadOf(after, 'friction');
      if (measure?.top === 'wto_dispute') return set('actor', 'complainant');
      if (measure) return set('target', 'measure_owner');
      if (payloadOf(after, 'stage') && !payloadOf(after, 'stage')!.weak) return set('actor', 'verb');
      if (payloadOf(after, 'stage')) return set('actor', 'verb');
      if (payloadOf(after, 'sector') || hasCue(after, 'goodsWord')) return set('actor', 'wto_goods');
    }
  }
  if (m.kind === 'origin' || m.kind === 'demonym') return set('actor', 'wto_goods');
  if (m.kind === 'institution' || m.kind === 'capital') return set('actor', m.kind);
}
