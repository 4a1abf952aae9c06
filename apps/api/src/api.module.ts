import { Module } from '@nestjs/common';
import { HealthModule } from '@frictionwatch/health';

/** The HTTP role: health now; the REST API of the read models later. */
@Module({ imports: [HealthModule] })
export class ApiModule {}
