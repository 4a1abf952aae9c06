import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiTags } from '@nestjs/swagger';
import { ItemsRepository } from './items.repository';
import { parseItemsQuery } from './items.query';
import { RequiresScope } from './api-key.guard';
import { ItemDocs, ItemsListDocs } from './openapi/endpoint-docs';
import { ProblemError } from './problem';
import { ReadModelResponder } from './read-model-responder';

/** GET /v1/items and /v1/items/:id, over the `items` read model. */
@ApiTags('items')
@RequiresScope('read')
@Controller('v1/items')
export class ItemsController {
  constructor(
    private readonly items: ItemsRepository,
    private readonly responder: ReadModelResponder,
  ) {}

  @Get()
  @ItemsListDocs()
  list(
    @Query() raw: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const query = parseItemsQuery(raw);
    return this.responder.respond(
      'items',
      request,
      reply,
      async (schema) => {
        const { rows, nextCursor } = await this.items.list(schema, query);
        return { items: rows, nextCursor };
      },
      query,
    );
  }

  @Get(':id')
  @ItemDocs()
  get(
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!/^[0-9a-f]{32}$/.test(id))
      throw new ProblemError(400, 'Invalid item id', 'item ids are 32 hexadecimal characters');
    return this.responder.respond('items', request, reply, async (schema) => {
      const found = await this.items.get(schema, id);
      if (!found) throw new ProblemError(404, 'Not found', `No item ${id}`);
      return { ...found.item, classifications: found.classifications };
    });
  }
}
