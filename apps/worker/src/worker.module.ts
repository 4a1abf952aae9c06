import { Module } from '@nestjs/common';
import { QueueConsumers } from './queue-consumers';

/** The worker role: queue consumers (projections are followed by the platform in this role). No HTTP. */
@Module({ providers: [QueueConsumers] })
export class WorkerModule {}
