import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClassifierPool, ClassifierUnavailableError } from './classifier-pool';
import type { ClassifiableItem } from './classification.types';
import { ItemClassifier } from './item-classifier';

const MISBEHAVING = join(__dirname, 'testing', 'misbehaving-classifier.worker.js');
const corpus: ClassifiableItem[] = readFileSync(
  join(__dirname, '../../../test/fixtures/classifier/dev.jsonl'),
  'utf8',
)
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const { id, title, summary, source, jurisdictionHint } = JSON.parse(line) as ClassifiableItem;
    return { id, title, summary, source, jurisdictionHint };
  });

describe('ClassifierPool with the real classifier (TypeScript sources loaded in the threads)', () => {
  const pool = new ClassifierPool({ size: 2 });
  afterAll(() => pool.close());

  it('classifies a batch across its threads exactly as the in-process classifier, in order', async () => {
    const inProcess = new ItemClassifier();
    expect(corpus.length).toBeGreaterThan(100);
    expect(await pool.classifyMany(corpus)).toEqual(inProcess.classifyMany(corpus));
    expect(pool.classifierVersion).toBe(inProcess.classifierVersion);
    expect(pool.taxonomyVersion).toBe(inProcess.taxonomyVersion);
  });

  it('answers an empty batch and a batch smaller than the pool', async () => {
    expect(await pool.classifyMany([])).toEqual([]);
    const [one] = await pool.classifyMany(corpus.slice(0, 1));
    expect(one.id).toBe(corpus[0].id);
    expect(one.classifierVersion).toBe(pool.classifierVersion);
  });
});

describe('ClassifierPool recovery (a misbehaving test worker)', () => {
  let pool: ClassifierPool;
  const item = (title: string, id = title): ClassifiableItem => ({ id, title });
  beforeEach(() => {
    pool = new ClassifierPool({ size: 2, timeoutMs: 300, workerScript: MISBEHAVING });
  });
  afterEach(() => pool.close());

  it('fails a batch whose thread spins, with a clear error, and serves the next batch', async () => {
    const spinning = pool.classifyMany([item('spin'), item('a')]);
    await expect(spinning).rejects.toThrow(ClassifierUnavailableError);
    await expect(spinning).rejects.toThrow('classification timed out after 300ms');
    expect(await pool.classifyMany([item('b'), item('c'), item('d')])).toEqual([
      { id: 'b', echoed: 'b' },
      { id: 'c', echoed: 'c' },
      { id: 'd', echoed: 'd' },
    ]);
  });

  it('fails a batch whose thread exits, and replaces the thread', async () => {
    await expect(pool.classifyMany([item('exit')])).rejects.toThrow('classifier worker exited (code 3)');
    expect(await pool.classifyMany([item('again')])).toEqual([{ id: 'again', echoed: 'again' }]);
  });

  it('refuses an answer that does not hold one classification per item', async () => {
    await expect(pool.classifyMany([item('short')])).rejects.toThrow(
      'classifier answered 0 classifications for 1 items',
    );
  });

  it('refuses work once closed', async () => {
    await pool.close();
    await expect(pool.classifyMany([item('late')])).rejects.toThrow('classifier pool is closed');
  });
});
