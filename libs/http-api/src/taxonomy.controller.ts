import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiNotModifiedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loadTaxonomy } from '@frictionwatch/taxonomy';
import { RequiresScope } from './api-key.guard';

/** GET /v1/taxonomy: the seed taxonomy with its provenance; its ETag is the taxonomy version. */
@ApiTags('taxonomy')
@RequiresScope('read')
@Controller('v1/taxonomy')
export class TaxonomyController {
  @Get()
  @ApiOperation({ summary: 'The seed taxonomy with provenance; its ETag is the taxonomy version' })
  @ApiOkResponse({ description: 'The taxonomy', schema: { $ref: '#/components/schemas/Taxonomy' } })
  @ApiNotModifiedResponse({ description: 'If-None-Match matched (does not count against the rate limit)' })
  taxonomy(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const taxonomy = loadTaxonomy();
    const etag = `W/"${taxonomy.version}"`;
    reply.header('etag', etag).header('cache-control', 'private, no-cache');
    if (request.headers['if-none-match'] === etag) {
      reply.status(304);
      return undefined;
    }
    return taxonomy;
  }
}
