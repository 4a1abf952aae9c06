import { v5 as uuidv5, validate, version } from 'uuid';
import { deterministicEventId, randomEventId } from './event-ids';

describe('event ids', () => {
  it('are the RFC 9562 UUIDv5 of the natural key in our namespace, for any text', () => {
    const keys = ['ItemIngested:feed-1:guid-1', '', 'ü € 中文 🚢', 'x'.repeat(5000), 'a:b:c:d'];
    for (let n = 0; n < 200; n += 1) keys.push(`ItemClassified:item-${n}:${n * 7919}`);
    for (const key of keys)
      expect(deterministicEventId(key)).toBe(uuidv5(key, '5b0f3c2e-2f5e-4a8b-9d61-0c3b7a6f1e42'));
  });

  it('random ids are version 4 UUIDs, each different', () => {
    const ids = new Set(Array.from({ length: 1000 }, randomEventId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(validate(id) && version(id)).toBe(4);
  });
});
