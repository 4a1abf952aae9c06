import {
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { DemoFeedServer } from './demo-feed-server';

/**
 * With DEMO=true, the process that fetches (the worker role) serves the demo snapshots on its own
 * loopback, before its queue consumers start; every worker replica serves itself, so the demo
 * sources' one URL works however many workers run. Without DEMO it does nothing.
 */
@Injectable()
export class DemoFeedServerLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly server = new DemoFeedServer();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.DEMO) return;
    await this.server.start(this.config.DEMO_FEEDS_PORT);
    new Logger('demo').log(`Serving the demo feed snapshots at ${this.server.url}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.stop();
  }
}

@Module({ providers: [DemoFeedServerLifecycle] })
export class DemoModule {}
