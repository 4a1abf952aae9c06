import type { AppConfig } from '@frictionwatch/config';
import { FeedParserPool } from '@frictionwatch/feed-parsing';
import type { FetchPort, ParsePort } from '@frictionwatch/feeds';
import { DEMO_FEEDS_HOST } from '@frictionwatch/demo';
import { FeedFetcher, isForbiddenAddress } from '@frictionwatch/fetcher';

export interface FeedPipelinePorts {
  fetcher: FetchPort;
  parser: ParsePort;
  close(): Promise<void>;
}

/**
 * DEMO=true: the demo feed server's loopback address, named as such, is allowed on top of the public
 * internet; every other private, loopback or link-local address stays refused.
 */
function demoAddressPolicy(address: string, hostname: string): boolean {
  return !isForbiddenAddress(address) || (hostname === DEMO_FEEDS_HOST && address === DEMO_FEEDS_HOST);
}

/** The safe HTTP fetcher and the off-thread parser + normaliser behind the feed pipeline's ports. */
export function createFeedPipelinePorts(config: AppConfig): FeedPipelinePorts {
  const fetcher = new FeedFetcher({
    totalTimeoutMs: config.FETCH_TIMEOUT_MS,
    maxBodyBytes: config.FETCH_MAX_BYTES,
    allowPrivateNetworks: config.FETCH_ALLOW_PRIVATE_NETWORKS,
    isAllowedAddress: config.DEMO ? demoAddressPolicy : undefined,
  });
  const pool = new FeedParserPool();
  const parser: ParsePort = {
    parse: (text, format, pageUrl) => pool.parseNormalised(text, format, pageUrl, new Date()),
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
