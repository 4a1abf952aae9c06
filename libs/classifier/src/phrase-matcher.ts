import { isCjkCode, isWordCode, normalizeCode, normalizePhrase, SPACE } from './text-normalizer';

/**
 * One phrase of the lexicon, in the term syntax of seeds/taxonomy/sectors.yaml:
 * "=TERM" is case-sensitive, "prefix*" matches any word starting with the prefix.
 */
export interface PhraseSpec {
  raw: string;
}

export interface PhraseMatch {
  /** Index of the phrase in the list the matcher was built from. */
  phrase: number;
  start: number;
  end: number;
}

interface CompiledPhrase {
  normalized: string;
  /** Original spelling to compare with when case-sensitive. */
  exact: string | null;
  prefix: boolean;
  checkStart: boolean;
  checkEnd: boolean;
  allowPlural: boolean;
}

/** Splits a term into its matching options (see PhraseSpec). */
export function compileTerm(raw: string): CompiledPhrase {
  let text = raw.trim();
  const caseSensitive = text.startsWith('=');
  if (caseSensitive) text = text.slice(1);
  const prefix = text.endsWith('*');
  if (prefix) text = text.slice(0, -1);
  const normalized = normalizePhrase(text);
  const first = normalized.charCodeAt(0);
  const last = normalized.charCodeAt(normalized.length - 1);
  return {
    normalized,
    exact: caseSensitive ? text : null,
    prefix,
    checkStart: isWordCode(first) && !isCjkCode(first),
    checkEnd: !prefix && isWordCode(last) && !isCjkCode(last),
    allowPlural: !prefix && ((last >= 0x61 && last <= 0x7a) || (last >= 0x30 && last <= 0x39)),
  };
}

/** A dense DFA (Aho-Corasick with failure links folded in) over some of the phrases. */
class DenseAutomaton {
  readonly classOf: Uint16Array;
  readonly classes: number;
  readonly delta: Int32Array;
  readonly outStart: Int32Array;
  /** Global phrase indices. */
  readonly outList: Int32Array;

  constructor(phrases: readonly CompiledPhrase[], members: readonly number[]) {
    // Alphabet: the codes that occur in these phrases; every other code is class 0 (back to the root).
    this.classOf = new Uint16Array(0x10000);
    let classes = 1;
    for (const index of members) {
      const text = phrases[index].normalized;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (this.classOf[c] === 0) this.classOf[c] = classes++;
      }
    }
    this.classes = classes;

    // Trie.
    const children: Map<number, number>[] = [new Map()];
    const outputs: number[][] = [[]];
    for (const index of members) {
      const text = phrases[index].normalized;
      if (text.length === 0) continue;
      let state = 0;
      for (let i = 0; i < text.length; i++) {
        const k = this.classOf[text.charCodeAt(i)];
        let next = children[state].get(k);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          outputs.push([]);
          children[state].set(k, next);
        }
        state = next;
      }
      outputs[state].push(index);
    }

    // Failure links in breadth-first order, filling the dense transition table as we go.
    const n = children.length;
    const delta = new Int32Array(n * classes);
    const fail = new Int32Array(n);
    const order: number[] = [];
    for (const [k, child] of children[0]) {
      delta[k] = child;
      order.push(child);
    }
    for (let head = 0; head < order.length; head++) {
      const state = order[head];
      const f = fail[state];
      for (let k = 0; k < classes; k++) delta[state * classes + k] = delta[f * classes + k];
      for (const [k, child] of children[state]) {
        delta[state * classes + k] = child;
        fail[child] = delta[f * classes + k];
        order.push(child);
      }
    }
    for (let s = 0; s < n; s++) delta[s * classes] = 0; // class 0 always goes back to the root

    // Outputs merged along failure links (a state's failure target comes before it in BFS order).
    const merged: number[][] = outputs.map((o) => o.slice());
    for (const state of order) if (fail[state] !== 0) merged[state].push(...merged[fail[state]]);
    this.outStart = new Int32Array(n + 1);
    let total = 0;
    for (let s = 0; s < n; s++) {
      this.outStart[s] = total;
      total += merged[s].length;
    }
    this.outStart[n] = total;
    this.outList = new Int32Array(total);
    for (let s = 0, at = 0; s < n; s++) for (const p of merged[s]) this.outList[at++] = p;
    this.delta = delta;
  }
}

