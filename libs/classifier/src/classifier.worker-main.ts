import { parentPort } from 'node:worker_threads';
import type { ClassifierReply, ClassifyOutcome, ClassifyRequest } from './classifier-pool';
import { ItemClassifier } from './item-classifier';

// The lexicon is compiled once, before the thread says it is ready; then one chunk at a time.
const port = parentPort;
if (port) {
  const classifier = new ItemClassifier();
  port.on('message', (request: ClassifyRequest) => {
    let outcome: ClassifyOutcome;
    try {
      outcome = { ok: true, classifications: classifier.classifyMany(request.items) };
    } catch (err) {
      outcome = {
        ok: false,
        error: `classifier failed: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    port.postMessage({ type: 'result', id: request.id, result: outcome } satisfies ClassifierReply);
  });
  port.postMessage({ type: 'ready' } satisfies ClassifierReply);
}
