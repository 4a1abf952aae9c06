import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { readSources, type FeedRegistered } from '@frictionwatch/feeds';

/** seeds/demo: the manifest and the recorded snapshots (shipped in the image, unlike test/fixtures). */
export const DEMO_DIR = join(__dirname, '..', '..', '..', 'seeds', 'demo');

const ManifestSchema = z.object({
  feeds: z
    .array(
      z.object({
        source: z.string().min(1),
        file: z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be a file name in seeds/demo/feeds'),
        contentType: z.string().min(1),
      }),
    )
    .min(1),
});

export type DemoFeed = z.infer<typeof ManifestSchema>['feeds'][number];

/** Reads and validates seeds/demo/feeds.yaml; a bad manifest names the field. */
export function readDemoFeeds(dir: string = DEMO_DIR): DemoFeed[] {
  const file = join(dir, 'feeds.yaml');
  const parsed = ManifestSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data.feeds;
}

/** The demo's feed id for a seeded source: never the real id, so demo data never blocks the real source. */
export function demoFeedId(source: string): string {
  return `demo-${source}`;
}

/**
 * The demo sources: each the seeded source it names (kind, mappings, jurisdiction), renamed, pointed at
 * its snapshot under `feedsUrl`, and polled every 5 minutes (the snapshot answers 304 after the first).
 */
export function demoSources(feedsUrl: string, feeds: DemoFeed[] = readDemoFeeds()): FeedRegistered[] {
  const seeded = readSources();
  return feeds.map((feed) => {
    const source = seeded.find((s) => s.feedId === feed.source);
    if (!source) throw new Error(`seeds/demo/feeds.yaml: no source "${feed.source}" in seeds/sources.yaml`);
    return {
      ...source,
      feedId: demoFeedId(feed.source),
      name: `${source.name} (demo snapshot)`,
      url: `${feedsUrl.replace(/\/$/, '')}/${feed.file}`,
      intervalMinutes: 5,
      backfill: null,
    };
  });
}
