import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, mergeMap, type Observable } from 'rxjs';
import { RateLimitLedger } from './rate-limit-ledger';

/**
 * A handler that answered 304 (If-None-Match matched) gets its rate-limit charge back before the reply
 * is sent, so the client's next request already sees the refunded budget.
 */
@Injectable()
export class RateLimitRefundInterceptor implements NestInterceptor {
  constructor(private readonly ledger: RateLimitLedger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    return next
      .handle()
      .pipe(
        mergeMap((body) =>
          reply.statusCode === 304
            ? from(this.ledger.refund(request).then(() => body))
            : from(Promise.resolve(body)),
        ),
      );
  }
}
