import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FeedRepository } from '@frictionwatch/feeds';
import { RequiresScope } from './api-key.guard';
import { ActivityDocs, CaseDocs, CasesListDocs, DeadlinesDocs, FeedsDocs } from './openapi/endpoint-docs';
import { ProblemError } from './problem';
import { ReadModelResponder } from './read-model-responder';
import { ReadModelsRepository } from './read-models.repository';
import {
  ACTIVITY_DIMENSIONS,
  ActivityQuerySchema,
  CasesQuerySchema,
  DeadlinesQuerySchema,
  parseQuery,
} from './read-models.query';

/** Cases, deadlines, activity and feed health: the other read models dashboards poll. */
@ApiTags('read models')
@RequiresScope('read')
@Controller('v1')
export class ReadModelsController {
  constructor(
    private readonly repository: ReadModelsRepository,
    private readonly feeds: FeedRepository,
    private readonly responder: ReadModelResponder,
  ) {}

  @Get('cases')
  @CasesListDocs()
  cases(
    @Query() raw: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const query = parseQuery(CasesQuerySchema, raw);
    return this.responder.respond(
      'cases',
      request,
      reply,
      async (schema) => ({ cases: await this.repository.cases(schema, query) }),
      query,
    );
  }

  @Get('cases/:id')
  @CaseDocs()
  case(
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!/^case_[0-9a-f]{24}$/.test(id))
      throw new ProblemError(
        400,
        'Invalid case id',
        'case ids look like case_ and 24 hexadecimal characters',
      );
    return this.responder.respond('cases', request, reply, async (schema) => {
      const found = await this.repository.caseWithTimeline(schema, id);
      if (!found) throw new ProblemError(404, 'Not found', `No case ${id}`);
      return found;
    });
  }

  @Get('deadlines')
  @DeadlinesDocs()
  deadlines(
    @Query() raw: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const query = parseQuery(DeadlinesQuerySchema, raw);
    return this.responder.respond(
      'deadlines',
      request,
      reply,
      async (schema) => ({ deadlines: await this.repository.deadlines(schema, query) }),
      query,
    );
  }

  @Get('activity')
  @ActivityDocs()
  activity(
    @Query() raw: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const query = parseQuery(ActivityQuerySchema, raw);
    const groupBy = query.groupBy.map((n) => ACTIVITY_DIMENSIONS[n as keyof typeof ACTIVITY_DIMENSIONS]);
    return this.responder.respond(
      'activity',
      request,
      reply,
      async (schema) => ({
        interval: query.interval,
        groupBy: query.groupBy,
        series: await this.repository.activity(schema, { ...query, groupBy }),
      }),
      query,
    );
  }

  @Get('feeds')
  @FeedsDocs()
  feedHealth(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.responder.respond('feeds', request, reply, async () => ({ feeds: await this.feeds.list() }));
  }
}
