// `npm run eval -- [--split dev|test|all] [--json] [--errors N]`: scores the classifier against the
// labelled corpus in test/fixtures/classifier (format: LABELLING.md). Tune on dev; test is for reporting.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ItemClassifier, type Classification } from '@frictionwatch/classifier';
import { binary, exactMatch, multiLabel, sameValue, type MultiLabelReport, type Scores } from './metrics';

interface Labels {
  friction: boolean;
  frictionTypes: string[];
  sectors: string[];
  actors: string[];
  targets: string[];
  stage: string | null;
}
interface CorpusItem {
  id: string;
  title: string;
  summary?: string;
  source?: string | null;
  jurisdictionHint?: string | null;
  labels: Labels;
  tags?: string[];
}

const FIELDS = ['friction', 'frictionTypes', 'sectors', 'actors', 'targets', 'stage'] as const;

function parseArgs(argv: string[]) {
  const options = { split: 'test', json: false, errors: Infinity };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--split') options.split = argv[++i];
    else if (arg.startsWith('--split=')) options.split = arg.slice('--split='.length);
    else if (arg === '--errors') options.errors = Number(argv[++i]);
    else throw new Error(`unknown argument ${arg} (usage: --split dev|test|all, --json, --errors N)`);
  }
  if (!['dev', 'test', 'all'].includes(options.split)) throw new Error(`--split must be dev, test or all`);
  return options;
}

function readCorpus(split: string): CorpusItem[] {
  const dir = join(__dirname, '..', 'fixtures', 'classifier');
  const files = split === 'all' ? ['dev.jsonl', 'test.jsonl'] : [`${split}.jsonl`];
  return files.flatMap((file) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as CorpusItem),
  );
}

export interface EvalSummary {
  split: string;
  items: number;
  friction: Scores;
  frictionTypes: MultiLabelReport;
  sectors: MultiLabelReport;
  actorsExact: number;
  targetsExact: number;
  stageAccuracy: number;
  /** Exact match of actors, targets and stage over the items labelled as frictions only. */
  onFrictions: { actorsExact: number; targetsExact: number; stageAccuracy: number };
  errors: { id: string; field: string; expected: unknown; got: unknown }[];
}

export function evaluate(items: readonly CorpusItem[], split: string): EvalSummary {
  const classifier = new ItemClassifier();
  const results = items.map((item) => ({ item, got: classifier.classify(item) as Classification }));
  const pairs = <K extends (typeof FIELDS)[number]>(key: K, list = results) =>
    list.map(({ item, got }) => ({ expected: item.labels[key], got: got[key] as unknown as Labels[K] }));
  const frictions = results.filter((r) => r.item.labels.friction);
  const errors: EvalSummary['errors'] = [];
  for (const { item, got } of results) {
    for (const key of FIELDS) {
      if (!sameValue(item.labels[key], got[key])) {
        errors.push({ id: item.id, field: key, expected: item.labels[key], got: got[key] });
      }
    }
  }
  return {
    split,
    items: items.length,
    friction: binary(pairs('friction')),
    frictionTypes: multiLabel(pairs('frictionTypes')),
    sectors: multiLabel(pairs('sectors')),
    actorsExact: exactMatch(pairs('actors')),
    targetsExact: exactMatch(pairs('targets')),
    stageAccuracy: exactMatch(pairs('stage')),
    onFrictions: {
      actorsExact: exactMatch(pairs('actors', frictions)),
      targetsExact: exactMatch(pairs('targets', frictions)),
      stageAccuracy: exactMatch(pairs('stage', frictions)),
    },
    errors,
  };
}

const pct = (x: number) => x.toFixed(3);

function printReport(s: EvalSummary, maxErrors: number): void {
  const out: string[] = [];
  const row = (name: string, sc: Scores) =>
    `  ${name.padEnd(26)} P ${pct(sc.precision)}  R ${pct(sc.recall)}  F1 ${pct(sc.f1)}  (support ${sc.support}, tp ${sc.tp}, fp ${sc.fp}, fn ${sc.fn})`;
  out.push(`classifier evaluation, split ${s.split}, ${s.items} items`, '');
  out.push('friction', row('friction', s.friction), '');
  for (const [name, report] of [
    ['frictionTypes', s.frictionTypes],
    ['sectors', s.sectors],
  ] as const) {
    out.push(`${name}: micro-F1 ${pct(report.micro.f1)}, macro-F1 ${pct(report.macroF1)}`);
    out.push(row('micro', report.micro));
    for (const [label, sc] of Object.entries(report.perLabel)) out.push(row(label, sc));
    out.push('');
  }
  out.push(
    `actors exact ${pct(s.actorsExact)}   targets exact ${pct(s.targetsExact)}   stage accuracy ${pct(s.stageAccuracy)}`,
    `on frictions only: actors ${pct(s.onFrictions.actorsExact)}   targets ${pct(s.onFrictions.targetsExact)}   stage ${pct(s.onFrictions.stageAccuracy)}`,
    '',
    `errors (${s.errors.length}):`,
  );
  for (const e of s.errors.slice(0, maxErrors)) {
    out.push(`  ${e.id}  ${e.field}: expected ${JSON.stringify(e.expected)}, got ${JSON.stringify(e.got)}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const summary = evaluate(readCorpus(options.split), options.split);
  if (options.json) {
    const { errors, ...rest } = summary;
    process.stdout.write(`${JSON.stringify({ ...rest, errorCount: errors.length, errors })}\n`);
  } else {
    printReport(summary, options.errors);
  }
}

if (require.main === module) main();
