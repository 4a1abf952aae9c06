import { Module } from '@nestjs/common';
import { HealthModule } from '@frictionwatch/health';
import { HttpApiModule } from '@frictionwatch/http-api';

/** The HTTP role: health and the REST API of the read models. */
@Module({ imports: [HealthModule, HttpApiModule] })
export class ApiModule {}
