import type { Hit, Payload } from './lexicon';

export type TextField = 'title' | 'summary';

/** One field of an item with its hits, ordered by start. */
export interface ScannedField {
  field: TextField;
  text: string;
  hits: Hit[];
  /** The cues present anywhere in the field (to skip rules that cannot apply). */
  cues: ReadonlySet<string>;
}

export function scannedField(field: TextField, text: string, hits: Hit[]): ScannedField {
  const cues = new Set<string>();
  for (const hit of hits) for (const p of hit.payloads) if (p.kind === 'cue') cues.add(p.cue);
  return { field, text, hits, cues };
}

export function hasCue(hit: Hit, cue: string): boolean {
  for (const p of hit.payloads) if (p.kind === 'cue' && p.cue === cue) return true;
  return false;
}

export function payloadOf<K extends Payload['kind']>(
  hit: Hit,
  kind: K,
): Extract<Payload, { kind: K }> | undefined {
  for (const p of hit.payloads) if (p.kind === kind) return p as Extract<Payload, { kind: K }>;
  return undefined;
}

/** Index of the first hit that starts at or after `position` (hits are ordered by start). */
function firstAtOrAfter(hits: readonly Hit[], position: number): number {
  let lo = 0;
  let hi = hits.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (hits[mid].start < position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The last hit that ends at or before `position` (skipping hits that overlap it). */
export function hitBefore(field: ScannedField, position: number): Hit | undefined {
  const hits = field.hits;
  let found: Hit | undefined;
  for (let i = firstAtOrAfter(hits, position) - 1; i >= 0; i--) {
    const hit = hits[i];
    if (found && found.end - hit.start > 120) break; // no phrase is that long: nothing earlier ends later
    if (
      hit.end <= position &&
      (!found || hit.end > found.end || (hit.end === found.end && hit.start < found.start))
    ) {
      found = hit;
    }
  }
  return found;
}

/** The first hit that starts at or after `position`. */
export function hitAfter(field: ScannedField, position: number): Hit | undefined {
  return field.hits[firstAtOrAfter(field.hits, position)];
}

/** True when `from..to` holds no sentence break (the two hits belong to one clause). */
export function sameClause(text: string, from: number, to: number): boolean {
  if (to <= from) return true;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3002 || c === 0xff1b || c === 0xff01 || c === 0xff1f || c === 0x0a) return false;
    if ((c === 0x2e || c === 0x3b || c === 0x3a || c === 0x21 || c === 0x3f) && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next === 0x20 || next === 0x0a) return false;
    }
  }
  return true;
}
