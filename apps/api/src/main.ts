import 'reflect-metadata';
import { runMain, startRoles } from '@frictionwatch/platform';
import { ApiModule } from './api.module';

runMain(() => startRoles({ roles: ['api'], modules: [ApiModule], migrate: false }));
