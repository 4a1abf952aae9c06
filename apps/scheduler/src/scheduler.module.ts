import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { FeedScheduleTick } from './feed-schedule.tick';

/**
 * The scheduler role: the only place ScheduleModule.forRoot() is imported. Its ticks only enqueue
 * work with deterministic job ids, so several replicas never cause a double fetch.
 */
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [FeedScheduleTick],
})
export class SchedulerModule {}
