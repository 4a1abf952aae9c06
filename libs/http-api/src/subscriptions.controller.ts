import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
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
import { Inject } from '@nestjs/common';
import { RequiresScope } from './api-key.guard';
import { ProblemError } from './problem';

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ProblemError(400, `Invalid ${what}`, `${issue.path.join('.') || what}: ${issue.message}`, {
    parameter: issue.path.join('.') || undefined,
  });
}

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

function view(state: SubscriptionState) {
  return state;
}

/**
 * Subscriptions of policy teams (admin scope): each change is an event. With ALERTS_DOUBLE_OPT_IN a new
 * subscription stays `pending` until its recipient follows the confirmation link.
 */
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
    return view(state);
  }

  @Get('subscriptions')
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
    return { subscriptions: rows.map((r) => view(r.state)) };
  }

  @Get('subscriptions/:id')
  async get(@Param('id') id: string) {
    const found = await this.commands.get(id);
    if (!found) throw new ProblemError(404, 'Not found', `No subscription ${id}`);
    return view(found.state);
  }

  @Patch('subscriptions/:id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    const changes = parse(SubscriptionChange, body ?? {}, 'request body');
    return view(await this.mapNotFound(() => this.commands.update(id, changes)));
  }

  @Delete('subscriptions/:id')
  @HttpCode(204)
  async remove(@Param('id') id: string) {
    await this.mapNotFound(() => this.commands.cancel(id, 'deleted'));
  }

  /** The delivery log: every alert and where its mail stands, newest first. */
  @Get('alerts')
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

  private async mapNotFound<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof SubscriptionNotFoundError) throw new ProblemError(404, 'Not found', error.message);
      throw error;
    }
  }
}
