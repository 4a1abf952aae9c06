import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loadTaxonomy } from '@frictionwatch/taxonomy';
import { RequiresScope } from './api-key.guard';

/** GET /v1/taxonomy: the seed taxonomy with its provenance; its ETag is the taxonomy version. */
@RequiresScope('read')
@Controller('v1/taxonomy')
export class TaxonomyController {
  @Get()
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
