import {
  Inject,
  Injectable,
  SetMetadata,
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import type { Scope } from './api-keys';
import { ApiScope } from './openapi/api-docs';
import { ProblemError } from './problem';
import { RequestIdentity, type Identity } from './request-identity';

const SCOPE = 'frictionwatch:scope';

/**
 * The scope an endpoint needs, for this guard and for the OpenAPI document (security requirement,
 * 401/403/429 problems); endpoints without one (health) are open.
 */
export const RequiresScope = (scope: Scope) => applyDecorators(SetMetadata(SCOPE, scope), ApiScope(scope));

const reflector = new Reflector();

/** The scope the handler of this request needs, if any (handler over class). */
export function requiredScope(context: ExecutionContext): Scope | undefined {
  return reflector.getAllAndOverride<Scope | undefined>(SCOPE, [context.getHandler(), context.getClass()]);
}

/** Whether this identity may use an endpoint needing `scope` (the guard below says why not). */
export function admits(identity: Identity, scope: Scope, publicRead: boolean): boolean {
  if (identity.kind === 'key') return scope === 'read' || identity.scope === 'admin';
  return identity.kind === 'anonymous' && scope === 'read' && publicRead;
}

/** `Authorization: Bearer <key>`; read endpoints are open when API_PUBLIC_READ=true; admin needs an admin key. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly identity: RequestIdentity,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const needed = requiredScope(context);
    if (!needed) return true;
    const identity = await this.identity.of(context.switchToHttp().getRequest<FastifyRequest>());
    if (admits(identity, needed, this.config.API_PUBLIC_READ)) return true;
    switch (identity.kind) {
      case 'anonymous':
        throw new ProblemError(
          401,
          'Unauthorized',
          'This endpoint needs an API key: Authorization: Bearer <key>',
        );
      case 'malformed-header':
        throw new ProblemError(
          401,
          'Unauthorized',
          'Malformed Authorization header: expected "Bearer <key>"',
        );
      case 'refused':
        throw new ProblemError(
          401,
          'Unauthorized',
          identity.reason === 'malformed' ? 'Malformed API key' : 'Unknown or revoked API key',
        );
      case 'key':
        throw new ProblemError(403, 'Forbidden', 'This endpoint needs an admin key');
    }
  }
}
