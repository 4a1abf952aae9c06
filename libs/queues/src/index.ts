export { JOB_OPTIONS, QUEUE_OF, QUEUE_NAMES, type JobName, type JobPayloads } from './jobs';
export { JobQueue, jobId, type EnqueueRequest } from './job-queue';
export {
  startQueueWorker,
  closeWorker,
  isFinalAttempt,
  type JobHandler,
  type JobHandlers,
  type JobOutcome,
  type WorkerOptions,
} from './job-worker';
export { JOB_EVENTS, JobFailedSchema, jobFailedEvent, jobStreamId, type JobFailed } from './job.events';
export { createRedisConnection, closeRedis, redisOptionsFromUrl } from './redis-connection';
export { QueuesModule, QUEUE_CONNECTION } from './queues.module';
export { QueueWorkers, type QueueWorkerStatus } from './queue-workers';
