import { SingleBar, Presets } from 'cli-progress';
import { projectionStatus } from '@frictionwatch/projections';
import { withCliContext } from './cli-context';

export async function status(options: { json?: boolean }): Promise<void> {
  await withCliContext(async ({ db, engine }) => {
    await engine.initialise();
    const report = await projectionStatus(db, engine);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return;
    }
    const rows = report.projections.map((p) => ({
      projection: `${p.name} g${p.generation}${p.active ? ' (active)' : ''}`,
      status: p.status,
      checkpoint: p.checkpoint,
      applied: p.eventsApplied,
      'lag events': p.lagEvents,
      'lag s': p.lagSeconds,
      error: p.lastError ?? '',
    }));
    console.table(rows);
    process.stdout.write(
      `log head: ${report.log.headPosition}; committed events hidden behind the watermark: ${report.log.hiddenEvents}; ` +
        `oldest open writing transaction: ${report.log.oldestWritingTransactionSeconds}s\n`,
    );
  });
}

export async function rebuild(name: string): Promise<void> {
  await withCliContext(async ({ engine, pool }) => {
    engine.projection(name); // unknown names fail before anything is created
    const { rows } = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM events');
    const bar = new SingleBar(
      {
        format: `rebuild ${name} [{bar}] {value}/{total} events | {eta}s left`,
        hideCursor: true,
        noTTYOutput: true,
        notTTYSchedule: 2000,
      },
      Presets.shades_classic,
    );
    bar.start(Number(rows[0].n), 0);
    const result = await engine.rebuild(name, (progress) => bar.update(progress.eventsApplied));
    bar.stop();
    process.stdout.write(
      `Rebuilt ${name}: generation ${result.generation} is live` +
        (result.previous ? `; generation ${result.previous} retired and dropped` : '') +
        '\n',
    );
  });
}

export async function retry(name: string): Promise<void> {
  await withCliContext(async ({ engine }) => {
    engine.projection(name);
    const count = await engine.repository.retry(name);
    process.stdout.write(
      count ? `Projection ${name} is running again\n` : `Projection ${name} was not failed\n`,
    );
  });
}
