import { binary, exactMatch, multiLabel, scoresOf } from './metrics';

describe('evaluation metrics', () => {
  it('computes precision, recall and F1 from counts', () => {
    const s = scoresOf({ tp: 3, fp: 1, fn: 2 });
    expect(s.precision).toBeCloseTo(0.75);
    expect(s.recall).toBeCloseTo(0.6);
    expect(s.f1).toBeCloseTo((2 * 0.75 * 0.6) / 1.35);
    expect(s.support).toBe(5);
  });

  it('scores multi-label sets per label, micro and macro', () => {
    const report = multiLabel([
      { expected: ['a', 'b'], got: ['a'] },
      { expected: ['b'], got: ['b', 'c'] },
    ]);
    expect(report.perLabel.a).toMatchObject({ tp: 1, fp: 0, fn: 0, f1: 1 });
    expect(report.perLabel.b).toMatchObject({ tp: 1, fp: 0, fn: 1 });
    expect(report.perLabel.c).toMatchObject({ tp: 0, fp: 1, fn: 0, f1: 0 });
    expect(report.micro).toMatchObject({ tp: 2, fp: 1, fn: 1 });
    expect(report.macroF1).toBeCloseTo((1 + 2 / 3 + 0) / 3);
  });

  it('scores a binary decision with true as the positive class', () => {
    const s = binary([
      { expected: true, got: true },
      { expected: false, got: true },
      { expected: true, got: false },
      { expected: false, got: false },
    ]);
    expect(s).toMatchObject({ tp: 1, fp: 1, fn: 1 });
  });

  it('compares sets regardless of order for exact match', () => {
    expect(
      exactMatch([
        { expected: ['US', 'EU'], got: ['EU', 'US'] },
        { expected: ['CN'], got: [] },
      ]),
    ).toBe(0.5);
    expect(exactMatch([{ expected: null, got: null }])).toBe(1);
  });
});
