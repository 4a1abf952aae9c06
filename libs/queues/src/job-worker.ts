import { Logger } from '@nestjs/common';
import { MetricsTime, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { withLogContext } from '@frictionwatch/observability';
import type { JobFailed } from './job.events';
import { QUEUE_OF, type JobName, type JobPayloads } from './jobs';

export type JobHandler<N extends JobName> = (
  data: JobPayloads[N],
  job: Job<JobPayloads[N]>,
) => Promise<unknown>;
export type JobHandlers = { [N in JobName]?: JobHandler<N> };

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency?: number;
  /**
   * How long a job stays locked to this worker without renewal; a worker that dies leaves its jobs
   * locked this long before another worker takes them back (stalled-job check every half of it).
   */
  lockMs?: number;
  /** At most `max` jobs per `duration` ms across every worker of the queue. */
  limiter?: { max: number; duration: number };
  /** Told how each attempt ended and how long it ran (metrics). */
  onFinished?: (outcome: JobOutcome) => void;
  /**
   * Called with the job's last failure before the job moves to the failed set (its last attempt, or
   * an unrecoverable error): records the failure (a JobFailed event). If it throws, the job still fails.
   */
  onFinalFailure?: (failure: JobFailed, job: Job) => Promise<void>;
}

/** Whether this failed attempt is the job's last: BullMQ moves it to the failed set next. */
export function isFinalAttempt(job: Job, error: unknown): boolean {
  return error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

export interface JobOutcome {
  queue: string;
  job: string;
  outcome: 'completed' | 'failed';
  seconds: number;
  /** What the handler returned (completed) or threw (failed). */
  result: unknown;
}

const logger = new Logger('jobs');

/**
 * A BullMQ worker for one queue that dispatches each job by name to its handler. A job name without a
 * handler is a permanent failure (it would never succeed), never a silent drop.
 */
export function startQueueWorker(queueName: string, handlers: JobHandlers, options: WorkerOptions): Worker {
  const names = (Object.keys(QUEUE_OF) as JobName[]).filter((name) => QUEUE_OF[name] === queueName);
  const missing = names.filter((name) => !handlers[name]);
  if (names.length === 0) throw new Error(`Unknown queue "${queueName}"`);
  if (missing.length) throw new Error(`Queue ${queueName}: no handler for job(s) ${missing.join(', ')}`);
  const worker = new Worker(
    queueName,
    // Every line logged while a job runs carries its correlation id (from the job's data, passed on
    // to the events it appends and the jobs those cause) and its job id.
    (job: Job) =>
      withLogContext(
        {
          correlationId: (job.data as { correlationId?: string }).correlationId,
          jobId: job.id,
          job: job.name,
          queue: queueName,
        },
        async () => {
          const handler = handlers[job.name as JobName] as JobHandler<JobName> | undefined;
          const started = process.hrtime.bigint();
          const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
          try {
            if (!handler)
              throw new UnrecoverableError(`No handler for job ${job.name} on queue ${queueName}`);
            const result = await handler(job.data as JobPayloads[JobName], job as Job<JobPayloads[JobName]>);
            const took = seconds();
            logger.log({ msg: 'job completed', attempt: job.attemptsMade + 1, durationMs: ms(took), result });
            options.onFinished?.({
              queue: queueName,
              job: job.name,
              outcome: 'completed',
              seconds: took,
              result,
            });
            return result;
          } catch (error) {
            const took = seconds();
            const final = isFinalAttempt(job, error);
            logger.warn({
              msg: final ? 'job failed for good' : 'job failed',
              attempt: job.attemptsMade + 1,
              attempts: job.opts.attempts ?? 1,
              durationMs: ms(took),
              error: error instanceof Error ? error.message : String(error),
            });
            options.onFinished?.({
              queue: queueName,
              job: job.name,
              outcome: 'failed',
              seconds: took,
              result: error,
            });
            if (options.onFinalFailure && final) {
              const failure: JobFailed = {
                queue: queueName,
                jobName: job.name,
                jobId: String(job.id),
                attempts: job.attemptsMade + 1,
                error: error instanceof Error ? error.message : String(error),
                data: (job.data ?? {}) as Record<string, unknown>,
              };
              await options.onFinalFailure(failure, job).catch(() => undefined);
            }
            throw error;
          }
        },
      ),
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 1,
      autorun: true,
      lockDuration: options.lockMs ?? 30000,
      stalledInterval: Math.max(500, Math.floor((options.lockMs ?? 30000) / 2)),
      ...(options.limiter ? { limiter: options.limiter } : {}),
      // BullMQ's own completed/failed counts per minute (a week kept), behind its Prometheus exporter.
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    },
  );
  worker.on('error', () => undefined); // connection errors: the worker reconnects by itself
  return worker;
}

const ms = (seconds: number) => Math.round(seconds * 10000) / 10;

/** Stops taking jobs and waits for those in flight, at most `timeoutMs` (worker.close has no bound). */
export async function closeWorker(worker: Worker, timeoutMs: number): Promise<'closed' | 'timed_out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed_out'>((resolve) => {
    timer = setTimeout(() => resolve('timed_out'), timeoutMs);
  });
  const result = await Promise.race([worker.close().then(() => 'closed' as const), timeout]);
  clearTimeout(timer);
  // Forced, the close does not wait for jobs; bounded still, as it talks to Redis.
  if (result === 'timed_out')
    await Promise.race([
      worker.close(true).catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 2000).unref()),
    ]);
  return result;
}
