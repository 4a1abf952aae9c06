import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { QueueWorkers } from '@frictionwatch/queues';
import { withTimeout } from './postgres.health';

/**
 * The worker role's queue consumers: each BullMQ worker runs (not closing) and its Redis connection is
 * ready. Up with no workers in roles that run none.
 */
@Injectable()
export class QueueWorkersHealthIndicator {
  constructor(
    private readonly workers: QueueWorkers,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key = 'queues') {
    const indicator = this.indicators.check(key);
    try {
      const workers = await withTimeout(this.workers.status(), 2000);
      const details = Object.fromEntries(
        workers.map((w) => [w.queue, { running: w.running, redis: w.redis }]),
      );
      const down = workers.filter((w) => !w.running || w.redis !== 'ready');
      if (down.length)
        return indicator.down({
          message: `not consuming: ${down.map((w) => `${w.queue} (${w.running ? `redis ${w.redis}` : 'stopped'})`).join(', ')}`,
          ...details,
        });
      return indicator.up({ workers: workers.length, ...details });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
