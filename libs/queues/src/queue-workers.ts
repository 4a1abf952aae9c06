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
        // The clients are promised once connected: still pending means not connected (yet).
        const [client, blocking] = await Promise.all([
          settledSoon(backend.client),
          backend.blockingClient ? settledSoon(backend.blockingClient) : { status: 'ready' },
        ]);
        const statuses = [client?.status ?? 'connecting', blocking?.status ?? 'connecting'];
        return { queue: worker.name, running, redis: statuses.find((s) => s !== 'ready') ?? 'ready' };
      }),
    );
  }
}

/** The promised value if it arrives within `ms`, else null. */
async function settledSoon<T>(promise: Promise<T>, ms = 300): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise.catch(() => null), late]);
  } finally {
    clearTimeout(timer);
  }
}
