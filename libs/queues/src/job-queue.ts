import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_OPTIONS, QUEUE_OF, type JobName, type JobPayloads } from './jobs';

export interface EnqueueRequest<N extends JobName> {
  name: N;
  data: JobPayloads[N];
  /** Deterministic: the same work always gets the same id, so a repeated enqueue is a no-op. */
  jobId: string;
  delayMs?: number;
}

/** The one place that adds jobs: typed payloads, options from JOB_OPTIONS, bulk by default. */
export class JobQueue {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue<N extends JobName>(requests: EnqueueRequest<N>[]): Promise<void> {
    const byQueue = new Map<string, { name: string; data: unknown; opts: JobsOptions }[]>();
    for (const request of requests) {
      const queueName = QUEUE_OF[request.name];
      const list = byQueue.get(queueName) ?? [];
      list.push({
        name: request.name,
        data: request.data,
        opts: {
          ...JOB_OPTIONS[request.name],
          jobId: request.jobId,
          ...(request.delayMs ? { delay: request.delayMs } : {}),
        },
      });
      byQueue.set(queueName, list);
    }
    for (const [queueName, jobs] of byQueue) await this.queue(queueName).addBulk(jobs);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
  }
}

/** BullMQ refuses ':' in custom ids; keep ids readable and safe. */
export function jobId(...parts: (string | number)[]): string {
  return parts.map((part) => String(part).replace(/[^A-Za-z0-9._-]/g, '_')).join('.');
}
