import type { DynamicModule, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import type { AppConfig } from '@frictionwatch/config';
import {
  clientErrorsAsProblems,
  frameworkErrorsAsProblems,
  refuseMalformedInput,
  setupOpenApi,
  setupQueueBoard,
  setupRateLimitRefund,
  setupRevalidationFastPath,
} from '@frictionwatch/http-api';
import { Metrics, observeHttp, requestIdOf, serveMetrics } from '@frictionwatch/observability';

export interface HttpAppOptions {
  /** Nest's logger: the pino-backed one in processes, `false` in tests that want quiet. */
  logger?: LoggerService | false;
  /** Where each answered request is logged (processes); none in tests. */
  accessLog?: Logger | null;
  /** The api role serves /v1 (its modules), /openapi.json, /docs and /admin/queues; the others only health and metrics. */
  api?: boolean;
}

/**
 * Every role's HTTP application, configured once for the real process and for the tests: Fastify
 * (measured here, Nest on Fastify serves ~3x the requests/s of Nest on Express) with a 1 MiB body
 * limit, request ids, request metrics and GET /metrics; for the api role the OpenAPI document at
 * /openapi.json, Swagger UI at /docs and the queue UI at /admin/queues. Not listening yet.
 */
export async function createHttpApp(
  root: DynamicModule,
  config: AppConfig,
  options: HttpAppOptions = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    root,
    new FastifyAdapter({
      bodyLimit: 1024 * 1024,
      genReqId: requestIdOf,
      // Errors answered before Nest sees the request are problem+json too.
      frameworkErrors: frameworkErrorsAsProblems,
      clientErrorHandler: clientErrorsAsProblems,
    }),
    // Body parsers are ours (refuseMalformedInput): JSON must be valid UTF-8.
    {
      bufferLogs: false,
      bodyParser: false,
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  refuseMalformedInput(fastify);
  const metrics = app.get(Metrics);
  observeHttp(fastify, metrics, options.accessLog ?? null);
  serveMetrics(fastify, metrics, config.METRICS_TOKEN);
  if (options.api ?? true) {
    setupOpenApi(app, config);
    setupRateLimitRefund(app);
    // After the request id, log context and input checks (hooks run in the order they were added).
    setupRevalidationFastPath(app);
    await setupQueueBoard(app);
  }
  return app;
}
