import { FAULT_KINDS, planFaults } from './faults';
import { Random } from './seeded-random';

describe('planFaults', () => {
  const window = { startMs: 5000, endMs: 45000 };

  it('plans every kind of fault at least once inside the window, in time order', () => {
    const plan = planFaults(new Random(7), window, 40000, 8000);
    expect(new Set(plan.map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
    for (const fault of plan) {
      expect(fault.atMs).toBeGreaterThanOrEqual(window.startMs);
      expect(fault.atMs).toBeLessThan(window.endMs);
    }
    const times = plan.map((f) => f.atMs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('replays the same plan for the same seed and another for another seed', () => {
    const long = { startMs: 5000, endMs: 585000 };
    expect(planFaults(new Random(42), long, 40000, 8000)).toEqual(
      planFaults(new Random(42), long, 40000, 8000),
    );
    expect(planFaults(new Random(42), long, 40000, 8000)).not.toEqual(
      planFaults(new Random(43), long, 40000, 8000),
    );
  });

  it('plans about one fault per mean gap in a long run, at least the minimum gap apart', () => {
    const plan = planFaults(new Random(1), { startMs: 5000, endMs: 585000 }, 40000, 8000);
    expect(plan).toHaveLength(14);
    for (let n = 1; n < plan.length; n += 1)
      expect(plan[n].atMs - plan[n - 1].atMs).toBeGreaterThanOrEqual(8000);
  });
});
