import type { Job } from 'bullmq';
import type { JobQueue } from '@frictionwatch/queues';

/** The states of a job that will still run. */
const PENDING_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/**
 * The jobs of a queue that will still run. BullMQ reads every state's ids and job hashes in one Lua
 * script, so a job moving between states (waiting → active → delayed for a retry) is seen exactly
 * once, never missed between two reads.
 */
export async function pendingJobs(jobs: JobQueue, queue: string): Promise<Job[]> {
  return jobs.queue(queue).getJobs([...PENDING_STATES]);
}

export async function failedJobs(jobs: JobQueue, queue: string): Promise<Job[]> {
  return jobs.queue(queue).getJobs(['failed']);
}
