import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProjectionEngine } from '@frictionwatch/projections';
import { ItemsRepository } from './items.repository';
import { parseItemsQuery } from './items.query';
import { revalidate } from './poll-cache';
import { ProblemError } from './problem';

/** GET /v1/items and /v1/items/:id, over the `items` read model. */
@Controller('v1/items')
export class ItemsController {
  constructor(
    @Inject(ItemsRepository) private readonly items: ItemsRepository,
    private readonly engine: ProjectionEngine,
  ) {}

  @Get()
  async list(
    @Query() raw: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const query = parseItemsQuery(raw);
    const checkpoint = await this.items.checkpoint('items');
    if (!checkpoint)
      throw new ProblemError(503, 'Read model not ready', 'The items read model has not been built yet.');
    if (revalidate(request, reply, checkpoint)) {
      reply.status(304);
      return undefined;
    }
    const { rows, nextCursor } = await this.items.list(await this.engine.activeSchema('items'), query);
    return { items: rows, nextCursor };
  }

  @Get(':id')
  async get(
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!/^[0-9a-f]{32}$/.test(id))
      throw new ProblemError(400, 'Invalid item id', 'item ids are 32 hexadecimal characters');
    const checkpoint = await this.items.checkpoint('items');
    if (!checkpoint)
      throw new ProblemError(503, 'Read model not ready', 'The items read model has not been built yet.');
    if (revalidate(request, reply, checkpoint)) {
      reply.status(304);
      return undefined;
    }
    const found = await this.items.get(await this.engine.activeSchema('items'), id);
    if (!found) throw new ProblemError(404, 'Not found', `No item ${id}`);
    return { ...found.item, classifications: found.classifications };
  }
}
