import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { admits } from './api-key.guard';
import { ReadModelResponder } from './read-model-responder';
import { RequestIdentity } from './request-identity';

/**
 * Polling dashboards mostly revalidate: answers 304 for a matching If-None-Match in a Fastify hook,
 * before Nest's router, guards and pipes (which cost three quarters of a 304 otherwise). Only URLs
 * the read endpoints have answered before are known here (the responder remembers their cache key),
 * and only a client the read scope admits gets the early answer; anything else goes on to Nest,
 * which answers exactly as before. A 304 does not count against the rate limit either way.
 */
export function setupRevalidationFastPath(app: NestFastifyApplication): void {
  const responder = app.get(ReadModelResponder, { strict: false });
  const identity = app.get(RequestIdentity, { strict: false });
  const config = app.get<AppConfig>(APP_CONFIG, { strict: false });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      if (request.method !== 'GET' || request.headers['if-none-match'] === undefined) return done();
      answerIfNotModified(request, reply, responder, identity, config).then(
        (answered) => {
          if (!answered) done();
        },
        // Whatever failed here (the database, say) fails again in Nest, which answers it properly.
        () => done(),
      );
    });
}

async function answerIfNotModified(
  request: FastifyRequest,
  reply: FastifyReply,
  responder: ReadModelResponder,
  identity: RequestIdentity,
  config: AppConfig,
): Promise<boolean> {
  if (!responder.knows(request)) return false;
  // Every endpoint of the responder needs the read scope, which the guard's own rule decides.
  const admitted = admits(await identity.of(request), 'read', config.API_PUBLIC_READ);
  if (!admitted || !(await responder.notModified(request, reply))) return false;
  reply.status(304).send();
  return true;
}
