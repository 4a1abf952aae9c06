import { ResponseCache, type ReadModelVersion } from './response-cache';

/** The cache under test, speaking strings. */
function stringCache(maxBytes: number, maxEntryBytes: number) {
  const cache = new ResponseCache({ maxBytes, maxEntryBytes });
  return {
    get: async (readModel: string, version: ReadModelVersion, query: string, load: () => Promise<string>) =>
      (await cache.get(readModel, version, query, async () => Buffer.from(await load()))).toString(),
    get size() {
      return cache.size;
    },
  };
}

const at = (position: string, generation = 1) => ({ generation, position });

describe('ResponseCache', () => {
  it('answers from the cache while the checkpoint stays, loads again once it moves', async () => {
    const cache = stringCache(1000, 1000);
    let loads = 0;
    const load = (body: string) => async () => {
      loads += 1;
      return body;
    };
    expect(await cache.get('items', at('5:10'), 'q', load('a'))).toBe('a');
    expect(await cache.get('items', at('5:10'), 'q', load('b'))).toBe('a');
    expect(loads).toBe(1);
    expect(await cache.get('items', at('5:11'), 'q', load('c'))).toBe('c');
    expect(await cache.get('items', at('5:11', 2), 'q', load('d'))).toBe('d');
    expect(loads).toBe(3);
  });

  it('keys by read model and query', async () => {
    const cache = stringCache(1000, 1000);
    await cache.get('items', at('1:1'), 'q1', async () => 'items q1');
    await cache.get('activity', at('1:1'), 'q1', async () => 'activity q1');
    await cache.get('items', at('1:1'), 'q2', async () => 'items q2');
    expect(await cache.get('items', at('1:1'), 'q1', async () => 'no')).toBe('items q1');
    expect(await cache.get('activity', at('1:1'), 'q1', async () => 'no')).toBe('activity q1');
    expect(await cache.get('items', at('1:1'), 'q2', async () => 'no')).toBe('items q2');
  });

  it('drops the answers of older checkpoints of a read model when it moves', async () => {
    const cache = stringCache(1000, 1000);
    await cache.get('items', at('1:1'), 'q1', async () => 'x'.repeat(100));
    await cache.get('activity', at('1:1'), 'q1', async () => 'y'.repeat(100));
    expect(cache.size).toEqual({ entries: 2, bytes: 200 });
    await cache.get('items', at('1:2'), 'q1', async () => 'z'.repeat(50));
    expect(cache.size).toEqual({ entries: 2, bytes: 150 });
  });

  it('does not let a request that read an older checkpoint evict the newer answers', async () => {
    const cache = stringCache(1000, 1000);
    await cache.get('items', at('9:20'), 'q', async () => 'new');
    expect(await cache.get('items', at('9:3'), 'q', async () => 'old')).toBe('old');
    expect(await cache.get('items', at('9:20'), 'q', async () => 'no')).toBe('new');
    expect(cache.size.entries).toBe(1);
  });

  it('stays within its byte bound, evicting the least recently used first, and skips huge answers', async () => {
    const cache = stringCache(300, 150);
    const body = (c: string) => async () => c.repeat(100);
    await cache.get('items', at('1:1'), 'a', body('a'));
    await cache.get('items', at('1:1'), 'b', body('b'));
    await cache.get('items', at('1:1'), 'c', body('c'));
    await cache.get('items', at('1:1'), 'a', body('-')); // a is now the most recent
    await cache.get('items', at('1:1'), 'd', body('d')); // evicts b
    expect(cache.size).toEqual({ entries: 3, bytes: 300 });
    expect(await cache.get('items', at('1:1'), 'b', body('B'))).toBe('B'.repeat(100));
    await cache.get('items', at('1:1'), 'huge', async () => 'h'.repeat(200));
    expect(cache.size.bytes).toBeLessThanOrEqual(300);
    expect(await cache.get('items', at('1:1'), 'huge', async () => 'again')).toBe('again');
  });

  it('shares one load among concurrent misses of a key, and caches no failure', async () => {
    const cache = stringCache(1000, 1000);
    let loads = 0;
    let release: (body: string) => void = () => undefined;
    const slow = () => {
      loads += 1;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const answers = Promise.all([1, 2, 3].map(() => cache.get('items', at('1:1'), 'q', slow)));
    release('one');
    expect(await answers).toEqual(['one', 'one', 'one']);
    expect(loads).toBe(1);
    await expect(
      cache.get('items', at('1:1'), 'failing', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await cache.get('items', at('1:1'), 'failing', async () => 'fine')).toBe('fine');
  });
});
