import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { ConfigModule, type AppConfig } from '@frictionwatch/config';
import { DatabaseModule } from '@frictionwatch/database';
import { EVENT_REGISTRY, EventRegistry, EventStoreModule } from '@frictionwatch/event-store';
import { registerEventTypes } from './composition';

/** Registers every domain event type into the process's registry once. */
@Module({})
class EventTypesModule implements OnModuleInit {
  constructor(@Inject(EVENT_REGISTRY) private readonly registry: EventRegistry) {}

  onModuleInit(): void {
    registerEventTypes(this.registry);
  }
}

/** What every role needs: validated settings, one database pool, the event store and its event types. */
@Module({})
export class PlatformModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: PlatformModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, EventStoreModule, EventTypesModule],
    };
  }
}
