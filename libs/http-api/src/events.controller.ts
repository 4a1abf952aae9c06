import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { PostgresEventStore } from '@frictionwatch/event-store';
import { RequiresScope } from './api-key.guard';
import { ApiProblems } from './openapi/api-docs';
import { ApiQueriesOf } from './openapi/endpoint-docs';
import { ProblemError } from './problem';

const EventsQuery = z
  .object({
    after: z
      .string()
      .regex(/^\d{1,20}:\d{1,19}$/, 'a checkpoint <transaction id>:<position> from an earlier answer')
      .default('0:0'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** GET /v1/events?after=<checkpoint>&limit=: the raw change feed, gap-safe, admin scope. */
@ApiTags('admin')
@RequiresScope('admin')
@Controller('v1/events')
export class EventsController {
  constructor(private readonly store: PostgresEventStore) {}

  @Get()
  @ApiOperation({ summary: 'The raw change feed, gap-safe: resume with `next` as `after`' })
  @ApiQueriesOf(EventsQuery)
  @ApiOkResponse({ description: 'Events', schema: { $ref: '#/components/schemas/EventPage' } })
  @ApiProblems(400)
  async events(@Query() raw: Record<string, unknown>) {
    const parsed = EventsQuery.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ProblemError(400, 'Invalid query parameter', `${String(issue.path[0])}: ${issue.message}`);
    }
    const batch = await this.store.readAll({
      after: parsed.data.after,
      limit: parsed.data.limit,
      maxBytes: 4 * 1024 * 1024,
    });
    return { events: batch.events, next: batch.checkpoint, caughtUp: batch.caughtUp };
  }
}
