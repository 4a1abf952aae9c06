import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problemBody, ProblemError, sendProblem } from './problem';

/** A problem+json answer naming the request's path, as the ProblemFilter writes them. */
function answerProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  title: string,
  detail: string,
): void {
  void sendProblem(reply, status, title, detail, { instance: request.url.split('?')[0] });
}

/**
 * Errors Fastify answers before a request reaches Nest (a path that is not valid percent-encoded
 * UTF-8): problem+json like every other error.
 */
export function frameworkErrorsAsProblems(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const detail =
    error.code === 'FST_ERR_BAD_URL'
      ? 'The path is not valid percent-encoded UTF-8'
      : 'The request is malformed';
  answerProblem(reply, request, status, STATUS_CODES[status] ?? 'Bad Request', detail);
}

/**
 * Errors of the HTTP parser itself (headers or URL over Node's 16 KiB limit, a broken request line):
 * answered on the socket, as problem+json, and the connection closed.
 */
export function clientErrorsAsProblems(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail =
    status === 431
      ? 'The request line or headers exceed 16 KiB'
      : status === 408
        ? 'The request took too long to arrive'
        : 'The request is not valid HTTP';
  const body = JSON.stringify(problemBody(status, STATUS_CODES[status] ?? 'Bad Request', detail));
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/problem+json\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(error);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Input that Fastify would otherwise accept by replacing bytes: a query string whose percent-escapes
 * are not valid UTF-8 (or not escapes at all), a JSON body that is not valid UTF-8. Both are refused
 * with 400 rather than stored with U+FFFD in place of what the client meant.
 */
export function refuseMalformedInput(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const at = request.url.indexOf('?');
    if (at >= 0) {
      try {
        decodeURIComponent(request.url.slice(at + 1).replace(/\+/g, ' '));
      } catch {
        answerProblem(
          reply,
          request,
          400,
          'Invalid query string',
          'The query string is not valid percent-encoded UTF-8',
        );
        return;
      }
    }
    done();
  });
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new ProblemError(400, 'Invalid request body', 'The request body is not valid UTF-8'), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
