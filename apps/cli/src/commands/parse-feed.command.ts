import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfigOrExit } from '@frictionwatch/config';
import { decodeFeedBytes } from '@frictionwatch/fetcher';
import { createFeedPipelinePorts } from '@frictionwatch/platform';

const MAX_FILE_BYTES = 10 * 1024 * 1024;

/**
 * The worker's own fetch-parse-normalise path without the event store: one JSON line per input, in
 * input order; exit 1 when any input failed. Never a crash or a stack trace.
 */
export async function parseFeed(inputs: string[], options: { kind: string }): Promise<void> {
  const config = loadConfigOrExit();
  const ports = createFeedPipelinePorts(config);
  const kind = options.kind as 'rss';
  let failed = 0;
  try {
    for (const input of inputs) {
      const line = await parseOne(input, kind, ports).catch((error: unknown) => ({
        input,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      }));
      if (!line.ok) failed += 1;
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  } finally {
    await ports.close();
  }
  process.exitCode = failed ? 1 : 0;
}

async function parseOne(input: string, kind: 'rss', ports: ReturnType<typeof createFeedPipelinePorts>) {
  let text: string;
  let pageUrl: string;
  if (/^https?:\/\//i.test(input)) {
    const response = await ports.fetcher.fetch({ url: input });
    if (response.kind === 'failed')
      return { input, ok: false, error: `${response.reason}: ${response.message}` };
    if (response.kind === 'not_modified') return { input, ok: false, error: 'unexpected 304 Not Modified' };
    text = response.text;
    pageUrl = response.finalUrl;
  } else {
    const path = resolve(input);
    const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new Error(
        error.code === 'ENOENT'
          ? `no such file: ${input}`
          : `cannot read ${input}: ${error.code ?? error.message}`,
      );
    });
    if (bytes.length > MAX_FILE_BYTES)
      return { input, ok: false, error: `file is ${bytes.length} bytes; the limit is ${MAX_FILE_BYTES}` };
    text = decodeFeedBytes(bytes, null).text;
    pageUrl = pathToFileURL(path).toString();
  }
  const parsed = await ports.parser.parse(text, { kind }, pageUrl);
  if (!parsed.ok) return { input, ok: false, error: parsed.error };
  return {
    input,
    ok: true,
    items: parsed.items.map((item) => ({
      title: item.title,
      link: item.url,
      guid: item.guid,
      publishedAt: item.publishedAt,
      dateSource: item.dateSource,
      summary: item.summary,
      categories: item.categories,
      key: item.key,
      contentHash: item.contentHash,
    })),
    ...(parsed.warnings.length ? { warnings: parsed.warnings } : {}),
  };
}
