import { Logger, Module, type DynamicModule, type INestApplicationContext, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfigOrExit, type AppConfig } from '@frictionwatch/config';
import { HealthModule } from '@frictionwatch/health';
import { DOCS_PATH, OPENAPI_PATH, QUEUE_BOARD_PATH } from '@frictionwatch/http-api';
import { createLogger, NestPinoLogger, secretsOf } from '@frictionwatch/observability';
import { createHttpApp } from './http-app';
import { PlatformModule } from './platform.module';
import { prepareDatabase } from './prepare-database';

export type Role = 'api' | 'worker' | 'scheduler';

export interface RoleModules {
  roles: Role[];
  /** The feature modules of the roles this process runs (ApiModule, WorkerModule, ...). */
  modules: Type<unknown>[] | DynamicModule[];
}

@Module({})
class RootModule {}

/** One root module: the platform once, health, then each role's feature module. */
export function createRootModule(
  roles: Role[],
  modules: RoleModules['modules'],
  config: AppConfig,
): DynamicModule {
  return {
    module: RootModule,
    imports: [
      PlatformModule.forRoot(config, { runProjections: roles.includes('worker') }),
      HealthModule,
      ...modules,
    ],
  };
}

/** Settings whose values (or URL passwords) never reach a log line. */
const SECRET_SETTINGS = [
  'DATABASE_URL',
  'REDIS_URL',
  'SMTP_URL',
  'ALERTS_TOKEN_SECRET',
  'DKIM_PRIVATE_KEY',
  'METRICS_TOKEN',
];

/**
 * Boots a process running the given roles: validates settings, sets up JSON logging, prepares the
 * database (migrating when asked), then starts Nest. Every role serves HTTP on HOST:PORT (PORT=0: an
 * ephemeral port) and prints where: health and metrics in every role; /v1, /docs, /openapi.json and
 * /admin/queues only with the api role.
 */
export async function startRoles(
  options: RoleModules & { migrate: boolean },
): Promise<INestApplicationContext> {
  const config = loadConfigOrExit();
  const pino = createLogger({
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    nodeEnv: config.NODE_ENV,
    secrets: secretsOf(config, SECRET_SETTINGS),
    base: { roles: options.roles.join(',') },
  });
  const nestLogger = new NestPinoLogger(pino);
  Logger.overrideLogger(nestLogger);
  const logger = new Logger('frictionwatch');
  // Where this process connects; the logger removes every password from the line.
  logger.log(`Postgres ${config.DATABASE_URL}, Redis ${config.REDIS_URL}, SMTP ${config.SMTP_URL}`);
  await prepareDatabase(config, {
    migrate: options.migrate,
    seed: options.migrate && config.SEED_ON_START,
    log: (m) => logger.log(m),
  });
  const root = createRootModule(options.roles, options.modules, config);
  const api = options.roles.includes('api');
  const app = await createHttpApp(root, config, { logger: nestLogger, accessLog: pino, api });
  closeOnSignals(app, logger);
  await app.listen(config.PORT, config.HOST);
  logger.log(startupLine(options.roles, config, app, api));
  // The host only: SMTP_URL may carry a password.
  if (config.DEMO)
    logger.log(
      `Demo mode: alert mails to ${config.DEMO_ALERT_RECIPIENT} via ${new URL(config.SMTP_URL).host}`,
    );
  return app;
}

/** `api + worker running; API listening on http://localhost:3000 (docs: ..., queues: ...)`. */
function startupLine(roles: Role[], config: AppConfig, app: NestFastifyApplication, api: boolean): string {
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const base = `http://${host}:${port}`;
  const label = roles.join(' + ');
  if (!api) return `${label} running; listening on ${base} (health: /health/ready, metrics: /metrics)`;
  return (
    `${label} running; API listening on ${base} (health: ${base}/health/ready, docs: ${base}${DOCS_PATH}, ` +
    `OpenAPI: ${base}${OPENAPI_PATH}, queues: ${base}${QUEUE_BOARD_PATH}, metrics: ${base}/metrics)`
  );
}

/**
 * SIGTERM or SIGINT: close the app, then exit 0. Not Nest's enableShutdownHooks, which re-raises the
 * signal after closing (the process then dies by the signal, not with 0). Closing runs, in order: the
 * worker stops taking jobs and waits for those in flight (WORKER_SHUTDOWN_TIMEOUT_MS), projection
 * runners finish their batch (beforeApplicationShutdown); the HTTP server closes; then queues, Redis
 * connections, parser and classifier threads and the pool close (onApplicationShutdown). A second signal exits at once.
 */
function closeOnSignals(app: INestApplicationContext, logger: Logger): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    logger.log(`${signal} received: shutting down`);
    app.close().then(
      () => {
        logger.log('shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Entry points: a startup failure prints one clear message and exits non-zero. */
export function runMain(start: () => Promise<unknown>): void {
  start().catch((error: unknown) => {
    process.stderr.write(
      `frictionwatch failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
