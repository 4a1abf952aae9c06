import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { z } from 'zod';
import {
  SubscriptionCommands,
  SubscriptionNotFoundError,
  SubscriptionSpecSchema,
  type SubscriptionState,
} from '@frictionwatch/alerts';
import { KYSELY, type Database } from '@frictionwatch/database';
import { ProjectionEngine } from '@frictionwatch/projections';
import { JobQueue, jobId } from '@frictionwatch/queues';
import { RequiresScope } from './api-key.guard';
import { ApiProblems } from './openapi/api-docs';
import { schemaOf } from './openapi/schemas';
import { parseOrProblem, ProblemError } from './problem';

const parse = <T>(schema: z.ZodType<T>, input: unknown, what: string): T =>
  parseOrProblem(schema, input, { what, field: what, nameParameter: true });

const SubscriptionChange = SubscriptionSpecSchema.omit({ kind: true, recipient: true })
  .partial()
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'nothing to change');

const AlertsQuery = z
  .object({
    subscription: z.string().max(60).optional(),
    status: z.enum(['pending', 'deferred', 'delivered', 'failed']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/**
 * Subscriptions of policy teams (admin scope): each change is an event. With ALERTS_DOUBLE_OPT_IN a new
 * subscription stays `pending` until its recipient follows the confirmation link.
 */
/** Runs a subscription command; an unknown or cancelled subscription is a 404 (with `detail`, or its message). */
export async function orNotFound<T>(work: () => Promise<T>, detail?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SubscriptionNotFoundError)
      throw new ProblemError(404, 'Not found', detail ?? error.message);
    throw error;
  }
}

@ApiTags('alerts')
@RequiresScope('admin')
@Controller('v1')
export class SubscriptionsController {
  constructor(
    private readonly commands: SubscriptionCommands,
    private readonly engine: ProjectionEngine,
    private readonly jobs: JobQueue,
    @Inject(KYSELY) private readonly db: Kysely<Database>,
  ) {}

  @Post('subscriptions')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Creates a subscription (SubscriptionCreated); pending until confirmed under double opt-in',
  })
  @ApiBody({ schema: schemaOf(SubscriptionSpecSchema) })
  @ApiCreatedResponse({ description: 'The subscription as stored' })
  @ApiProblems(400, 413)
  async create(@Body() body: unknown) {
    const spec = parse(SubscriptionSpecSchema.strict(), body ?? {}, 'request body');
    const state = await this.commands.create(spec);
    if (state.status === 'pending')
      await this.jobs.enqueue([
        {
          name: 'send-confirmation',
          jobId: jobId('confirm', state.subscriptionId),
          data: { subscriptionId: state.subscriptionId, correlationId: state.subscriptionId },
        },
      ]);
    return state;
  }

  @Get('subscriptions')
  @ApiOperation({ summary: 'Lists subscriptions, optionally by status' })
  @ApiQuery({
    name: 'status',
    required: false,
    schema: { type: 'string', enum: ['pending', 'active', 'cancelled'] },
  })
  @ApiOkResponse({ description: '{ subscriptions: [...] }' })
  @ApiProblems(400)
  async list(@Query('status') status?: string) {
    if (status !== undefined && !['pending', 'active', 'cancelled'].includes(status))
      throw new ProblemError(400, 'Invalid query parameter', `status: unknown status ${status}`, {
        parameter: 'status',
        validValues: ['pending', 'active', 'cancelled'],
      });
    const schema = await this.engine.activeSchema('subscriptions');
    const { rows } = await sql<{ state: SubscriptionState }>`
      SELECT state FROM ${sql.table(`${schema}.subscriptions`)}
      WHERE (${status ?? null}::text IS NULL OR status = ${status ?? null})
      ORDER BY subscription_id LIMIT 1000`.execute(this.db);
    return { subscriptions: rows.map((r) => r.state) };
  }

  @Get('subscriptions/:id')
  @ApiOperation({ summary: 'One subscription, as its events say' })
  @ApiParam({ name: 'id', schema: { type: 'string' } })
  @ApiOkResponse({ description: 'The subscription' })
  @ApiProblems(404)
  async get(@Param('id') id: string) {
    const found = await this.commands.get(id);
    if (!found) throw new ProblemError(404, 'Not found', `No subscription ${id}`);
    return found.state;
  }

  @Patch('subscriptions/:id')
  @ApiOperation({
    summary: 'Changes filters, name, delivery mode, time zone, send hour or reminders (SubscriptionUpdated)',
  })
  @ApiParam({ name: 'id', schema: { type: 'string' } })
  @ApiBody({ schema: schemaOf(SubscriptionChange) })
  @ApiOkResponse({ description: 'The subscription after the change' })
  @ApiProblems(400, 404, 413)
  async update(@Param('id') id: string, @Body() body: unknown) {
    const changes = parse(SubscriptionChange, body ?? {}, 'request body');
    return orNotFound(() => this.commands.update(id, changes));
  }

  @Delete('subscriptions/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Cancels a subscription (SubscriptionCancelled)' })
  @ApiParam({ name: 'id', schema: { type: 'string' } })
  @ApiNoContentResponse({ description: 'Cancelled' })
  @ApiProblems(404)
  async remove(@Param('id') id: string) {
    await orNotFound(() => this.commands.cancel(id, 'deleted'));
  }

  /** The delivery log: every alert and where its mail stands, newest first. */
  @Get('alerts')
  @ApiOperation({ summary: 'The delivery log: alerts raised and where their mail stands, newest first' })
  @ApiQuery({ name: 'subscription', required: false, schema: { type: 'string' } })
  @ApiQuery({
    name: 'status',
    required: false,
    schema: { type: 'string', enum: ['pending', 'deferred', 'delivered', 'failed'] },
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
  })
  @ApiOkResponse({ description: '{ alerts: [...] }' })
  @ApiProblems(400)
  async alerts(@Query() raw: Record<string, unknown>) {
    const query = parse(AlertsQuery, raw, 'query parameter');
    const schema = await this.engine.activeSchema('alerts');
    const { rows } = await sql<Record<string, unknown>>`
      SELECT alert_id, subscription_id, recipient, trigger_kind, item_id, case_id, title, delivery, status,
             raised_at, delivered_at, message_id, digest_id, attempts, last_error
      FROM ${sql.table(`${schema}.alerts`)}
      WHERE (${query.subscription ?? null}::text IS NULL OR subscription_id = ${query.subscription ?? null})
        AND (${query.status ?? null}::text IS NULL OR status = ${query.status ?? null})
      ORDER BY raised_at DESC, alert_id DESC LIMIT ${query.limit}`.execute(this.db);
    return { alerts: rows };
  }
}
