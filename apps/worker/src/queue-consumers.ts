import {
  Inject,
  Injectable,
  Logger,
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
import {
  closeWorker,
  createRedisConnection,
  jobFailedEvent,
  jobStreamId,
  QUEUE_NAMES,
  startQueueWorker,
  type JobFailed,
  type JobHandlers,
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
export class QueueConsumers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('worker');
  private readonly workers: Worker[] = [];
  private connection: Redis | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly feedFetch: FeedFetchService,
    private readonly classification: ItemClassificationService,
    private readonly mail: AlertMailService,
    private readonly store: PostgresEventStore,
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
      'fetch-feed': (data, job) =>
        this.feedFetch.fetchFeed(data.feedId, { correlationId: data.correlationId, causationId: job.id }),
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
    if (wanted.includes('fetch')) await this.feedFetch.warm();
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
        onFinalFailure: (failure, job) =>
          this.recordFailure(failure, (job.data as { correlationId?: string }).correlationId),
      });
      worker.on('failed', (job, error) => {
        this.logger.warn(`job ${job?.name} ${job?.id} failed: ${error.message}`);
        // A job that stalled too often is failed by BullMQ without running: recorded here instead.
        if (job && /stalled more than allowable limit/.test(error.message))
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
    }
    this.logger.log(`consuming queues: ${wanted.join(', ')}`);
  }

  /** Stops taking jobs, lets the ones in flight finish within the bound, then closes the connection. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.workers.map((worker) => closeWorker(worker, this.config.WORKER_SHUTDOWN_TIMEOUT_MS)),
    );
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
