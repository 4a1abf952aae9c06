import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiKeys, type Scope } from './api-keys';

/** Who sent a request: no Authorization header, a header that is not a bearer key, a refused key, or a key. */
export type Identity =
  | { kind: 'anonymous' }
  | { kind: 'malformed-header' }
  | { kind: 'refused'; reason: 'malformed' | 'invalid' }
  | { kind: 'key'; keyId: string; scope: Scope };

/**
 * Verifies a request's bearer key once per request: the rate limit (which tracks keys) and the scope
 * guard both ask, in whatever order Nest runs them, and the key is looked up once.
 */
@Injectable()
export class RequestIdentity {
  private readonly verdicts = new WeakMap<FastifyRequest, Promise<Identity>>();

  constructor(private readonly keys: ApiKeys) {}

  of(request: FastifyRequest): Promise<Identity> {
    let verdict = this.verdicts.get(request);
    if (!verdict) {
      verdict = this.verify(request.headers.authorization);
      this.verdicts.set(request, verdict);
    }
    return verdict;
  }

  private async verify(header: string | undefined): Promise<Identity> {
    if (!header) return { kind: 'anonymous' };
    const bearer = /^Bearer (\S+)$/.exec(header);
    if (!bearer) return { kind: 'malformed-header' };
    const verdict = await this.keys.verify(bearer[1]);
    if ('refused' in verdict) return { kind: 'refused', reason: verdict.refused };
    return { kind: 'key', keyId: verdict.keyId, scope: verdict.scope };
  }
}
