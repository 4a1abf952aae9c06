import type { FrictionTypeId, MentionKind, SectorId, StageId, Taxonomy } from '@frictionwatch/taxonomy';
import { CUES, type CueName } from './cues';
import { PhraseMatcher, type PhraseMatch } from './phrase-matcher';
import { normalizePhrase } from './text-normalizer';

/** What a matched phrase means. One phrase may mean several things ("Chinese-built": CN and ships). */
export type Payload =
  | { kind: 'sector'; node: string; top: SectorId }
  | { kind: 'friction'; node: string; top: FrictionTypeId; weak: boolean }
  | { kind: 'stage'; stage: StageId; weak: boolean; generic?: boolean; precedence: number }
  | { kind: 'jurisdiction'; code: string; mention: MentionKind }
  | { kind: 'blocker' }
  | { kind: 'cue'; cue: CueName };

/** A match that survived the longest-match rule, with what it means. */
export interface Hit {
  start: number;
  end: number;
  /** Index of the phrase (its rule id is `Lexicon.ruleOf`). */
  phrase: number;
  payloads: readonly Payload[];
}

type Channel = 0 | 1 | 2 | 3;
const ROLE_CUES: ReadonlySet<string> = new Set([
  'targetPreposition',
  'targetPrepositionWeak',
  'actorPreposition',
  'institutionWord',
  'subjectVerb',
  'speakerWord',
  'goodsWord',
]);
/**
 * Jurisdiction mentions compete with each other, the small words that give them roles with each other
 * ("rules against" does not hide "against"), stage cues with each other ("临时反倾销" does not hide
 * "反倾销"), everything else together.
 */
const channelOf = (p: Payload): Channel =>
  p.kind === 'jurisdiction' || p.kind === 'blocker'
    ? 1
    : p.kind === 'cue' && ROLE_CUES.has(p.cue)
      ? 2
      : p.kind === 'stage'
        ? 3
        : 0;

/**
 * All phrases of the taxonomy and of the classifier's cues, compiled once into one matcher. `scan` finds
 * every phrase in a text in one pass and keeps, per channel, the longest of overlapping matches
 * ("battery electric vehicle" over "battery", "Ministry of Commerce" over "Commerce").
 */
export class Lexicon {
  private readonly matcher: PhraseMatcher;
  private readonly payloads: Payload[][];
  private readonly channels: Uint8Array;
  private readonly rules: string[];
  private readonly matches: PhraseMatch[] = [];
  private readonly terms: string[];
  private readonly payloadRules = new Map<Payload, string>();

