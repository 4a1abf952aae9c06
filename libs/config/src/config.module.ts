import { Global, Module } from '@nestjs/common';
import type { AppConfig } from './config.schema';
import { loadConfigOrExit } from './load-config';

/** Injection token for the validated settings. */
export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  /** Uses the given settings (tests, the single-process mode) or validates process.env. */
  static forRoot(config?: AppConfig) {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useFactory: () => config ?? loadConfigOrExit() }],
      exports: [APP_CONFIG],
    };
  }
}
