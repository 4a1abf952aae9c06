import {
  type InjectionToken,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Kysely } from 'kysely';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { KYSELY, type Database } from '@frictionwatch/database';
import { EventNotifier, PostgresEventStore } from '@frictionwatch/event-store';
import type { AnyProjection } from './projection';
import { ProjectionEngine } from './projection-engine';

const PROJECTIONS = Symbol('PROJECTIONS');

/** The projections a `WORKER_PROJECTIONS` setting names; undefined for `all` (every registered one). */
export function followedProjections(setting: string): string[] | undefined {
  const selected = setting.trim();
  if (selected === 'all') return undefined;
  return selected
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

/**
 * Starts following the log when the app has booted; on shutdown stops after the batch in flight,
 * before the queues and the pool close (reactors enqueue jobs and append).
 */
@Injectable()
export class ProjectionRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly engine: ProjectionEngine,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.engine.start(followedProjections(this.config.WORKER_PROJECTIONS));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.engine.stop();
  }
}

@Module({})
export class ProjectionsModule {
  /**
   * The engine over the projections the factory gives (it may inject what reactors need);
   * `run: true` (the worker role) also follows the log.
   */
  static forRoot(options: {
    run: boolean;
    projections: { inject: InjectionToken[]; useFactory: (...deps: never[]) => AnyProjection[] };
  }): DynamicModule {
    return {
      module: ProjectionsModule,
      global: true,
      providers: [
        {
          provide: PROJECTIONS,
          inject: options.projections.inject,
          useFactory: options.projections.useFactory,
        },
        {
          provide: ProjectionEngine,
          inject: [KYSELY, PostgresEventStore, EventNotifier, APP_CONFIG, PROJECTIONS],
          useFactory: (
            db: Kysely<Database>,
            store: PostgresEventStore,
            notifier: EventNotifier,
            config: AppConfig,
            list: AnyProjection[],
          ) =>
            new ProjectionEngine(db, store, list, {
              notifier,
              batchSize: config.PROJECTION_BATCH_SIZE,
              pollIntervalMs: config.PROJECTION_POLL_INTERVAL_MS,
              maxAttempts: config.PROJECTION_MAX_ATTEMPTS,
              // The tail serves followers: an engine that only rebuilds on request keeps none in memory.
              tailEvents: options.run ? config.PROJECTION_TAIL_EVENTS : 0,
              tailMaxEvents: config.PROJECTION_TAIL_MAX_EVENTS,
              freezeTailData: config.NODE_ENV !== 'production',
            }),
        },
        ...(options.run ? [ProjectionRunner] : []),
      ],
      exports: [ProjectionEngine],
    };
  }
}