  constructor(taxonomy: Taxonomy) {
    const index = new Map<string, number>();
    const terms: string[] = [];
    const payloads: Payload[][] = [];
    const rules: string[] = [];
    const add = (term: string, payload: Payload, rule: string) => {
      const key = term.startsWith('=') ? term : normalizePhrase(term.endsWith('*') ? term : term);
      let at = index.get(key);
      if (at === undefined) {
        at = terms.length;
        index.set(key, at);
        terms.push(term);
        payloads.push([]);
        rules.push(rule);
      }
      const list = payloads[at];
      if (!list.some((p) => JSON.stringify(p) === JSON.stringify(payload))) list.push(payload);
    };

    for (const node of taxonomy.sectors) {
      for (const term of [...node.terms, ...node.weakTerms]) {
        add(term, { kind: 'sector', node: node.id, top: node.topId }, `sector:${node.id}`);
      }
    }
    for (const node of taxonomy.frictionTypes) {
      for (const term of node.terms) {
        add(term, { kind: 'friction', node: node.id, top: node.topId, weak: false }, `type:${node.id}`);
      }
      for (const term of node.weakTerms) {
        add(term, { kind: 'friction', node: node.id, top: node.topId, weak: true }, `type:${node.id}:weak`);
      }
    }
    for (const node of taxonomy.stages) {
      const stage = { kind: 'stage', stage: node.topId, precedence: node.precedence } as const;
      for (const term of node.terms) add(term, { ...stage, weak: false }, `stage:${node.id}`);
      for (const term of node.weakTerms) add(term, { ...stage, weak: true }, `stage:${node.id}:weak`);
      for (const term of node.genericTerms) {
        add(term, { ...stage, weak: true, generic: true }, `stage:${node.id}:generic`);
      }
    }
    for (const j of taxonomy.jurisdictions) {
      for (const [mention, list] of Object.entries(j.mentions) as [MentionKind, readonly string[]][]) {
        for (const term of list) {
          add(term, { kind: 'jurisdiction', code: j.code, mention }, `jurisdiction:${j.code}:${mention}`);
        }
      }
    }
    for (const term of taxonomy.jurisdictionBlockers) add(term, { kind: 'blocker' }, 'jurisdiction:blocker');
    for (const [cue, list] of Object.entries(CUES) as [CueName, readonly string[]][]) {
      for (const term of list) add(term, { kind: 'cue', cue }, `cue:${cue}`);
    }

    this.terms = terms;
    for (const list of payloads) for (const p of list) this.payloadRules.set(p, ruleOfPayload(p));
    this.matcher = new PhraseMatcher(terms);
    this.payloads = payloads;
    this.rules = rules;
    this.channels = Uint8Array.from(payloads, (list) => {
      let mask = 0;
      for (const p of list) mask |= 1 << channelOf(p);
      return mask;
    });
  }

  get size(): number {
    return this.matcher.size;
  }

  /** Every phrase of the lexicon, in the term syntax (for baselines and diagnostics). */
  get phrases(): readonly string[] {
    return this.terms;
  }

  /** The rule id of a phrase: where its meaning comes from (`sector:solar_pv/polysilicon`, `cue:passing`). */
  ruleOf(phrase: number, payload?: Payload): string {
    if (!payload) return this.rules[phrase];
    return this.payloadRules.get(payload) ?? ruleOfPayload(payload);
  }

  /** Hits in `text`, ordered by start: the longest match per channel where matches overlap. */
  scan(text: string): Hit[] {
    const matches = this.matches;
    matches.length = 0;
    this.matcher.scan(text, matches);
    if (matches.length === 0) return [];
    matches.sort((a, b) => a.start - b.start || b.end - a.end);
    const hits: Hit[] = [];
    const maxEnd = [-1, -1, -1, -1];
    const maxEndStart = [-1, -1, -1, -1];
    for (const m of matches) {
      const mask = this.channels[m.phrase];
      let keepMask = 0;
      for (let ch = 0; ch < 4; ch++) {
        if ((mask & (1 << ch)) === 0) continue;
        const contained = maxEnd[ch] > m.end || (maxEnd[ch] === m.end && maxEndStart[ch] < m.start);
        if (!contained) keepMask |= 1 << ch;
        if (m.end > maxEnd[ch]) {
          maxEnd[ch] = m.end;
          maxEndStart[ch] = m.start;
        }
      }
      if (keepMask === 0) continue;
      const all = this.payloads[m.phrase];
      const payloads = keepMask === mask ? all : all.filter((p) => (keepMask & (1 << channelOf(p))) !== 0);
      hits.push({ start: m.start, end: m.end, phrase: m.phrase, payloads });
    }
    return hits;
  }
}

function ruleOfPayload(payload: Payload): string {
  switch (payload.kind) {
    case 'sector':
      return `sector:${payload.node}`;
    case 'friction':
      return `type:${payload.node}${payload.weak ? ':weak' : ''}`;
    case 'stage':
      return `stage:${payload.stage}${payload.generic ? ':generic' : payload.weak ? ':weak' : ''}`;
    case 'jurisdiction':
      return `jurisdiction:${payload.code}:${payload.mention}`;
    case 'blocker':
      return 'jurisdiction:blocker';
    case 'cue':
      return `cue:${payload.cue}`;
  }
}
