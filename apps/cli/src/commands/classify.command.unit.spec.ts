// Spawns the real `classify` command (no database or Redis needed, hence a unit-layer test).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = join(__dirname, '..', '..', '..', '..');
const start = () =>
  spawn(process.execPath, ['-r', './tools/register.js', 'apps/cli/src/main.ts', 'classify'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });

async function classifyLines(
  input: string,
): Promise<{ lines: Record<string, unknown>[]; code: number | null; stderr: string }> {
  const child = start();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const lines = stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines, code, stderr };
}

describe('npm run cli -- classify', () => {
  it('answers each JSON line with a classification in the public vocabulary', async () => {
    const { lines, code } = await classifyLines(
      [
        JSON.stringify({ id: 'a', title: 'EU launches anti-subsidy probe into Chinese electric vehicles' }),
        JSON.stringify({
          id: 'b',
          title: 'Additions to the Entity List',
          summary: 'The rule adds entities in China.',
          source: 'Federal Register',
          jurisdictionHint: 'US',
          extra: 'ignored',
        }),
        JSON.stringify({ id: 'c', title: 'BYD opens a factory in Hungary' }),
      ].join('\n') + '\n',
    );
    expect(code).toBe(0);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      id: 'a',
      friction: true,
      frictionTypes: ['anti_subsidy'],
      sectors: ['electric_vehicles'],
      actors: ['EU'],
      targets: ['CN'],
      stage: 'investigation_opened',
    });
    for (const key of [
      'severity',
      'evidence',
      'classifierVersion',
      'taxonomyVersion',
      'caseRefs',
      'hsCodes',
      'dutyRates',
    ]) {
      expect(lines[0]).toHaveProperty(key);
    }
    expect(lines[1]).toMatchObject({
      id: 'b',
      friction: true,
      frictionTypes: ['export_control'],
      actors: ['US'],
    });
    expect(lines[2]).toMatchObject({
      id: 'c',
      friction: false,
      actors: [],
      targets: [],
      stage: null,
      severity: 0,
    });
  });

  it('answers a bad line with an error object for that line and goes on', async () => {
    const { lines, code } = await classifyLines(
      [
        'not json',
        JSON.stringify({ id: 'no-title', summary: 'x' }),
        JSON.stringify({ id: 'bad-type', title: 42 }),
        JSON.stringify([1, 2]),
        JSON.stringify({ id: 7, title: 'x' }),
        JSON.stringify({ id: 'bad-summary', title: 'EU tariffs', summary: { text: 'x' } }),
        '',
        JSON.stringify({ id: 'ok', title: 'China bans exports of gallium' }),
      ].join('\r\n'),
    );
    expect(code).toBe(0);
    expect(lines).toEqual([
      { id: null, line: 1, error: expect.stringMatching(/^invalid JSON/) },
      { id: 'no-title', line: 2, error: '"title" is missing' },
      { id: 'bad-type', line: 3, error: '"title" must be a non-empty string' },
      { id: null, line: 4, error: 'each line must be a JSON object' },
      { id: null, line: 5, error: '"id" must be a string' },
      { id: 'bad-summary', line: 6, error: '"summary" must be a string' },
      expect.objectContaining({ id: 'ok', friction: true, frictionTypes: ['export_control'] }),
    ]);
  });

  it('streams: answers the first line before the input ends, and keeps up with a large input', async () => {
    const child = start();
    const output = createInterface({ input: child.stdout });
    const received: string[] = [];
    let firstAnswer: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (firstAnswer = resolve));
    output.on('line', (line) => {
      received.push(line);
      if (received.length === 1) firstAnswer();
    });
    child.stdin.write(
      `${JSON.stringify({ id: 'first', title: 'US raises tariffs on Chinese solar cells' })}\n`,
    );
    await first;
    expect(JSON.parse(received[0])).toMatchObject({ id: 'first', friction: true });

    const more = 20000;
    const line = (i: number) =>
      `${JSON.stringify({ id: `n${i}`, title: 'Commission imposes provisional anti-dumping duties on Chinese biodiesel', summary: 'Duties range from 12.8% to 36.4%.' })}\n`;
    for (let i = 0; i < more; i++) {
      if (!child.stdin.write(line(i))) await new Promise((resolve) => child.stdin.once('drain', resolve));
    }
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(received).toHaveLength(more + 1);
    expect(JSON.parse(received[more])).toMatchObject({
      id: `n${more - 1}`,
      stage: 'preliminary',
      dutyRates: ['12.8%', '36.4%'],
    });
  });
});
