import type { Worker } from 'bullmq';

export interface QueueWorkerStatus {
  queue: string;
  running: boolean;
  /** The status of the worker's connections (commands, then blocking wait): `ready` when it can take jobs. */
  redis: string;
}

/** The queue workers this process runs, for readiness: none in the api and scheduler roles. */
export class QueueWorkers {
  private readonly workers: Worker[] = [];

  add(worker: Worker): void {
    this.workers.push(worker);
  }

  list(): readonly Worker[] {
    return this.workers;
  }

  async status(): Promise<QueueWorkerStatus[]> {
    return Promise.all(
      this.workers.map(async (worker) => {
        const running = worker.isRunning() && !worker.closing;
        if (!running) return { queue: worker.name, running, redis: 'closed' };
        const backend = worker.getBackend();
        const client = await backend.client;
        const blocking = await backend.blockingClient;
        const statuses = [client.status, blocking?.status ?? 'ready'];
        return { queue: worker.name, running, redis: statuses.find((s) => s !== 'ready') ?? 'ready' };
      }),
    );
  }
}
