import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { PG_POOL } from '@frictionwatch/database';
import { EventNotifier } from './event-notifier';
import { EventRegistry } from './event-registry';
import { PostgresEventStore } from './event-store';

export const EVENT_REGISTRY = Symbol('EVENT_REGISTRY');

/** The event store, its registry (capabilities register their event types into it) and the notifier. */
@Global()
@Module({
  providers: [
    { provide: EVENT_REGISTRY, useFactory: () => new EventRegistry() },
    {
      provide: EventNotifier,
      inject: [PG_POOL, APP_CONFIG],
      useFactory: (pool: Pool, config: AppConfig) => new EventNotifier(pool, config.DATABASE_URL),
    },
    {
      provide: PostgresEventStore,
      inject: [PG_POOL, EVENT_REGISTRY, EventNotifier, APP_CONFIG],
      useFactory: (pool: Pool, registry: EventRegistry, notifier: EventNotifier, config: AppConfig) =>
        new PostgresEventStore(pool, registry, {
          lockTimeoutMs: config.EVENT_STORE_LOCK_TIMEOUT_MS,
          maxEventBytes: config.EVENT_STORE_MAX_EVENT_BYTES,
          onAppended: () => notifier.appended(),
        }),
    },
  ],
  exports: [EVENT_REGISTRY, EventNotifier, PostgresEventStore],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EventNotifier) private readonly notifier: EventNotifier) {}

  async onApplicationShutdown(): Promise<void> {
    await this.notifier.close();
  }
}
