import { Logger, Module, type DynamicModule, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit, type AppConfig } from '@frictionwatch/config';
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

/** One root module: the platform once, then each role's feature module. */
export function createRootModule(
  roles: Role[],
  modules: RoleModules['modules'],
  config: AppConfig,
): DynamicModule {
  return {
    module: RootModule,
    imports: [PlatformModule.forRoot(config, { runProjections: roles.includes('worker') }), ...modules],
  };
}

/**
 * Boots a process running the given roles: validates settings, prepares the database (migrating when
 * asked), then starts Nest; with the api role it listens on HOST:PORT and prints where.
 */
export async function startRoles(
  options: RoleModules & { migrate: boolean },
): Promise<INestApplicationContext> {
  const logger = new Logger('frictionwatch');
  const config = loadConfigOrExit();
  await prepareDatabase(config, {
    migrate: options.migrate,
    seed: options.migrate && config.SEED_ON_START,
    log: (m) => logger.log(m),
  });
  const root = createRootModule(options.roles, options.modules, config);
  const label = options.roles.join(' + ');
  if (options.roles.includes('api')) {
    const app = await createHttpApp(root, config);
    closeOnSignals(app, logger);
    await app.listen(config.PORT, config.HOST);
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
    const base = `http://${host}:${config.PORT}`;
    logger.log(
      `${label} running; API listening on ${base} (docs: ${base}/docs, queues: ${base}/admin/queues, health: ${base}/health/ready)`,
    );
    if (config.DEMO)
      // The host only: SMTP_URL may carry a password.
      logger.log(
        `Demo mode: alert mails to ${config.DEMO_ALERT_RECIPIENT} via ${new URL(config.SMTP_URL).host}`,
      );
    return app;
  }
  const app = await NestFactory.createApplicationContext(root);
  closeOnSignals(app, logger);
  logger.log(`${label} running`);
  return app;
}

/**
 * SIGTERM or SIGINT: close the app (its shutdown hooks stop runners after the batch in flight and close
 * pools and connections), then exit 0. A second signal exits at once.
 */
function closeOnSignals(app: INestApplicationContext, logger: Logger): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    logger.log(`${signal} received: shutting down`);
    app.close().then(
      () => process.exit(0),
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
