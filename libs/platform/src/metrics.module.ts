import { Inject, Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { SmtpMailer } from '@frictionwatch/alerts';
import { KYSELY, type Database } from '@frictionwatch/database';
import { PostgresEventStore } from '@frictionwatch/event-store';
import { Metrics } from '@frictionwatch/observability';
import { projectionLag } from '@frictionwatch/projections';
import { JobQueue, QUEUE_NAMES } from '@frictionwatch/queues';

const OPTIONS = Symbol('METRICS_OPTIONS');
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

interface MetricsOptions {
  /** Queue depths and projection lag: the same for every process, so read where the worker role runs. */
  globalGauges: boolean;
}

/** Connects the domain's observable points (appends, mail outcomes) and the scrape-time gauges. */
@Injectable()
class MetricsWiring implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly store: PostgresEventStore,
    private readonly mailer: SmtpMailer,
    private readonly jobs: JobQueue,
    @Inject(KYSELY) private readonly db: Kysely<Database>,
    @Inject(OPTIONS) private readonly options: MetricsOptions,
  ) {}

  onModuleInit(): void {
    const { metrics } = this;
    this.store.onAppend((types) => {
      const counts = new Map<string, number>();
      for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
      for (const [type, count] of counts) metrics.eventsAppended.inc({ type }, count);
    });
    this.mailer.onOutcome((outcome) => {
      if (outcome.ok) metrics.mailsSent.inc();
      else metrics.mailsFailed.inc({ kind: outcome.permanent ? 'permanent' : 'temporary' });
    });
    if (!this.options.globalGauges) return;
    metrics.collectOnScrape('queues', async () => {
      await Promise.all(
        QUEUE_NAMES.map(async (queue) => {
          const counts = await this.jobs.queue(queue).getJobCounts(...QUEUE_STATES);
          for (const state of QUEUE_STATES) metrics.queueJobs.set({ queue, state }, counts[state] ?? 0);
        }),
      );
    });
    // BullMQ's own exporter beside ours: job counts by state and its completed/failed totals.
    metrics.exposeOnScrape('bullmq', async () =>
      (await Promise.all(QUEUE_NAMES.map((queue) => this.jobs.queue(queue).exportPrometheusMetrics()))).join(
        '\n',
      ),
    );
    metrics.collectOnScrape('projections', async () => {
      for (const lag of await projectionLag(this.db)) {
        metrics.projectionLagPositions.set({ projection: lag.name }, lag.lagPositions);
        metrics.projectionLagSeconds.set({ projection: lag.name }, lag.lagSeconds);
      }
    });
  }
}

/** One Metrics registry per app, global: request timing, job and domain counters, gauges. */
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsOptions): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      providers: [
        { provide: Metrics, useFactory: () => new Metrics() },
        { provide: OPTIONS, useValue: options },
        MetricsWiring,
      ],
      exports: [Metrics],
    };
  }
}
