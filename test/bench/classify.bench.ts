// `npm run bench -- classify [--items N] [--seconds S]`: the classifier's throughput on one core for
// items of ~400 characters (corpus items, padded or cut to size), after a warm-up, per second of wall
// time of this single-threaded loop (and of the process's CPU time), with the baseline
// of a plain Aho-Corasick pass over the same texts and the same phrases, measured in the same run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ItemClassifier, PhraseMatcher, type ClassifiableItem } from '@frictionwatch/classifier';
import { loadTaxonomy } from '@frictionwatch/taxonomy';

const TARGET_CHARS = 400;
const FILLER = [
  'Officials said the decision followed consultations with industry and member states.',
  'The notice sets out the procedure and the deadlines for interested parties to comment.',
  'Analysts expect the measure to affect supply chains across the region in the coming months.',
  'The ministry said it would continue to monitor the market and protect domestic producers.',
];

function corpusItems(): ClassifiableItem[] {
  const dir = join(__dirname, '..', 'fixtures', 'classifier');
  const items: ClassifiableItem[] = [];
  for (const file of ['dev.jsonl', 'test.jsonl']) {
    let text: string;
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const { id, title, summary, source, jurisdictionHint } = JSON.parse(line) as ClassifiableItem;
      items.push({ id, title, summary, source, jurisdictionHint });
    }
  }
  if (items.length === 0)
    items.push({ id: 'x', title: 'EU imposes provisional duties on Chinese electric vehicles' });
  return items.map((item, i) => sized(item, i));
}

/** Pads the summary with neutral sentences, or cuts it, so that title + summary is ~400 characters. */
function sized(item: ClassifiableItem, i: number): ClassifiableItem {
  let summary = item.summary ?? '';
  for (let k = i; item.title.length + summary.length < TARGET_CHARS; k++)
    summary += ` ${FILLER[k % FILLER.length]}`;
  summary = summary.slice(0, Math.max(0, TARGET_CHARS - item.title.length)).trim();
  return { ...item, summary };
}

interface Rate {
  /** Items per second of this process's CPU time (all its threads, the GC's included). */
  perCpuSecond: number;
  /** Items per second of wall time. */
  perWallSecond: number;
}

function measure(run: (i: number) => void, seconds: number): Rate {
  for (let i = 0; i < 20000; i++) run(i); // warm-up: let the JIT settle
  let done = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - start < budget) {
    for (let i = 0; i < 1000; i++) run(done++);
  }
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return { perCpuSecond: done / cpuSeconds, perWallSecond: done / wall };
}

export default async function bench(args: string[]): Promise<void> {
  const option = (name: string, fallback: number) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  const seconds = option('seconds', 3);
  const built = process.hrtime.bigint();
  const classifier = new ItemClassifier(loadTaxonomy());
  const buildMs = Number(process.hrtime.bigint() - built) / 1e6;
  const items = corpusItems();
  const n = items.length;
  const avgChars = items.reduce((sum, it) => sum + it.title.length + (it.summary?.length ?? 0), 0) / n;

  // Baseline: the same phrases, one plain Aho-Corasick pass over title and summary, nothing else.
  const matcher = new PhraseMatcher(classifier.lexiconPhrases);
  let sink = 0;
  const baseline = measure((i) => {
    const it = items[i % n];
    sink += matcher.scan(it.title).length + matcher.scan(it.summary ?? '').length;
  }, seconds);
  const classified = measure((i) => {
    sink += classifier.classify(items[i % n]).evidence.length;
  }, seconds);
  if (sink < 0) console.log(sink);
  console.log(
    JSON.stringify({
      bench: 'classify',
      itemsPerSec: Math.round(classified.perWallSecond),
      cpuItemsPerSec: Math.round(classified.perCpuSecond),
      baselineAhoCorasickPerSec: Math.round(baseline.perWallSecond),
      ratioToBaseline: Number((classified.perWallSecond / baseline.perWallSecond).toFixed(3)),
      avgChars: Math.round(avgChars),
      distinctItems: n,
      phrases: classifier.lexiconPhrases.length,
      buildMs: Math.round(buildMs),
      node: process.version,
    }),
  );
}
