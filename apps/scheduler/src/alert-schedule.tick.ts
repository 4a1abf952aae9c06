import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AlertScheduler } from '@frictionwatch/alerts';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';

/** Every SCHEDULER_TICK_SECONDS: enqueue the digests that are due and raise the reminders of the day. */
@Injectable()
export class AlertScheduleTick implements OnModuleInit {
  private readonly logger = new Logger('scheduler');
  private running = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: SchedulerRegistry,
    private readonly alerts: AlertScheduler,
  ) {}

  onModuleInit(): void {
    const interval = setInterval(() => void this.tick(), this.config.SCHEDULER_TICK_SECONDS * 1000);
    this.registry.addInterval('alert-schedule', interval);
    void this.tick();
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const { digests, reminders } = await this.alerts.tick();
      if (digests || reminders)
        this.logger.log(`enqueued ${digests} digest(s), raised ${reminders} reminder(s)`);
    } catch (error) {
      this.logger.warn(`alert tick failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
