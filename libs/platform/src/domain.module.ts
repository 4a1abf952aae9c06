import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { Pool } from 'pg';
import {
  AlertMailService,
  AlertScheduler,
  SmtpMailer,
  SubscriptionCommands,
  vocabularyLabels,
} from '@frictionwatch/alerts';
import { ClassifierPool, ItemClassifier } from '@frictionwatch/classifier';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { KYSELY, PG_POOL, type Database } from '@frictionwatch/database';
import { PostgresEventStore } from '@frictionwatch/event-store';
import { FeedFetchService, FeedRegistry, FeedRepository, FeedScheduler } from '@frictionwatch/feeds';
import {
  ItemClassificationService,
  ItemIngestor,
  ItemRepository,
  type Classifier,
} from '@frictionwatch/items';
import { ProjectionEngine } from '@frictionwatch/projections';
import { JobQueue } from '@frictionwatch/queues';
import { createFeedPipelinePorts, type FeedPipelinePorts } from './feed-pipeline-ports';

const PIPELINE_PORTS = Symbol('PIPELINE_PORTS');
const CLASSIFIER = Symbol('CLASSIFIER');

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
      // Threads start on the first batch: roles that never classify never start one.
      provide: CLASSIFIER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Classifier =>
        config.WORKER_CLASSIFY_THREADS > 0
          ? new ClassifierPool({ size: config.WORKER_CLASSIFY_THREADS })
          : new ItemClassifier(),
    },
    {
      provide: ItemClassificationService,
      inject: [PostgresEventStore, ItemRepository, CLASSIFIER],
      useFactory: (store: PostgresEventStore, items: ItemRepository, classifier: Classifier) =>
        new ItemClassificationService(store, items, classifier),
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
    {
      provide: SubscriptionCommands,
      inject: [PostgresEventStore, APP_CONFIG],
      useFactory: (store: PostgresEventStore, config: AppConfig) =>
        new SubscriptionCommands(store, { doubleOptIn: config.ALERTS_DOUBLE_OPT_IN }),
    },
    {
      // Pooled, but it connects only when a mail is sent: roles that send none never open a connection.
      provide: SmtpMailer,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new SmtpMailer(config.SMTP_URL, {
          dkim:
            config.DKIM_DOMAIN && config.DKIM_SELECTOR && config.DKIM_PRIVATE_KEY
              ? {
                  domainName: config.DKIM_DOMAIN,
                  keySelector: config.DKIM_SELECTOR,
                  privateKey: config.DKIM_PRIVATE_KEY,
                }
              : null,
        }),
    },
    {
      provide: AlertMailService,
      inject: [PostgresEventStore, PG_POOL, SmtpMailer, SubscriptionCommands, APP_CONFIG, ProjectionEngine],
      useFactory: (
        store: PostgresEventStore,
        pool: Pool,
        mailer: SmtpMailer,
        subscriptions: SubscriptionCommands,
        config: AppConfig,
        engine: ProjectionEngine,
      ) =>
        new AlertMailService(
          store,
          pool,
          mailer,
          subscriptions,
          {
            from: config.MAIL_FROM,
            publicBaseUrl: config.PUBLIC_BASE_URL,
            tokenSecret: config.ALERTS_TOKEN_SECRET,
            unsubscribeMailto: config.ALERTS_UNSUBSCRIBE_MAILTO,
          },
          vocabularyLabels(),
          (name) => engine.activeSchema(name),
        ),
    },
    {
      provide: AlertScheduler,
      inject: [PG_POOL, PostgresEventStore, JobQueue, ProjectionEngine],
      useFactory: (pool: Pool, store: PostgresEventStore, jobs: JobQueue, engine: ProjectionEngine) =>
        new AlertScheduler(pool, store, jobs, (name) => engine.activeSchema(name)),
    },
  ],
  exports: [
    SubscriptionCommands,
    SmtpMailer,
    AlertMailService,
    AlertScheduler,
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
  constructor(
    @Inject(PIPELINE_PORTS) private readonly ports: FeedPipelinePorts,
    @Inject(CLASSIFIER) private readonly classifier: Classifier,
    private readonly mailer: SmtpMailer,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.mailer.close();
    await Promise.all([
      this.ports.close(),
      this.classifier instanceof ClassifierPool ? this.classifier.close() : undefined,
    ]);
  }
}
