import { parentPort } from 'node:worker_threads';
import { parseFeedText } from './parse-feed-text';
import { normaliseItems } from './normalise-items';
import type { NormalisedParseResult, ParseResult } from './feed-parsing.types';
import type { ParseRequest, WorkerReply } from './feed-parser.pool';

// One parse at a time per worker; the pool terminates a worker whose parse overruns its time limit.
const port = parentPort;
if (port) {
  port.on('message', (request: ParseRequest) => {
    let result: ParseResult | NormalisedParseResult;
    try {
      result = parseFeedText(request.text, request.format, request.pageUrl);
      if (result.ok && request.firstSeenAt !== undefined)
        result = {
          ok: true,
          items: normaliseItems(result.items, {
            pageUrl: request.pageUrl,
            firstSeenAt: new Date(request.firstSeenAt),
          }),
          warnings: result.warnings,
        };
    } catch (err) {
      result = { ok: false, error: `parse failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    try {
      port.postMessage({ type: 'result', id: request.id, result } satisfies WorkerReply);
    } catch (err) {
      const error = `parse result could not be sent: ${err instanceof Error ? err.message : String(err)}`;
      port.postMessage({
        type: 'result',
        id: request.id,
        result: { ok: false, error },
      } satisfies WorkerReply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}
