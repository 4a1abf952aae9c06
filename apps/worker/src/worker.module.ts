import { Module } from '@nestjs/common';
import { DemoModule } from '@frictionwatch/demo';
import { QueueConsumers } from './queue-consumers';

/**
 * The worker role: queue consumers (projections are followed by the platform in this role), and with
 * DEMO=true the demo feed snapshots it fetches.
 */
@Module({ imports: [DemoModule], providers: [QueueConsumers] })
export class WorkerModule {}
