// The fault schedule: drawn from the seed before the run starts, so `--seed` replays the same faults
// at the same offsets (what the system does in between still depends on timing).
import type { Random } from './seeded-random';

export type FaultKind = 'workerKill' | 'redisRestart' | 'postgresRestart' | 'smtpOutage' | 'feedFault';

export const FAULT_KINDS: FaultKind[] = [
  'workerKill',
  'redisRestart',
  'postgresRestart',
  'smtpOutage',
  'feedFault',
];

export interface PlannedFault {
  atMs: number;
  kind: FaultKind;
  /** A second number in [0, 1) the fault uses for its own choices (which worker, how long, which mode). */
  choice: number;
}

/**
 * Every kind once, then more at random, about one per `meanGapMs`, all inside [startMs, endMs) and at
 * least `minGapMs` apart (a fault is over before the next begins, except outages that run on their own).
 */
export function planFaults(
  random: Random,
  window: { startMs: number; endMs: number },
  meanGapMs: number,
  minGapMs: number,
): PlannedFault[] {
  const span = window.endMs - window.startMs;
  const slots = Math.max(FAULT_KINDS.length, Math.floor(span / meanGapMs));
  const kinds: FaultKind[] = [...FAULT_KINDS];
  while (kinds.length < slots) kinds.push(random.pick(FAULT_KINDS));
  for (let i = kinds.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random.next() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  const gap = Math.max(minGapMs, span / kinds.length);
  return kinds.map((kind, n) => ({
    atMs: Math.round(window.startMs + n * gap + random.next() * Math.max(0, gap - minGapMs)),
    kind,
    choice: random.next(),
  }));
}
