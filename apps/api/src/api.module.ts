import { Module } from '@nestjs/common';
import { HealthModule } from '@frictionwatch/health';
import { ProjectionsModule } from '@frictionwatch/projections';
import { allProjections } from '@frictionwatch/platform';

/** The HTTP role: health now; the REST API of the read models later. */
@Module({
  imports: [HealthModule, ProjectionsModule.forRoot(allProjections(), { run: false })],
})
export class ApiModule {}
