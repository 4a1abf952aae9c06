import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { ApiKeys, type Scope } from './api-keys';
import { ProblemError } from './problem';

const SCOPE = 'frictionwatch:scope';

/** The scope an endpoint needs; endpoints without one (health) are open. */
export const RequiresScope = (scope: Scope) => SetMetadata(SCOPE, scope);

/** `Authorization: Bearer <key>`; read endpoints are open when API_PUBLIC_READ=true; admin needs an admin key. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const needed = this.reflector.getAllAndOverride<Scope | undefined>(SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!needed) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    if (!header) {
      if (needed === 'read' && this.config.API_PUBLIC_READ) return true;
      throw new ProblemError(
        401,
        'Unauthorized',
        'This endpoint needs an API key: Authorization: Bearer <key>',
      );
    }
    const bearer = /^Bearer (\S+)$/.exec(header);
    if (!bearer)
      throw new ProblemError(401, 'Unauthorized', 'Malformed Authorization header: expected "Bearer <key>"');
    const verdict = await this.keys.verify(bearer[1]);
    if ('refused' in verdict)
      throw new ProblemError(
        401,
        'Unauthorized',
        verdict.refused === 'malformed' ? 'Malformed API key' : 'Unknown or revoked API key',
      );
    if (needed === 'admin' && verdict.scope !== 'admin')
      throw new ProblemError(403, 'Forbidden', 'This endpoint needs an admin key');
    return true;
  }
}
