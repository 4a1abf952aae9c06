import { HostSemaphore } from './host-semaphore';

describe('HostSemaphore', () => {
  it('grants up to the limit per host, then in arrival order as slots free', async () => {
    const semaphore = new HostSemaphore(2);
    const signal = new AbortController().signal;
    const a1 = await semaphore.acquire('a', signal);
    const a2 = await semaphore.acquire('a', signal);
    const b1 = await semaphore.acquire('b', signal); // other hosts are not held up
    const order: string[] = [];
    const a3 = semaphore.acquire('a', signal).then((release) => (order.push('a3'), release));
    const a4 = semaphore.acquire('a', signal).then((release) => (order.push('a4'), release));
    await Promise.resolve();
    expect(order).toEqual([]);
    a1();
    a1(); // releasing twice frees one slot only
    await a3;
    expect(order).toEqual(['a3']);
    a2();
    (await a4)();
    (await a3)();
    b1();
    expect(order).toEqual(['a3', 'a4']);
  });

  it('drops a waiter whose signal aborts', async () => {
    const semaphore = new HostSemaphore(1);
    const release = await semaphore.acquire('a', new AbortController().signal);
    const controller = new AbortController();
    const waiting = semaphore.acquire('a', controller.signal);
    controller.abort(new Error('timeout'));
    await expect(waiting).rejects.toThrow('timeout');
    release();
    const next = await semaphore.acquire('a', new AbortController().signal);
    next();
  });
});
