import { Presets, SingleBar } from 'cli-progress';
import { FeedBackfillService } from '@frictionwatch/feeds';
import { ItemIngestor, ItemRepository } from '@frictionwatch/items';
import { createFeedPipelinePorts } from '@frictionwatch/platform';
import { withCliContext } from './cli-context';
import { feedRepository } from './feeds.command';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Pages a json source through history in date slices, with a progress bar over the date range. */
export async function backfill(source: string, options: { from: string; to?: string }): Promise<void> {
  const to = options.to ?? new Date().toISOString().slice(0, 10);
  if (!DAY.test(options.from) || !DAY.test(to)) throw new Error('--from and --to take dates as YYYY-MM-DD');
  await withCliContext(async (context) => {
    const feed = await (await feedRepository(context)).get(source);
    if (!feed) throw new Error(`No feed "${source}" (see: npm run cli -- feeds list)`);
    const ports = createFeedPipelinePorts(context.config);
    const bar = new SingleBar(
      {
        format: `backfill ${source} [{bar}] {percentage}% | slice {slice} | pages {pages} | items {items} (new {fresh})`,
        noTTYOutput: true,
        notTTYSchedule: 2000,
      },
      Presets.shades_classic,
    );
    bar.start(1000, 0, { slice: '', pages: 0, items: 0, fresh: 0 });
    try {
      const service = new FeedBackfillService(
        ports.fetcher,
        ports.parser,
        new ItemIngestor(context.store, new ItemRepository(context.pool)),
      );
      const report = await service.backfill(
        feed,
        { from: options.from, to },
        { correlationId: `backfill:${source}:${options.from}:${to}` },
        (p) =>
          bar.update(Math.round(p.covered * 1000), {
            slice: `${p.slice.from}..${p.slice.to}`,
            pages: p.pagesRead,
            items: p.itemsSeen,
            fresh: p.newItems,
          }),
      );
      bar.update(1000);
      bar.stop();
      process.stdout.write(
        `Backfilled ${source} ${options.from}..${to}: ${report.slices} slice(s), ${report.pagesRead} page(s), ${report.itemsSeen} item(s) seen, ${report.newItems} new, ${report.revisedItems} revised\n`,
      );
    } finally {
      bar.stop();
      await ports.close();
    }
  });
}
