import { z } from 'zod';

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const nonNegativeInt = (name: string) =>
  z.coerce
    .number({ message: `${name} must be a number` })
    .int('must be a whole number')
    .min(0, 'must be 0 (off) or more');

const positiveInt = (name: string) =>
  z.coerce
    .number({ message: `${name} must be a number` })
    .int('must be a whole number')
    .positive('must be greater than 0');

/** Every setting frictionwatch reads, with its default. `.env.example` documents the same list. */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://root@127.0.0.1:5432/frictionwatch'),
    DATABASE_POOL_MAX: positiveInt('DATABASE_POOL_MAX').max(200, 'must be at most 200').default(10),
    DATABASE_STATEMENT_TIMEOUT_MS: positiveInt('DATABASE_STATEMENT_TIMEOUT_MS').default(30000),
    EVENT_STORE_LOCK_TIMEOUT_MS: positiveInt('EVENT_STORE_LOCK_TIMEOUT_MS').default(5000),
    EVENT_STORE_MAX_EVENT_BYTES: positiveInt('EVENT_STORE_MAX_EVENT_BYTES').default(262144),
    REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    // 0: an ephemeral port, printed in the startup line (tests run many processes side by side).
    PORT: nonNegativeInt('PORT').max(65535, 'must be at most 65535').default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    API_PUBLIC_READ: z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .default('false')
      .transform((value) => value === 'true'),
    // Requests per minute per API key (keyless clients: per address); 0 turns the limit off.
    RATE_LIMIT_PER_MINUTE: nonNegativeInt('RATE_LIMIT_PER_MINUTE').default(600),
    // A second, smaller budget of the admin endpoints, counted on top of the first.
    RATE_LIMIT_ADMIN_PER_MINUTE: nonNegativeInt('RATE_LIMIT_ADMIN_PER_MINUTE').default(60),
    PROJECTION_BATCH_SIZE: positiveInt('PROJECTION_BATCH_SIZE')
      .max(10000, 'must be at most 10000')
      .default(500),
    PROJECTION_POLL_INTERVAL_MS: positiveInt('PROJECTION_POLL_INTERVAL_MS').default(1000),
    PROJECTION_MAX_ATTEMPTS: positiveInt('PROJECTION_MAX_ATTEMPTS').default(5),
    // The newest events, decoded once and shared by a worker's projections; 0 = every batch reads the database.
    PROJECTION_TAIL_EVENTS: nonNegativeInt('PROJECTION_TAIL_EVENTS')
      .max(1000000, 'must be at most 1000000')
      .default(20000),
    // While a projection is behind those, the events it has yet to take are kept too, up to this many
    // (a backfill then reads memory, not the database); at most PROJECTION_TAIL_EVENTS = a fixed window.
    PROJECTION_TAIL_MAX_EVENTS: nonNegativeInt('PROJECTION_TAIL_MAX_EVENTS')
      .max(1000000, 'must be at most 1000000')
      .default(100000),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be letters, digits, _ or -')
      .default('fw'),
    WORKER_QUEUES: z
      .string()
      .regex(/^[a-z,\s]*$/, 'must be a comma-separated list of queue names')
      .default('fetch,classify,email'),
    WORKER_PROJECTIONS: z
      .string()
      .regex(/^(all|[a-z0-9_,\s]+)$/, "must be 'all' or a comma-separated list of projection names")
      .default('all'),
    WORKER_FETCH_CONCURRENCY: positiveInt('WORKER_FETCH_CONCURRENCY')
      .max(64, 'must be at most 64')
      .default(4),
    WORKER_CLASSIFY_CONCURRENCY: positiveInt('WORKER_CLASSIFY_CONCURRENCY')
      .max(64, 'must be at most 64')
      .default(2),
    // Worker threads that run the classifier off the event loop; 0 classifies on the main thread.
    WORKER_CLASSIFY_THREADS: nonNegativeInt('WORKER_CLASSIFY_THREADS')
      .max(16, 'must be at most 16')
      .default(1),
    WORKER_LOCK_MS: positiveInt('WORKER_LOCK_MS').default(30000),
    WORKER_SHUTDOWN_TIMEOUT_MS: positiveInt('WORKER_SHUTDOWN_TIMEOUT_MS').default(25000),
    SCHEDULER_TICK_SECONDS: positiveInt('SCHEDULER_TICK_SECONDS')
      .max(3600, 'must be at most 3600')
      .default(15),
    FEED_DEFAULT_INTERVAL_MINUTES: positiveInt('FEED_DEFAULT_INTERVAL_MINUTES').default(60),
    FETCH_ALLOW_PRIVATE_NETWORKS: z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .default('false')
      .transform((value) => value === 'true'),
    FETCH_TIMEOUT_MS: positiveInt('FETCH_TIMEOUT_MS').default(30000),
    FETCH_MAX_BYTES: positiveInt('FETCH_MAX_BYTES').default(10 * 1024 * 1024),
    SEED_ON_START: z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .default('true')
      .transform((value) => value === 'true'),
    // Demo mode: recorded feed snapshots served on loopback, demo sources and a demo subscription
    // registered instead of the real sources (seeds/demo), 127.0.0.1 fetchable; no internet needed.
    DEMO: z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .default('false')
      .transform((value) => value === 'true'),
    DEMO_FEEDS_PORT: positiveInt('DEMO_FEEDS_PORT').max(65535, 'must be at most 65535').default(3900),
    DEMO_ALERT_RECIPIENT: z
      .string()
      .regex(/^[^\s<>@]+@[^\s<>@]+\.[A-Za-z]{2,}$/, 'must be an e-mail address such as demo@example.org')
      .default('demo@example.org'),
    SMTP_URL: url(['smtp:', 'smtps:']).default('smtp://127.0.0.1:1025'),
    MAIL_FROM: z
      .string()
      .regex(/^[^\r\n]{3,200}$/, 'must be one line, e.g. "frictionwatch <alerts@example.org>"')
      .default('frictionwatch <alerts@localhost>'),
    MAIL_RATE_PER_SECOND: positiveInt('MAIL_RATE_PER_SECOND').max(1000, 'must be at most 1000').default(10),
    PUBLIC_BASE_URL: url(['http:', 'https:']).default('http://localhost:3000'),
    ALERTS_TOKEN_SECRET: z
      .string()
      .min(16, 'must be at least 16 characters')
      .default('dev-only-change-me-0000'),
    ALERTS_UNSUBSCRIBE_MAILTO: z
      .string()
      .regex(/^[^\s<>@]+@[^\s<>@]+$/, 'must be an e-mail address')
      .default('unsubscribe@localhost'),
    ALERTS_DOUBLE_OPT_IN: z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .default('false')
      .transform((value) => value === 'true'),
    ALERTS_IMMEDIATE_PER_HOUR: positiveInt('ALERTS_IMMEDIATE_PER_HOUR').default(20),
    DKIM_DOMAIN: z.string().optional(),
    DKIM_SELECTOR: z.string().optional(),
    DKIM_PRIVATE_KEY: z.string().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    // auto: readable lines in development on a terminal (when pino-pretty is installed), JSON otherwise.
    LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
    // Unset: /metrics is open (scraped inside the network); set: it needs Authorization: Bearer <token>.
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  })
  .superRefine((config, context) => {
    // Unsubscribe links are signed with this secret: a known default would let anyone forge them.
    if (config.NODE_ENV === 'production' && config.ALERTS_TOKEN_SECRET === 'dev-only-change-me-0000')
      context.addIssue({
        code: 'custom',
        path: ['ALERTS_TOKEN_SECRET'],
        message: 'must be set in production',
      });
    if (config.DEMO && config.NODE_ENV === 'production')
      context.addIssue({
        code: 'custom',
        path: ['DEMO'],
        message: 'is for trying frictionwatch out: not with NODE_ENV=production',
      });
    const dkim = [config.DKIM_DOMAIN, config.DKIM_SELECTOR, config.DKIM_PRIVATE_KEY].filter(Boolean).length;
    if (dkim !== 0 && dkim !== 3)
      context.addIssue({
        code: 'custom',
        path: ['DKIM_DOMAIN'],
        message: 'DKIM needs DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY together',
      });
  });

export type AppConfig = z.infer<typeof configSchema>;
