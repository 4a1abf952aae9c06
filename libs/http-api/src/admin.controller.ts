import { Body, Controller, Delete, HttpCode, Inject, Logger, Param, Patch, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { ItemClassifier } from '@frictionwatch/classifier';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import {
  FeedNotFoundError,
  FeedRegisteredSchema,
  FeedRegistry,
  FeedUpdatedSchema,
} from '@frictionwatch/feeds';
import { feedUrlRefusal } from '@frictionwatch/fetcher';
import { Reclassification } from '@frictionwatch/items';
import { ProjectionEngine } from '@frictionwatch/projections';
import { RequiresScope } from './api-key.guard';
import { ApiProblems } from './openapi/api-docs';
import { schemaOf, schemaRef } from './openapi/schemas';
import { parseOrProblem, ProblemError } from './problem';

const parse = <T>(schema: z.ZodType<T>, body: unknown): T =>
  parseOrProblem(schema, body, { what: 'request body', field: 'body' });

const NewFeed = FeedRegisteredSchema.extend({
  json: FeedRegisteredSchema.shape.json.optional().default(null),
  html: FeedRegisteredSchema.shape.html.optional().default(null),
  topics: z.array(z.string()).default([]),
  publisher: z.string().nullable().default(null),
  jurisdictionHint: z.string().nullable().default(null),
});

const FeedChange = FeedUpdatedSchema.shape.changes
  .extend({ status: z.enum(['paused', 'active']).optional() })
  .strict();

/** Admin: feeds, projection rebuilds and re-classification. Every change is an event or a job. */
@ApiTags('admin')
@RequiresScope('admin')
@Controller('v1')
export class AdminController {
  private readonly logger = new Logger('admin');

  constructor(
    private readonly feeds: FeedRegistry,
    private readonly engine: ProjectionEngine,
    private readonly reclassification: Reclassification,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A feed URL the fetcher would refuse (a private or loopback address) is refused here already. */
  private async assertFetchableUrl(url: string): Promise<void> {
    const refusal = await feedUrlRefusal(url, {
      allowPrivateNetworks: this.config.FETCH_ALLOW_PRIVATE_NETWORKS,
    });
    if (refusal) throw new ProblemError(400, 'Invalid request body', `url: ${refusal}`);
  }

  @Post('feeds')
  @HttpCode(201)
  @ApiOperation({ summary: 'Registers a feed (FeedRegistered)' })
  @ApiBody({ schema: schemaOf(NewFeed) })
  @ApiCreatedResponse({ description: 'Registered', schema: schemaRef('FeedId') })
  @ApiProblems(400, 409, 413)
  async addFeed(@Body() body: unknown) {
    const spec = parse(NewFeed, body);
    await this.assertFetchableUrl(spec.url);
    if (!(await this.feeds.register(spec)))
      throw new ProblemError(409, 'Conflict', `Feed ${spec.feedId} is already registered`);
    return { feedId: spec.feedId };
  }

  @Patch('feeds/:id')
  @ApiOperation({ summary: 'Changes a feed, pauses or resumes it (each change is an event)' })
  @ApiParam({ name: 'id', schema: { type: 'string' } })
  @ApiBody({ schema: schemaOf(FeedChange) })
  @ApiOkResponse({ description: 'Changed', schema: schemaRef('FeedId') })
  @ApiProblems(400, 404, 413)
  async changeFeed(@Param('id') id: string, @Body() body: unknown) {
    const { status, ...changes } = parse(FeedChange, body);
    if (changes.url !== undefined) await this.assertFetchableUrl(changes.url);
    try {
      if (Object.keys(changes).length) await this.feeds.update(id, changes, 'changed through the API');
      if (status === 'paused') await this.feeds.pause(id, 'paused through the API');
      if (status === 'active') await this.feeds.resume(id);
    } catch (error) {
      if (error instanceof FeedNotFoundError) throw new ProblemError(404, 'Not found', error.message);
      throw error;
    }
    return { feedId: id };
  }

  @Delete('feeds/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Removes a feed (FeedRemoved)' })
  @ApiParam({ name: 'id', schema: { type: 'string' } })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblems(404)
  async removeFeed(@Param('id') id: string) {
    try {
      await this.feeds.remove(id);
    } catch (error) {
      if (error instanceof FeedNotFoundError) throw new ProblemError(404, 'Not found', error.message);
      throw error;
    }
  }

  /** Starts a blue/green rebuild and answers at once; `projections status` and the headers show it. */
  @Post('projections/:name/rebuild')
  @HttpCode(202)
  @ApiOperation({ summary: 'Starts a blue/green rebuild of a read model; reactors are refused' })
  @ApiParam({
    name: 'name',
    description: 'a projection name (see `projections status`)',
    schema: { type: 'string' },
  })
  @ApiAcceptedResponse({ description: 'Rebuilding', schema: schemaRef('RebuildStarted') })
  @ApiProblems(404, 409)
  rebuild(@Param('name') name: string) {
    if (!this.engine.names().includes(name)) {
      throw new ProblemError(404, 'Not found', `No projection ${name}`, { validValues: this.engine.names() });
    }
    if (this.engine.projection(name).reactor)
      throw new ProblemError(409, 'Conflict', `${name} is a reactor: it is never rebuilt`);
    this.engine.rebuild(name).then(
      (result) => this.logger.log(`rebuilt ${name}: generation ${result.generation} live`),
      (error: unknown) => this.logger.error(`rebuild of ${name} failed: ${(error as Error).message}`),
    );
    return { projection: name, status: 'rebuilding' };
  }

  @Post('reclassify')
  @HttpCode(202)
  @ApiOperation({ summary: 'Enqueues re-classification of items from other classifier or taxonomy versions' })
  @ApiAcceptedResponse({ description: 'Enqueued', schema: schemaRef('ReclassifyStarted') })
  async reclassify() {
    const classifier = new ItemClassifier();
    const versions = {
      classifierVersion: classifier.classifierVersion,
      taxonomyVersion: classifier.taxonomyVersion,
    };
    const outdated = await this.reclassification.outdatedItemIds(versions);
    const jobs = await this.reclassification.enqueue(outdated, versions);
    return { ...versions, items: outdated.length, jobs };
  }
}
