import {
  checkpointFrom,
  compareCheckpoints,
  type PostgresEventStore,
  type ReadAllOptions,
  type ReadAllResult,
  type StoredEvent,
} from '@frictionwatch/event-store';
import { LogTail } from './log-tail';

/** The log as `readAll` sees it below the watermark: events in checkpoint order. */
class FakeLog {
  readonly events: StoredEvent[] = [];
  reads = 0;
  heads = 0;
  failing = false;
  /** Resolves reads only when released, to hold one in flight. */
  gate: Promise<void> | null = null;

  add(n: number, type = 'Counted'): void {
    for (let i = 0; i < n; i += 1) {
      const position = this.events.length + 1;
      this.events.push({
        globalPosition: String(position),
        transactionId: String(100 + position),
        streamId: `s-${position}`,
        streamVersion: '1',
        eventId: `e-${position}`,
        type: position % 2 ? type : 'Noted',
        schemaVersion: 1,
        data: { n: position, nested: { list: [position] } },
        metadata: { correlationId: 'c', causationId: null, occurredAt: '2026-01-01T00:00:00Z' },
        recordedAt: new Date(0),
      });
    }
  }

  store(): PostgresEventStore {
    return {
      head: async () => {
        this.heads += 1;
        const last = this.events.at(-1);
        return { visible: last ? `${last.transactionId}:${last.globalPosition}` : '0:0', latest: '0:0' };
      },
      readAll: async (options: ReadAllOptions): Promise<ReadAllResult> => {
        this.reads += 1;
        await this.gate;
        if (this.failing) throw new Error('database down');
        const after = checkpointFrom(options.after);
        const limit = options.limit ?? 1000;
        const later = this.events.filter(
          (e) =>
            compareCheckpoints(
              { transactionId: BigInt(e.transactionId), position: BigInt(e.globalPosition) },
              after,
            ) > 0,
        );
        const events = later.slice(0, limit).map((e) => ({ ...e, data: structuredClone(e.data) }));
        const last = events.at(-1);
        return {
          events,
          checkpoint: last
            ? `${last.transactionId}:${last.globalPosition}`
            : `${after.transactionId}:${after.position}`,
          caughtUp: later.length <= limit,
        };
      },
    } as unknown as PostgresEventStore;
  }
}

