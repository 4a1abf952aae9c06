import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { FeedRepository } from '@frictionwatch/feeds';
import { SECTOR_IDS, STAGE_IDS } from '@frictionwatch/taxonomy';
import { RequiresScope } from './api-key.guard';
import { ProblemError } from './problem';
import { ReadModelResponder } from './read-model-responder';
import { ReadModelsRepository } from './read-models.repository';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const DIMENSIONS = {
  sector: 'sector',
  actor: 'actor',
  target: 'target',
  frictionType: 'friction_type',
  stage: 'stage',
} as const;

function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const parameter = String(issue.path[0] ?? 'query');
  throw new ProblemError(400, 'Invalid query parameter', `${parameter}: ${issue.message}`, { parameter });
}

const today = () => new Date().toISOString().slice(0, 10);
const plusDays = (days: number) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

/** Cases, deadlines, activity and feed health: the other read models dashboards poll. */
@RequiresScope('read')
@Controller('v1')
export class ReadModelsController {
  constructor(
    private readonly repository: ReadModelsRepository,
    private readonly feeds: FeedRepository,
    private readonly responder: ReadModelResponder,
  ) {}

  @Get('cases')
  cases(
    @Query() raw: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const query = parse(
      z
        .object({
          stage: z.enum(STAGE_IDS as unknown as [string, ...string[]]).optional(),
          sector: z.enum(SECTOR_IDS as unknown as [string, ...string[]]).optional(),
          actor: z
            .string()
            .regex(/^[A-Z]{2}$/)
            .optional(),
          target: z
            .string()
            .regex(/^[A-Z]{2}$/)
            .optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        })
        .strict(),
      raw,
    );
    return this.responder.respond(
      'cases',
      request,
      reply,
      async (schema) => ({ cases: await this.repository.cases(schema, query) }),
      query,
    );
  }

  @Get('cases/:id')
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
  deadlines(
    @Query() raw: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const query = parse(
      z
        .object({
          from: day.default(today()),
          to: day.default(plusDays(180)),
          kind: z.enum(['comments_close', 'effective']).optional(),
        })
        .strict(),
      raw,
    );
    return this.responder.respond(
      'deadlines',
      request,
      reply,
      async (schema) => ({ deadlines: await this.repository.deadlines(schema, query) }),
      query,
    );
  }

  @Get('activity')
  activity(
    @Query() raw: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const query = parse(
      z
        .object({
          from: day.default(plusDays(-365)),
          to: day.default(today()),
          interval: z.enum(['week', 'month']).default('week'),
          groupBy: z
            .string()
            .default('sector')
            .transform((text) =>
              text
                .split(',')
                .map((v) => v.trim())
                .filter(Boolean),
            )
            .refine(
              (names) => names.every((n) => n in DIMENSIONS),
              `groupBy takes ${Object.keys(DIMENSIONS).join(', ')}`,
            ),
        })
        .strict(),
      raw,
    );
    const groupBy = query.groupBy.map((n) => DIMENSIONS[n as keyof typeof DIMENSIONS]);
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
  feedHealth(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.responder.respond('feeds', request, reply, async () => ({ feeds: await this.feeds.list() }));
  }
}
