import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { FeedRegisteredSchema, type FeedRegistered } from './feed.events';
import type { FeedRegistry } from './feed-registry';

export const DEFAULT_SOURCES_FILE = join(__dirname, '..', '..', '..', 'seeds', 'sources.yaml');

const SourcesFileSchema = z.object({
  sources: z.array(
    FeedRegisteredSchema.extend({
      json: FeedRegisteredSchema.shape.json.optional().default(null),
      html: FeedRegisteredSchema.shape.html.optional().default(null),
      topics: z.array(z.string()).default([]),
      publisher: z.string().nullable().default(null),
    }),
  ),
});

/** Reads and validates the default sources; a bad file names the source and field. */
export function readSources(file: string = DEFAULT_SOURCES_FILE): FeedRegistered[] {
  const parsed = SourcesFileSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data.sources;
}

/** Registers every source not registered yet; safe to run any number of times. */
export async function seedSources(
  registry: FeedRegistry,
  sources: FeedRegistered[] = readSources(),
): Promise<{ registered: string[]; existing: string[] }> {
  const registered: string[] = [];
  const existing: string[] = [];
  for (const source of sources) {
    if (await registry.register(source, { correlationId: `seed:${source.feedId}` }))
      registered.push(source.feedId);
    else existing.push(source.feedId);
  }
  return { registered, existing };
}