describe('LogTail', () => {
  it('starts at the head, reads once for concurrent callers, and again only when hinted or forced', async () => {
    const log = new FakeLog();
    log.add(10);
    const tail = new LogTail(log.store(), { maxEvents: 100 });
    await Promise.all([tail.refresh(), tail.refresh(), tail.refresh()]);
    expect(log.heads).toBe(1);
    expect(log.reads).toBe(1);
    expect(tail.window()).toEqual({ start: '110:10', end: '110:10', events: 0 });

    log.add(5);
    await tail.refresh();
    expect(log.reads).toBe(1); // no hint: nothing new announced
    tail.hint();
    await Promise.all([tail.refresh(), tail.refresh()]);
    expect(log.reads).toBe(2);
    expect(tail.window()).toEqual({ start: '110:10', end: '115:15', events: 5 });
    await tail.refresh(true);
    expect(log.reads).toBe(3);
  });

  it('a caller hinted while a read is in flight gets a read that started after its hint', async () => {
    const log = new FakeLog();
    const tail = new LogTail(log.store(), { maxEvents: 100 });
    await tail.refresh();
    let release = () => undefined as void;
    log.gate = new Promise<void>((resolve) => (release = resolve));
    tail.hint();
    const first = tail.refresh();
    await new Promise((resolve) => setImmediate(resolve));
    log.add(3);
    tail.hint();
    const second = tail.refresh();
    release();
    log.gate = null;
    await Promise.all([first, second]);
    expect(log.reads).toBe(3);
    expect(tail.window().events).toBe(3);
  });

  it('takes the events after a checkpoint of the wanted types, cut by the limit as readAll cuts', async () => {
    const log = new FakeLog();
    const tail = new LogTail(log.store(), { maxEvents: 100 });
    await tail.refresh();
    log.add(20);
    await tail.refresh(true);

    const all = tail.take('0:0', 'all', 100);
    expect(all?.events).toHaveLength(20);
    expect(all).toMatchObject({ checkpoint: '120:20', caughtUp: true });

    const counted = tail.take('104:4', ['Counted'], 3);
    expect(counted?.events.map((e) => e.globalPosition)).toEqual(['5', '7', '9']);
    expect(counted).toMatchObject({ checkpoint: '109:9', caughtUp: false });
    // Past the last event of its types: up to the window's end.
    expect(tail.take('119:19', ['Counted'], 3)).toEqual({ events: [], checkpoint: '120:20', caughtUp: true });
    expect(tail.take('120:20', 'all', 3)).toEqual({ events: [], checkpoint: '120:20', caughtUp: true });
    expect(tail.take('121:21', 'all', 3)).toBeNull(); // ahead of the window (another replica read further)
    expect(tail.endsAt('120:20')).toBe(true);
    expect(tail.exhaustedAt('120:20')).toBe(true);
    expect(tail.exhaustedAt('110:10')).toBe(false);

    const [event] = all?.events ?? [];
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.metadata)).toBe(true);
    expect(Object.isFrozen(event.data)).toBe(false); // only when asked for
  });

  it('keeps its bound: the oldest events go and a follower before the window gets nothing', async () => {
    const log = new FakeLog();
    const tail = new LogTail(log.store(), { maxEvents: 10, freezeData: true });
    await tail.refresh();
    log.add(25);
    // One refresh reads at most half the bound (at least one read): it never trims what it has just read.
    await tail.refresh(true);
    expect(tail.window()).toEqual({ start: '0:0', end: '110:10', events: 10 });
    await tail.refresh(true);
    await tail.refresh(true);
    expect(tail.window()).toEqual({ start: '115:15', end: '125:25', events: 10 });
    expect(tail.take('114:14', 'all', 100)).toBeNull();
    expect(tail.take('115:15', 'all', 100)?.events).toHaveLength(10);
    const data = tail.take('124:24', 'all', 1)?.events[0].data as { nested: { list: number[] } };
    expect(() => data.nested.list.push(1)).toThrow(/not extensible/);
  });

  it('keeps what the slowest tracked follower has yet to take, up to maxEventsWhileBehind, then trims to maxEvents', async () => {
    const log = new FakeLog();
    const tail = new LogTail(log.store(), { maxEvents: 10, maxEventsWhileBehind: 30 });
    const fixed = new LogTail(log.store(), { maxEvents: 10 });
    await Promise.all([tail.refresh(), fixed.refresh()]);
    for (const t of [tail, fixed]) {
      t.track('fast', '0:0');
      t.track('slow', '0:0');
    }
    log.add(60);
    await Promise.all([tail.refresh(true), fixed.refresh(true)]);
    await Promise.all([tail.refresh(true), fixed.refresh(true)]);
    tail.track('fast', '120:20');
    // Each refresh reads 10 events here. The slow follower (at the start) still needs all 20 of them.
    expect(tail.window()).toEqual({ start: '0:0', end: '120:20', events: 20 });
    expect(tail.take('0:0', 'all', 100)?.events).toHaveLength(20);
    // Without maxEventsWhileBehind, tracking changes nothing: the newest 10.
    expect(fixed.window()).toEqual({ start: '110:10', end: '120:20', events: 10 });
    await tail.refresh(true);
    await tail.refresh(true);
    // At the limit the oldest go, needed or not: the slow follower then reads the database.
    expect(tail.window()).toEqual({ start: '110:10', end: '140:40', events: 30 });
    expect(tail.take('0:0', 'all', 100)).toBeNull();
    tail.track('fast', '140:40');
    tail.track('slow', '135:35');
    await tail.refresh(true);
    // Everything up to the slowest follower is dropped, but never the newest maxEvents.
    expect(tail.window()).toEqual({ start: '135:35', end: '150:50', events: 15 });
    // A follower moving on lets go at once, without waiting for a read.
    tail.track('fast', '150:50');
    tail.track('slow', '142:42');
    expect(tail.window()).toEqual({ start: '140:40', end: '150:50', events: 10 });
    await tail.refresh(true);
    expect(tail.window()).toEqual({ start: '142:42', end: '160:60', events: 18 });
    tail.untrack('slow');
    expect(tail.window()).toEqual({ start: '150:50', end: '160:60', events: 10 });
    tail.untrack('fast');
    log.add(5);
    await tail.refresh(true);
    expect(tail.window()).toEqual({ start: '155:55', end: '165:65', events: 10 });
  });

  it('after a failed read it answers nothing at its end, so followers read the database', async () => {
    const log = new FakeLog();
    const tail = new LogTail(log.store(), { maxEvents: 100 });
    await tail.refresh();
    log.add(4);
    await tail.refresh(true);
    log.add(2);
    log.failing = true;
    await expect(tail.refresh(true)).rejects.toThrow('database down');
    expect(tail.endsAt('104:4')).toBe(false);
    expect(tail.take('104:4', 'all', 10)).toBeNull();
    expect(tail.take('102:2', 'all', 10)).toMatchObject({ checkpoint: '104:4', caughtUp: false });
    log.failing = false;
    await tail.refresh();
    expect(tail.window().end).toBe('106:6');
  });
});
