import type { Hit, Payload } from './lexicon';

export type TextField = 'title' | 'summary';

/** One field of an item with its hits, ordered by start. */
export interface ScannedField {
  field: TextField;
  text: string;
  hits: Hit[];
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

/** The last hit that ends at or before `position` (skipping hits that overlap it). */
export function hitBefore(field: ScannedField, position: number): Hit | undefined {
  let found: Hit | undefined;
  for (const hit of field.hits) {
    if (hit.start >= position) break;
    if (hit.end <= position && (!found || hit.end >= found.end)) found = hit;
  }
  return found;
}

/** The first hit that starts at or after `position`. */
export function hitAfter(field: ScannedField, position: number): Hit | undefined {
  for (const hit of field.hits) if (hit.start >= position) return hit;
  return undefined;
}

const SENTENCE_BREAK = /[.;:!?。；：！？\n]\s|[。；！？]/;

/** True when `from..to` holds no sentence break (the two hits belong to one clause). */
export function sameClause(text: string, from: number, to: number): boolean {
  if (to <= from) return true;
  return !SENTENCE_BREAK.test(text.slice(from, to));
}
