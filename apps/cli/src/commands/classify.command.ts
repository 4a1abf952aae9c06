// `npm run --silent cli -- classify`: JSON Lines in (stdin), JSON Lines out (stdout), per
// ../shared/vocabulary.md. Streams with backpressure; a bad line gets an error object, never a crash.
// Loads only the taxonomy and the classifier: no Nest, no database, no Redis.
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable, type Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ItemClassifier, type ClassifiableItem } from '@frictionwatch/classifier';

export type LineResult =
  { item: ClassifiableItem & { id: string | null } } | { error: string; id: string | null };

const OPTIONAL_STRINGS = ['summary', 'source', 'jurisdictionHint'] as const;

/** Parses and checks one input line. */
export function parseItemLine(line: string): LineResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { id: null, error: `invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { id: null, error: 'each line must be a JSON object' };
  }
  const record = value as Record<string, unknown>;
  const rawId = record.id;
  if (rawId !== undefined && rawId !== null && typeof rawId !== 'string') {
    return { id: null, error: '"id" must be a string' };
  }
  const id = rawId ?? null;
  if (typeof record.title !== 'string' || record.title.trim() === '') {
    return {
      id,
      error: record.title === undefined ? '"title" is missing' : '"title" must be a non-empty string',
    };
  }
  for (const key of OPTIONAL_STRINGS) {
    const v = record[key];
    if (v !== undefined && v !== null && typeof v !== 'string')
      return { id, error: `"${key}" must be a string` };
  }
  return {
    item: {
      id,
      title: record.title,
      summary: (record.summary as string | null | undefined) ?? null,
      source: (record.source as string | null | undefined) ?? null,
      jurisdictionHint: (record.jurisdictionHint as string | null | undefined) ?? null,
    },
  };
}

/** A transform from bytes of JSON Lines to lines of classifications (or errors). */
export function classifyStream(classifier = new ItemClassifier()): Transform {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNumber = 0;
  const answer = (line: string): string => {
    lineNumber++;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return '';
    const parsed = parseItemLine(text);
    if ('error' in parsed)
      return `${JSON.stringify({ id: parsed.id, line: lineNumber, error: parsed.error })}\n`;
    try {
      return `${JSON.stringify(classifier.classify(parsed.item))}\n`;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return `${JSON.stringify({ id: parsed.item.id, line: lineNumber, error: `classification failed: ${message}` })}\n`;
    }
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const text = rest + decoder.write(chunk);
      let out = '';
      let from = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
        out += answer(text.slice(from, nl));
        from = nl + 1;
      }
      rest = text.slice(from);
      done(null, out === '' ? undefined : out);
    },
    flush(done) {
      const last = rest + decoder.end();
      rest = '';
      const out = last === '' ? '' : answer(last);
      done(null, out === '' ? undefined : out);
    },
  });
}

export async function classify(
  input: Readable = process.stdin,
  output: Writable = process.stdout,
): Promise<void> {
  output.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  await pipeline(input, classifyStream(), output, { end: output !== process.stdout });
}
