import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';

/**
 * The scheduler role: the only place ScheduleModule.forRoot() is imported, so each cron fires once per
 * scheduler replica. Its ticks only enqueue work (feed pulls and digests come with later capabilities).
 */
@Module({
  imports: [ScheduleModule.forRoot()],
})
export class SchedulerModule {}
