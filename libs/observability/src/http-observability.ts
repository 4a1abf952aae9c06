import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { withLogContext } from './log-context';
import type { Metrics } from './metrics';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's genReqId: the caller's X-Request-Id when it is a sane token, otherwise a new uuid. */
export function requestIdOf(request: IncomingMessage | Http2ServerRequest): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

// Probes and scrapes arrive every few seconds: their lines are debug, everything else info.
const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * Every request runs in a log context carrying its id (echoed as X-Request-Id), is timed into
 * fw_http_request_duration_seconds by route template (never the raw URL: bounded labels, and no
 * token from a query string in a label or a log line) and logged once when answered.
 */
export function observeHttp(fastify: FastifyInstance, metrics: Metrics, logger: Logger | null): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    withLogContext({ requestId: request.id }, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequestDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      seconds,
    );
    if (logger) {
      const line = {
        context: 'http',
        requestId: request.id,
        method: request.method,
        route,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      };
      if (QUIET_ROUTES.has(route)) logger.debug(line, 'request answered');
      else logger.info(line, 'request answered');
    }
    done();
  });
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * GET /metrics in the Prometheus text format. Open unless a token is set: then it needs
 * `Authorization: Bearer <token>` (compared in constant time) and answers 401 otherwise.
 */
export function serveMetrics(fastify: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  fastify.get('/metrics', async (request, reply) => {
    if (token) {
      const presented = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      if (!timingSafeEqual(sha256(presented), sha256(token))) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="metrics"')
          .type('text/plain')
          .send('metrics need Authorization: Bearer <METRICS_TOKEN>\n');
      }
    }
    const body = await metrics.scrape();
    return reply.type(metrics.contentType).send(body);
  });
}
