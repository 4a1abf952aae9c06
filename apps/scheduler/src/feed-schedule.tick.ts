import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { FeedScheduler } from '@frictionwatch/feeds';

/** Every SCHEDULER_TICK_SECONDS: enqueue a fetch job for each due feed (ticks only enqueue). */
@Injectable()
export class FeedScheduleTick implements OnModuleInit {
  private readonly logger = new Logger('scheduler');
  private running = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly scheduler: FeedScheduler,
  ) {}

  onModuleInit(): void {
    const interval = setInterval(() => void this.tick(), this.config.SCHEDULER_TICK_SECONDS * 1000);
    this.registry.addInterval('feed-schedule', interval);
    void this.tick();
  }

  async tick(): Promise<void> {
    if (this.running) return; // a slow tick is not overlapped by the next
    this.running = true;
    try {
      const { enqueued } = await this.scheduler.tick();
      if (enqueued) this.logger.log(`enqueued ${enqueued} fetch job(s)`);
    } catch (error) {
      this.logger.warn(`tick failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
