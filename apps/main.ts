import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { HealthModule } from '@frictionwatch/health';
import { ProjectionsModule } from '@frictionwatch/projections';
import { allProjections, runMain, startRoles } from '@frictionwatch/platform';
import { SchedulerModule } from './scheduler/src/scheduler.module';

/** api + worker + scheduler in one process, for a laptop: migrates on start. */
@Module({
  imports: [HealthModule, ProjectionsModule.forRoot(allProjections(), { run: true }), SchedulerModule],
})
class AllRolesModule {}

runMain(() =>
  startRoles({ roles: ['api', 'worker', 'scheduler'], modules: [AllRolesModule], migrate: true }),
);
