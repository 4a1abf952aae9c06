import type { FastifyRequest } from 'fastify';
import { queryKey, stableJson } from './poll-cache';

const request = (url: string) => ({ url }) as FastifyRequest;

describe('queryKey', () => {
  it('keys a normalised query by its values, whatever their order or unset members', () => {
    const a = queryKey(request('/v1/items?limit=50&sector=x'), { limit: 50, sector: 'x', q: undefined });
    const b = queryKey(request('/v1/items?sector=x'), { sector: 'x', limit: 50 });
    expect(a).toBe(b);
    expect(queryKey(request('/v1/items?sector=y'), { sector: 'y', limit: 50 })).not.toBe(a);
    expect(queryKey(request('/v1/cases?sector=x'), { sector: 'x', limit: 50 })).not.toBe(a);
  });

  it('keys by the query string as sent when the endpoint gives no normalised query', () => {
    expect(queryKey(request('/v1/feeds'))).toBe('/v1/feeds|');
    expect(queryKey(request('/v1/feeds?a=1'))).toBe('/v1/feeds|?a=1');
  });

  it('serialises nested values, arrays in order and dates as ISO strings', () => {
    expect(stableJson({ b: [2, 1], a: { d: new Date(0), c: null } })).toBe(
      '{"a":{"c":null,"d":"1970-01-01T00:00:00.000Z"},"b":[2,1]}',
    );
  });
});