/** Code units that normalise to ASCII although they are not (curly quotes, dashes, odd spaces). */
const ASCII_LOOKALIKE =
  /[^\t\n\r -\u007f\u00a0\u00ad\u2010-\u2015\u2018-\u201f\u2032\u2033\u2212\u3000\u2002\u2003\u2009\u200a\u202f\u205f]/;

/**
 * Aho-Corasick automata over all phrases, compiled into dense DFAs, so a text is scanned in one pass,
 * one table lookup per character, whatever the number of phrases. Phrases written in ASCII (after
 * normalisation) live in one small table that stays in cache; phrases with other characters (Chinese,
 * accented names) in a second one, run only over texts that contain such characters. Word boundaries
 * (for Latin phrases), case-sensitivity and plurals are checked on the original text at each match.
 */
export class PhraseMatcher {
  private readonly phrases: CompiledPhrase[];
  private readonly lengths: Int32Array;
  private readonly ascii: DenseAutomaton;
  private readonly other: DenseAutomaton;
  private positions = new Int32Array(1024);

  constructor(terms: readonly string[]) {
    this.phrases = terms.map(compileTerm);
    this.lengths = Int32Array.from(this.phrases, (p) => p.normalized.length);
    const ascii: number[] = [];
    const other: number[] = [];
    this.phrases.forEach((p, index) =>
      (/^[\t\n\r -\u007f]*$/.test(p.normalized) ? ascii : other).push(index),
    );
    this.ascii = new DenseAutomaton(this.phrases, ascii);
    this.other = new DenseAutomaton(this.phrases, other);
  }

  get size(): number {
    return this.phrases.length;
  }

  /** All matches in `text`: those of ASCII phrases in order of their end, then the others. */
  scan(text: string, out: PhraseMatch[] = []): PhraseMatch[] {
    if (this.positions.length < text.length + 1) this.positions = new Int32Array(text.length * 2 + 1);
    this.run(this.ascii, text, out);
    if (ASCII_LOOKALIKE.test(text)) this.run(this.other, text, out);
    return out;
  }

  private run(automaton: DenseAutomaton, text: string, out: PhraseMatch[]): void {
    const length = text.length;
    const positions = this.positions;
    const lengths = this.lengths;
    const { delta, classes, classOf, outStart, outList } = automaton;
    let state = 0;
    let fed = 0;
    let previousSpace = true;
    for (let i = 0; i < length; i++) {
      const c = normalizeCode(text.charCodeAt(i));
      if (c === SPACE) {
        if (previousSpace) continue;
        previousSpace = true;
      } else {
        previousSpace = false;
      }
      positions[fed++] = i;
      state = delta[state * classes + classOf[c]];
      const from = outStart[state];
      const to = outStart[state + 1];
      for (let o = from; o < to; o++) {
        const phrase = outList[o];
        const start = positions[fed - lengths[phrase]];
        const end = this.accept(text, phrase, start, i + 1);
        if (end >= 0) out.push({ phrase, start, end });
      }
    }
  }

  /** The match's end (extended over a plural "s"), or -1 when boundaries or case reject it. */
  private accept(text: string, index: number, start: number, end: number): number {
    const p = this.phrases[index];
    if (p.checkStart && start > 0 && isWordCode(text.charCodeAt(start - 1))) return -1;
    if (p.exact !== null && text.slice(start, end) !== p.exact) return -1;
    if (!p.checkEnd || end >= text.length) return end;
    const next = text.charCodeAt(end);
    if (!isWordCode(next)) return end;
    if (p.allowPlural && (next === 0x73 || (next === 0x53 && p.exact === null))) {
      if (end + 1 >= text.length || !isWordCode(text.charCodeAt(end + 1))) return end + 1;
    }
    return -1;
  }
}
