export { WorkerThreadPool } from './worker-thread-pool';
export type { ThreadReply, WorkerThreadPoolOptions } from './worker-thread-pool';
