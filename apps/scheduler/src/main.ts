import 'reflect-metadata';
import { runMain, startRoles } from '@frictionwatch/platform';
import { SchedulerModule } from './scheduler.module';

runMain(() => startRoles({ roles: ['scheduler'], modules: [SchedulerModule], migrate: false }));
