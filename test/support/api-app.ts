import type { INestApplication } from '@nestjs/common';
import type { Pool } from 'pg';
import { loadConfig } from '@frictionwatch/config';
import { createHttpApp, createRootModule } from '@frictionwatch/platform';
import { ApiModule } from '../../apps/api/src/api.module';
import { WorkerModule } from '../../apps/worker/src/worker.module';

/**
 * The real api app (with the worker's projections, so read models follow) on a free loopback port,
 * configured from the given settings like a process would be from its environment.
 */
export async function startApiApp(
  env: Record<string, string>,
  options: { queueConsumers?: boolean } = {},
): Promise<{ app: INestApplication; base: string }> {
  const config = loadConfig({ PROJECTION_POLL_INTERVAL_MS: '50', ...env });
  // With queueConsumers, the worker's queue consumers too (those named in WORKER_QUEUES).
  const modules = options.queueConsumers ? [ApiModule, WorkerModule] : [ApiModule];
  const app = await createHttpApp(createRootModule(['api', 'worker'], modules, config), config, {
    logger: false,
  });
  await app.listen(0, '127.0.0.1');
  return { app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

/** Waits until the named read models have applied every event in the log. */
export async function readModelsSettled(pool: Pool, names: string[], timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ lag: number }>(
      `SELECT count(*)::int AS lag FROM events e, projections p
       JOIN projection_checkpoints c ON c.name = p.name AND c.generation = p.active_generation
       WHERE p.name = ANY ($1) AND (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position)`,
      [names],
    );
    if (rows[0].lag === 0) return;
    if (Date.now() > deadline) throw new Error(`read models ${names.join(', ')} did not catch up`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
