import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { HttpApiModule } from '@frictionwatch/http-api';
import { runMain, startRoles } from '@frictionwatch/platform';
import { SchedulerModule } from './scheduler/src/scheduler.module';
import { WorkerModule } from './worker/src/worker.module';

/** api + worker + scheduler in one process, for a laptop: migrates (and seeds) on start. */
@Module({ imports: [HttpApiModule, WorkerModule, SchedulerModule] })
class AllRolesModule {}

runMain(() =>
  startRoles({ roles: ['api', 'worker', 'scheduler'], modules: [AllRolesModule], migrate: true }),
);
