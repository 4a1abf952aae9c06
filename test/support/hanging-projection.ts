// A projection runner that stops forever in the middle of a batch, after writing some rows, so a test
// can kill it with SIGKILL and check that nothing of the batch was applied.
import 'reflect-metadata';
import { createKysely, createPool } from '@frictionwatch/database';
import { PostgresEventStore } from '@frictionwatch/event-store';
import { ProjectionEngine } from '@frictionwatch/projections';
import { appliedEventsProjection, testEventRegistry } from '@frictionwatch/testing';

async function main(): Promise<void> {
  const pool = createPool({ databaseUrl: process.env.DATABASE_URL as string, poolMax: 2 });
  const db = createKysely(pool);
  const store = new PostgresEventStore(pool, testEventRegistry());
  const projection = appliedEventsProjection({
    afterInsert: async () => {
      process.stdout.write('IN_BATCH\n');
      await new Promise((resolve) => setTimeout(resolve, 600000));
    },
  });
  const engine = new ProjectionEngine(db, store, [projection], { batchSize: 1000 });
  await engine.initialise();
  await engine.runBatch('applied_events', 1);
}

void main();
