import { Module } from '@nestjs/common';
import { HttpApiModule } from '@frictionwatch/http-api';

/** The api role: the REST API of the read models (health and metrics come with every role). */
@Module({ imports: [HttpApiModule] })
export class ApiModule {}
