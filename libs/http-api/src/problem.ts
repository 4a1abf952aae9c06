import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { isDatabaseUnavailable } from '@frictionwatch/database';

/** Seconds a client is asked to wait when Postgres is restarting or unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** An RFC 9457 body; `extra` adds members (instance, valid values). */
export function problemBody(
  status: number,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { type: 'about:blank', title, status, detail, ...extra };
}

/** A problem+json answer from outside Nest's filter (Fastify hooks and parsers). */
export function sendProblem(
  reply: FastifyReply,
  status: number,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/problem+json')
    .send(problemBody(status, title, detail, extra));
}

/** An RFC 9457 problem with a clear message; `extra` adds members such as the valid values. */
export class ProblemError extends HttpException {
  constructor(
    status: number,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail, status);
  }
}

/**
 * Parses a request part with its zod schema, or answers 400 naming the first problem:
 * `Invalid <what>`, `<path or field>: <message>`; `nameParameter` adds the path as `parameter`.
 */
export function parseOrProblem<T>(
  schema: z.ZodType<T>,
  input: unknown,
  options: { what: string; field: string; nameParameter?: boolean },
): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue.path.join('.');
  throw new ProblemError(
    400,
    `Invalid ${options.what}`,
    `${path || options.field}: ${issue.message}`,
    options.nameParameter ? { parameter: path || undefined } : {},
  );
}

/**
 * Every error leaves as application/problem+json; an unexpected one says nothing about internals (and
 * is logged). Postgres restarting or unreachable is a 503 with Retry-After, not a 500: the request was
 * fine and will succeed shortly.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    let body: Record<string, unknown>;
    if (!request.url.startsWith('/v1') && error instanceof HttpException) {
      // Outside the REST API (health checks) an error keeps its own body, e.g. Terminus's report.
      const response = error.getResponse();
      void reply
        .status(error.getStatus())
        .send(typeof response === 'object' ? response : { message: response });
      return;
    }
    if (error instanceof ProblemError) {
      body = problemBody(error.getStatus(), error.title, error.detail, error.extra);
    } else if (error instanceof HttpException) {
      const status = error.getStatus();
      body = problemBody(status, STATUS_CODES[status] ?? 'Error', error.message);
    } else if (isDatabaseUnavailable(error)) {
      this.logger.warn(
        `${request.method} ${request.url.split('?')[0]}: database unavailable: ${describe(error)}`,
      );
      void reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      body = problemBody(503, 'Service Unavailable', 'The database is unavailable; retry shortly.');
    } else {
      this.logger.error(`${request.method} ${request.url.split('?')[0]}: ${describe(error)}`);
      body = problemBody(500, 'Internal Server Error', 'The request could not be completed.');
    }
    void reply
      .status(body.status as number)
      .header('content-type', 'application/problem+json')
      .send({ ...body, instance: request.url.split('?')[0] });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
