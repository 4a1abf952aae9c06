import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { Pool } from 'pg';
import { ItemClassifier } from '@frictionwatch/classifier';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { KYSELY, PG_POOL, type Database } from '@frictionwatch/database';
import { PostgresEventStore } from '@frictionwatch/event-store';
import { FeedFetchService, FeedRegistry, FeedRepository, FeedScheduler } from '@frictionwatch/feeds';
import { ItemClassificationService, ItemIngestor, ItemRepository } from '@frictionwatch/items';
import { ProjectionEngine } from '@frictionwatch/projections';
import { JobQueue } from '@frictionwatch/queues';
import { createFeedPipelinePorts, type FeedPipelinePorts } from './feed-pipeline-ports';

const PIPELINE_PORTS = Symbol('PIPELINE_PORTS');

/** The domain services, built from the platform's infrastructure. No HTTP, no queue consumers. */
@Global()
@Module({
  providers: [
    { provide: ItemRepository, inject: [PG_POOL], useFactory: (pool: Pool) => new ItemRepository(pool) },
    {
      provide: ItemIngestor,
      inject: [PostgresEventStore, ItemRepository],
      useFactory: (store: PostgresEventStore, items: ItemRepository) => new ItemIngestor(store, items),
    },
    {
      provide: ItemClassificationService,
      inject: [PostgresEventStore, ItemRepository],
      useFactory: (store: PostgresEventStore, items: ItemRepository) =>
        new ItemClassificationService(store, items, new ItemClassifier()),
    },
    {
      provide: FeedRepository,
      inject: [KYSELY, ProjectionEngine],
      useFactory: (db: Kysely<Database>, engine: ProjectionEngine) => new FeedRepository(db, engine),
    },
    {
      provide: FeedRegistry,
      inject: [PostgresEventStore],
      useFactory: (store: PostgresEventStore) => new FeedRegistry(store),
    },
    {
      provide: FeedScheduler,
      inject: [FeedRepository, JobQueue],
      useFactory: (feeds: FeedRepository, jobs: JobQueue) => new FeedScheduler(feeds, jobs),
    },
    {
      provide: PIPELINE_PORTS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createFeedPipelinePorts(config),
    },
    {
      provide: FeedFetchService,
      inject: [PostgresEventStore, FeedRepository, PIPELINE_PORTS, ItemIngestor],
      useFactory: (
        store: PostgresEventStore,
        feeds: FeedRepository,
        ports: FeedPipelinePorts,
        ingestor: ItemIngestor,
      ) => new FeedFetchService(store, feeds, ports.fetcher, ports.parser, ingestor),
    },
  ],
  exports: [
    ItemRepository,
    ItemIngestor,
    ItemClassificationService,
    FeedRepository,
    FeedRegistry,
    FeedScheduler,
    FeedFetchService,
  ],
})
export class DomainModule implements OnApplicationShutdown {
  constructor(@Inject(PIPELINE_PORTS) private readonly ports: FeedPipelinePorts) {}

  async onApplicationShutdown(): Promise<void> {
    await this.ports.close();
  }
}
