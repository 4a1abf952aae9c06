import { parseRetryAfter } from '@frictionwatch/fetcher';

describe('parseRetryAfter', () => {
  const now = new Date('2026-11-23T12:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date (IMF-fixdate, RFC 850, asctime)', () => {
    expect(parseRetryAfter('Mon, 23 Nov 2026 12:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Monday, 23-Nov-26 12:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Mon Nov 23 12:01:30 2026', now)).toBe(90_000);
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:00 GMT', now)).toBe(0);
  });

  it('returns null when absent or unreadable', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('99999999999999999999', now)).toBeNull();
  });
});
