import type { AppConfig } from '@frictionwatch/config';
import type { FetchPort, ParsePort } from '@frictionwatch/feeds';

export interface FeedPipelinePorts {
  fetcher: FetchPort;
  parser: ParsePort;
  close(): Promise<void>;
}

/**
 * The HTTP fetcher and the off-thread parser behind the feed pipeline's ports. Until those libraries
 * are wired, every fetch is recorded as a failed fetch saying so (nothing is silently dropped).
 */
export function createFeedPipelinePorts(config: AppConfig): FeedPipelinePorts {
  void config;
  const message = 'no HTTP fetcher is wired into this build yet';
  return {
    fetcher: {
      fetch: async () => ({
        kind: 'failed',
        reason: 'not_wired',
        message,
        status: null,
        retryAfterMs: null,
        durationMs: 0,
      }),
    },
    parser: { parse: async () => ({ ok: false, error: message }) },
    close: async () => undefined,
  };
}
