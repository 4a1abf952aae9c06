import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { AlertMailService, type MailJobContext } from '@frictionwatch/alerts';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { PostgresEventStore } from '@frictionwatch/event-store';
import { FeedFetchService } from '@frictionwatch/feeds';
import { ItemClassificationService } from '@frictionwatch/items';
import { Metrics } from '@frictionwatch/observability';
import {
  closeRedis,
  closeWorker,
  createRedisConnection,
  jobFailedEvent,
  jobStreamId,
  QUEUE_NAMES,
  QueueWorkers,
  startQueueWorker,
  type JobFailed,
  type JobHandlers,
  type JobOutcome,
} from '@frictionwatch/queues';

function mailJob(job: Job, correlationId: string): MailJobContext {
  return {
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    correlationId,
    causationId: job.id,
  };
}

/**
 * The queue consumers of this worker: only the queues named in WORKER_QUEUES, so one image scales per
 * workload. Handlers are a line each: the work is in the services.
 */
@Injectable()
export class QueueConsumers
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('worker');
  private readonly workers: Worker[] = [];
  private connection: Redis | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly feedFetch: FeedFetchService,
    private readonly classification: ItemClassificationService,
    private readonly mail: AlertMailService,
    private readonly store: PostgresEventStore,
    private readonly metrics: Metrics,
    private readonly running: QueueWorkers,
  ) {}

  /** Every job that gives up leaves a JobFailed in the log (`npm run cli -- verify` checks it). */
  private async recordFailure(failure: JobFailed, correlationId?: string): Promise<void> {
    try {
      await this.store.append(jobStreamId(failure.queue, failure.jobId), [
        jobFailedEvent(failure, correlationId),
      ]);
    } catch (error) {
      this.logger.error(
        `job ${failure.jobName} ${failure.jobId}: its failure could not be recorded: ${String(error)}`,
      );
    }
  }

  private handlers(): JobHandlers {
    return {
      'fetch-feed': async (data, job) => {
        const result = await this.feedFetch.fetchFeed(data.feedId, {
          correlationId: data.correlationId,
          causationId: job.id,
        });
        this.metrics.feedFetches.inc({ feed: data.feedId, outcome: result.outcome });
        return result;
      },
      'classify-items': (data, job) =>
        this.classification.classify(
          data.items.map((item) => item.itemId),
          { correlationId: data.correlationId, causationId: job.id },
        ),
      'send-alert': (data, job) => this.mail.sendAlert(data.alertId, mailJob(job, data.correlationId)),
      'send-digest': (data, job) =>
        this.mail.sendDigest(data.subscriptionId, data.periodEnd, mailJob(job, data.correlationId)),
      'send-confirmation': (data) => this.mail.sendConfirmation(data.subscriptionId),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const wanted = this.config.WORKER_QUEUES.split(',')
      .map((q) => q.trim())
      .filter(Boolean);
    const unknown = wanted.filter((q) => !QUEUE_NAMES.includes(q));
    if (unknown.length)
      throw new Error(
        `WORKER_QUEUES names unknown queues: ${unknown.join(', ')} (known: ${QUEUE_NAMES.join(', ')})`,
      );
    await Promise.all([
      wanted.includes('fetch') ? this.feedFetch.warm() : undefined,
      wanted.includes('classify') ? this.classification.warm() : undefined,
    ]);
    this.connection = createRedisConnection(this.config.REDIS_URL, 'frictionwatch-worker');
    const concurrency: Record<string, number> = {
      fetch: this.config.WORKER_FETCH_CONCURRENCY,
      classify: this.config.WORKER_CLASSIFY_CONCURRENCY,
      email: 2,
    };
    // The provider's rate, shared by every worker on the queue (BullMQ's limiter lives in Redis).
    const limiter: Record<string, { max: number; duration: number }> = {
      email: { max: this.config.MAIL_RATE_PER_SECOND, duration: 1000 },
    };
    for (const queue of wanted) {
      const worker = startQueueWorker(queue, this.handlers(), {
        connection: this.connection,
        prefix: this.config.QUEUE_PREFIX,
        concurrency: concurrency[queue] ?? 1,
        lockMs: this.config.WORKER_LOCK_MS,
        limiter: limiter[queue],
        onFinished: (outcome) => this.countJob(outcome),
        onFinalFailure: (failure, job) =>
          this.recordFailure(failure, (job.data as { correlationId?: string }).correlationId),
      });
      // A job whose worker died (its lock expired) is moved back to waiting by whichever worker notices.
      worker.on('stalled', (jobId) =>
        this.logger.warn(
          `job ${jobId} on ${queue} stalled (its worker stopped renewing the lock): taken back`,
        ),
      );
      // Failed attempts are logged inside the job (with its correlation id); a job that stalled too
      // often is failed by BullMQ without running: logged and recorded here instead.
      worker.on('failed', (job, error) => {
        if (!job || !/stalled more than allowable limit/.test(error.message)) return;
        this.logger.warn(`job ${job.name} ${job.id} failed: ${error.message}`);
        void this.recordFailure(
          {
            queue,
            jobName: job.name,
            jobId: String(job.id),
            attempts: Math.max(1, job.attemptsMade),
            error: error.message,
            data: (job.data ?? {}) as Record<string, unknown>,
          },
          (job.data as { correlationId?: string }).correlationId,
        );
      });
      this.workers.push(worker);
      this.running.add(worker);
    }
    this.logger.log(`consuming queues: ${wanted.join(', ')}`);
  }

  private countJob({ queue, job, outcome, seconds }: JobOutcome): void {
    (outcome === 'completed' ? this.metrics.jobsCompleted : this.metrics.jobsFailed).inc({ queue, job });
    this.metrics.jobDuration.observe({ queue, job, outcome }, seconds);
  }

  /**
   * Before anything else closes (queues, the pool, the parser threads): stop taking jobs and let the
   * ones in flight finish within WORKER_SHUTDOWN_TIMEOUT_MS. A job still running then stays locked
   * and is taken back by another worker after WORKER_LOCK_MS: never lost, never applied twice (its
   * appends are idempotent).
   */
  async beforeApplicationShutdown(): Promise<void> {
    const results = await Promise.all(
      this.workers.map(async (worker) => ({
        queue: worker.name,
        result: await closeWorker(worker, this.config.WORKER_SHUTDOWN_TIMEOUT_MS),
      })),
    );
    const late = results.filter((r) => r.result === 'timed_out').map((r) => r.queue);
    if (late.length)
      this.logger.warn(
        `queue workers of ${late.join(', ')} did not close within ${this.config.WORKER_SHUTDOWN_TIMEOUT_MS} ms ` +
          `(jobs still running, or Redis not answering): closed by force; their jobs are taken back after WORKER_LOCK_MS`,
      );
    else if (results.length) this.logger.log('queue workers stopped; no job in flight');
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.connection) await closeRedis(this.connection);
  }
}
