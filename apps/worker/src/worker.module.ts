import { Module } from '@nestjs/common';
import { ProjectionsModule } from '@frictionwatch/projections';
import { allProjections } from '@frictionwatch/platform';

/** The worker role: runs the projections (and, later, the queue processors). No HTTP. */
@Module({
  imports: [ProjectionsModule.forRoot(allProjections(), { run: true })],
})
export class WorkerModule {}
