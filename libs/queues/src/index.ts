export { JOB_OPTIONS, QUEUE_OF, QUEUE_NAMES, type JobName, type JobPayloads } from './jobs';
export { JobQueue, jobId, type EnqueueRequest } from './job-queue';
export {
  startQueueWorker,
  closeWorker,
  type JobHandler,
  type JobHandlers,
  type JobOutcome,
} from './job-worker';
export { createRedisConnection, closeRedis, redisOptionsFromUrl } from './redis-connection';
export { QueuesModule, QUEUE_CONNECTION } from './queues.module';
export { QueueWorkers, type QueueWorkerStatus } from './queue-workers';
