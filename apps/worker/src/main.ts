import 'reflect-metadata';
import { runMain, startRoles } from '@frictionwatch/platform';
import { WorkerModule } from './worker.module';

runMain(() => startRoles({ roles: ['worker'], modules: [WorkerModule], migrate: false }));
