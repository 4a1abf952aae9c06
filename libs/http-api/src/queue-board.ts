import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BoardAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { JobQueue, QUEUE_NAMES } from '@frictionwatch/queues';
import { ApiKeys } from './api-keys';
import { sendProblem } from './problem';

export const QUEUE_BOARD_PATH = '/admin/queues';

/** The key a request presents: `Authorization: Bearer <key>`, or HTTP Basic with the key as password. */
export function presentedKey(header: string | undefined): string | null {
  if (!header) return null;
  const bearer = /^Bearer (\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : null;
}

function problem(reply: FastifyReply, status: 401 | 403, detail: string): FastifyReply {
  // The Basic challenge lets a browser ask for the key (any user name, the key as password).
  if (status === 401)
    void reply.header('www-authenticate', 'Basic realm="frictionwatch queues", charset="UTF-8"');
  return sendProblem(reply, status, status === 401 ? 'Unauthorized' : 'Forbidden', detail);
}

/** Lets only admin keys through; answers 401 (with a Basic challenge) or 403 otherwise. */
export function adminKeyHook(keys: ApiKeys) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const key = presentedKey(request.headers.authorization);
    if (!key)
      return problem(
        reply,
        401,
        'The queue UI needs an admin key: Bearer <key>, or Basic with the key as password',
      );
    const verdict = await keys.verify(key);
    if ('refused' in verdict)
      return problem(
        reply,
        401,
        verdict.refused === 'malformed' ? 'Malformed API key' : 'Unknown or revoked API key',
      );
    if (verdict.scope !== 'admin') return problem(reply, 403, 'The queue UI needs an admin key');
  };
}

/**
 * Bull Board (every queue, its jobs, retries) at /admin/queues in the api role. Its routes are not Nest
 * controllers, so the admin check is a Fastify hook in their own encapsulated scope.
 */
export async function setupQueueBoard(app: NestFastifyApplication): Promise<void> {
  const jobs = app.get(JobQueue);
  const keys = app.get(ApiKeys);
  const board = new BoardAdapter();
  board.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(jobs.queue(name))),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'frictionwatch' } },
  });
  await app.register(async (scope: FastifyInstance) => {
    scope.addHook('onRequest', adminKeyHook(keys));
    await scope.register(board.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
  });
}
