import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RateLimitLedger } from './rate-limit-ledger';

/**
 * A request answered 304 (If-None-Match matched) gets its rate-limit charge back before the reply is
 * sent, so the client's next request already sees the refunded budget. A Fastify hook rather than a
 * Nest interceptor: any interceptor puts every request through rxjs and async-context binding, which
 * cost about a fifth of the api's CPU under polling load.
 */
export function setupRateLimitRefund(app: NestFastifyApplication): void {
  const ledger = app.get(RateLimitLedger, { strict: false });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (request, reply, payload, done) => {
      if (reply.statusCode !== 304) return done(null, payload);
      // refund() settles every charge and never rejects.
      void ledger.refund(request).then(() => done(null, payload));
    });
}
