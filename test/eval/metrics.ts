/** Precision, recall and F1 of multi-label and binary predictions, and exact-match accuracy. */
export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface Scores extends Counts {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export function scoresOf({ tp, fp, fn }: Counts): Scores {
  const precision = tp + fp === 0 ? (fn === 0 ? 1 : 0) : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, precision, recall, f1, support: tp + fn };
}

export interface MultiLabelReport {
  perLabel: Record<string, Scores>;
  micro: Scores;
  /** Mean F1 over the labels that occur in the expected or predicted sets. */
  macroF1: number;
}

/** Scores sets of labels, item by item. */
export function multiLabel(
  pairs: readonly { expected: readonly string[]; got: readonly string[] }[],
): MultiLabelReport {
  const counts = new Map<string, Counts>();
  const at = (label: string) => {
    let c = counts.get(label);
    if (!c) counts.set(label, (c = { tp: 0, fp: 0, fn: 0 }));
    return c;
  };
  for (const { expected, got } of pairs) {
    for (const label of new Set(got)) {
      if (expected.includes(label)) at(label).tp++;
      else at(label).fp++;
    }
    for (const label of new Set(expected)) if (!got.includes(label)) at(label).fn++;
  }
  const perLabel: Record<string, Scores> = {};
  const total: Counts = { tp: 0, fp: 0, fn: 0 };
  for (const [label, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    perLabel[label] = scoresOf(c);
    total.tp += c.tp;
    total.fp += c.fp;
    total.fn += c.fn;
  }
  const f1s = Object.values(perLabel).map((s) => s.f1);
  return {
    perLabel,
    micro: scoresOf(total),
    macroF1: f1s.length === 0 ? 1 : f1s.reduce((a, b) => a + b, 0) / f1s.length,
  };
}

/** Scores a binary decision (true is the positive class). */
export function binary(pairs: readonly { expected: boolean; got: boolean }[]): Scores {
  const c: Counts = { tp: 0, fp: 0, fn: 0 };
  for (const { expected, got } of pairs) {
    if (got && expected) c.tp++;
    else if (got) c.fp++;
    else if (expected) c.fn++;
  }
  return scoresOf(c);
}

/** Share of items whose value equals the expected one (sets compared regardless of order). */
export function exactMatch<T>(pairs: readonly { expected: T; got: T }[]): number {
  if (pairs.length === 0) return 1;
  return pairs.filter((p) => sameValue(p.expected, p.got)).length / pairs.length;
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const x = [...new Set(a)].sort();
    const y = [...new Set(b)].sort();
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  return a === b;
}
