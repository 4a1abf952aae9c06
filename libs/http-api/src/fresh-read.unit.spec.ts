import { FreshRead } from './fresh-read';

/** A read whose completion the test controls; `value` is what the database held when it started. */
function controlledReads() {
  let value = 0;
  const started: { value: number; finish: () => void; fail: (e: Error) => void }[] = [];
  const read = new FreshRead<number>(
    () =>
      new Promise<number>((resolve, reject) => {
        const at = value;
        started.push({ value: at, finish: () => resolve(at), fail: reject });
      }),
  );
  return { read, started, set: (v: number) => (value = v) };
}

describe('FreshRead', () => {
  it('never answers a caller from a read that began before it called', async () => {
    const { read, started, set } = controlledReads();
    const first = read.get();
    set(1); // committed after the first read began, before the next callers
    const second = read.get();
    const third = read.get();
    expect(started).toHaveLength(1); // one in flight, the others queued
    started[0].finish();
    await expect(first).resolves.toBe(0);
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toHaveLength(2);
    started[1].finish();
    await expect(second).resolves.toBe(1);
    await expect(third).resolves.toBe(1);
  });

  it('shares one queued read among every caller waiting, and starts afresh when idle', async () => {
    const { read, started } = controlledReads();
    const calls = [read.get(), ...Array.from({ length: 20 }, () => read.get())];
    started[0].finish();
    await calls[0];
    await new Promise((resolve) => setImmediate(resolve));
    started[1].finish();
    await Promise.all(calls);
    expect(started).toHaveLength(2);
    const later = read.get();
    expect(started).toHaveLength(3);
    started[2].finish();
    await later;
  });

  it('a failed read fails its callers; the queued read still runs', async () => {
    const { read, started } = controlledReads();
    const first = read.get();
    const second = read.get();
    started[0].fail(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await new Promise((resolve) => setImmediate(resolve));
    started[1].finish();
    await expect(second).resolves.toBe(0);
  });
});

describe('FreshRead with a minimum interval', () => {
  afterEach(() => jest.useRealTimers());

  it('starts a queued read no sooner than the interval after the one before, still after its callers', async () => {
    // Fake timers (they also drive performance.now) make the interval exact instead of timed.
    jest.useFakeTimers();
    let value = 0;
    let reads = 0;
    const read = new FreshRead<number>(async () => {
      reads += 1;
      return value;
    }, 30);
    const first = read.get();
    value = 1; // committed after the first read began
    const second = read.get();
    await expect(first).resolves.toBe(0);
    await jest.advanceTimersByTimeAsync(29);
    expect(reads).toBe(1); // the queued read waits out the interval
    await jest.advanceTimersByTimeAsync(1);
    expect(reads).toBe(2);
    await expect(second).resolves.toBe(1);
  });

  it('a caller finding no read in flight is not held back by the interval', async () => {
    const calls: number[] = [];
    const read = new FreshRead<number>(async () => calls.push(performance.now()), 60000);
    await read.get();
    await read.get(); // the first read has finished: nothing to share, so it reads at once
    expect(calls).toHaveLength(2);
  });
});
