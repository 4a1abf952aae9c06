import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProjectionEngine } from '@frictionwatch/projections';
import { revalidate } from './poll-cache';
import { ProblemError } from './problem';

/**
 * The polling contract of every read endpoint: ETag from the read model's checkpoint and the query,
 * 304 without reading the read model, freshness headers; otherwise load from the active generation.
 */
@Injectable()
export class ReadModelResponder {
  constructor(private readonly engine: ProjectionEngine) {}

  async respond<T>(
    readModel: string,
    request: FastifyRequest,
    reply: FastifyReply,
    load: (schema: string) => Promise<T>,
  ): Promise<T | undefined> {
    const checkpoint = await this.engine.repository.activeCheckpoint(readModel);
    if (!checkpoint)
      throw new ProblemError(
        503,
        'Read model not ready',
        `The ${readModel} read model has not been built yet.`,
      );
    if (revalidate(request, reply, checkpoint)) {
      reply.status(304);
      return undefined;
    }
    return load(await this.engine.activeSchema(readModel));
  }
}
