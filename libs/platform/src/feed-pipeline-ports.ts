import type { AppConfig } from '@frictionwatch/config';
import { FeedParserPool, normaliseItems } from '@frictionwatch/feed-parsing';
import type { FetchPort, ParsePort } from '@frictionwatch/feeds';
import { FeedFetcher } from '@frictionwatch/fetcher';

export interface FeedPipelinePorts {
  fetcher: FetchPort;
  parser: ParsePort;
  close(): Promise<void>;
}

/** The safe HTTP fetcher and the off-thread parser + normaliser behind the feed pipeline's ports. */
export function createFeedPipelinePorts(config: AppConfig): FeedPipelinePorts {
  const fetcher = new FeedFetcher({
    totalTimeoutMs: config.FETCH_TIMEOUT_MS,
    maxBodyBytes: config.FETCH_MAX_BYTES,
    allowPrivateNetworks: config.FETCH_ALLOW_PRIVATE_NETWORKS,
  });
  const pool = new FeedParserPool();
  const parser: ParsePort = {
    async parse(text, format, pageUrl) {
      const result = await pool.parse(text, format, pageUrl);
      if (!result.ok) return result;
      return {
        ok: true,
        items: normaliseItems(result.items, { pageUrl, firstSeenAt: new Date() }),
        warnings: result.warnings,
      };
    },
    warm: () => pool.warm(),
  };
  return {
    fetcher,
    parser,
    async close() {
      await Promise.all([fetcher.close(), pool.close()]);
    },
  };
}
