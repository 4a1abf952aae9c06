import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, ConfigModule, type AppConfig } from '@frictionwatch/config';
import { DatabaseModule } from '@frictionwatch/database';
import {
  EVENT_REGISTRY,
  EventRegistry,
  EventStoreModule,
  PostgresEventStore,
} from '@frictionwatch/event-store';
import { QueuesModule } from '@frictionwatch/queues';
import { ProjectionsModule } from '@frictionwatch/projections';
import { JobQueue } from '@frictionwatch/queues';
import { allProjections, registerEventTypes } from './composition';
import { DomainModule } from './domain.module';
import { MetricsModule } from './metrics.module';

/** Registers every domain event type into the process's registry once. */
@Module({})
class EventTypesModule implements OnModuleInit {
  constructor(@Inject(EVENT_REGISTRY) private readonly registry: EventRegistry) {}

  onModuleInit(): void {
    registerEventTypes(this.registry);
  }
}

/**
 * What every role needs: validated settings, one database pool, the event store and its event types,
 * the queue producer, the projections (followed live only where `runProjections`), the domain services,
 * the metrics registry.
 */
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig | undefined, options: { runProjections: boolean }): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        EventStoreModule,
        EventTypesModule,
        QueuesModule,
        ProjectionsModule.forRoot({
          run: options.runProjections,
          projections: {
            inject: [JobQueue, PostgresEventStore, APP_CONFIG],
            useFactory: (jobs: JobQueue, store: PostgresEventStore, appConfig: AppConfig) =>
              allProjections({ jobs, store, config: appConfig }),
          },
        }),
        DomainModule,
        MetricsModule.forRoot({ globalGauges: options.runProjections }),
      ],
    };
  }
}
