import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { HealthController } from './health.controller';
import { PostgresHealthIndicator } from './postgres.health';
import { QueueWorkersHealthIndicator } from './queue-workers.health';
import { RedisHealthIndicator } from './redis.health';
import { REDIS, redisProvider } from './redis.provider';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [redisProvider, PostgresHealthIndicator, RedisHealthIndicator, QueueWorkersHealthIndicator],
})
export class HealthModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
