import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AlertScheduleTick } from './alert-schedule.tick';
import { FeedScheduleTick } from './feed-schedule.tick';

/**
 * The scheduler role: the only place ScheduleModule.forRoot() is imported. Its ticks only enqueue
 * work with deterministic job ids (digests and reminders are claimed FOR UPDATE SKIP LOCKED), so
 * several replicas never cause a double fetch or a double digest.
 */
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [FeedScheduleTick, AlertScheduleTick],
})
export class SchedulerModule {}
