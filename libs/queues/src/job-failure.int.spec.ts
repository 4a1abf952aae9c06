import { Queue, UnrecoverableError, type Job, type Worker } from 'bullmq';
import { EventRegistry, PostgresEventStore } from '@frictionwatch/event-store';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  testQueuePrefix,
  type TestDatabase,
} from '@frictionwatch/testing';
import {
  closeWorker,
  createRedisConnection,
  JOB_EVENTS,
  jobFailedEvent,
  jobStreamId,
  startQueueWorker,
  type JobFailed,
  type JobHandlers,
} from './index';

/**
 * A job that gives up leaves a JobFailed event, appended before BullMQ moves it to the failed set:
 * on its last attempt, or at once on an unrecoverable error; never on an attempt that will be retried.
 */
describe('JobFailed on a job that gives up', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const queue = testQueuePrefix();
  const connection = createRedisConnection(TEST_REDIS_URL, 'job-failure-test');
  let worker: Worker | null = null;
  const probe = new Queue('classify', { connection, prefix: queue.prefix });
  /** The failed-set size each JobFailed append saw: 0 means it came before the move. */
  const failedSetWhenRecorded: number[] = [];

  const handlers = (classify: JobHandlers['classify-items']): JobHandlers => ({ 'classify-items': classify });

  async function start(classify: JobHandlers['classify-items']): Promise<Worker> {
    const started = startQueueWorker('classify', handlers(classify), {
      connection,
      prefix: queue.prefix,
      onFinalFailure: async (failure: JobFailed, job: Job) => {
        failedSetWhenRecorded.push(await probe.getFailedCount());
        expect(job.id).toBe(failure.jobId);
        await store.append(jobStreamId(failure.queue, failure.jobId), [jobFailedEvent(failure, 'test')]);
      },
    });
    worker = started;
    return started;
  }

  async function finish(job: Job): Promise<string> {
    for (;;) {
      const state = await job.getState();
      if (state === 'failed' || state === 'completed') return state;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function recorded(jobId: string) {
    const { rows } = await database.pool.query<{ event_type: string; data: JobFailed }>(
      'SELECT event_type, data FROM events WHERE stream_id = $1 ORDER BY stream_version',
      [jobStreamId('classify', jobId)],
    );
    return rows;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore(database.pool, new EventRegistry().register(...JOB_EVENTS));
  });
  afterEach(async () => {
    if (worker) await closeWorker(worker, 5000);
    worker = null;
  });
  afterAll(async () => {
    await probe.close();
    connection.disconnect();
    await queue.cleanup();
    await database?.drop();
  });

  const payload = {
    items: [{ itemId: 'item-a', sourceEventId: '' }],
    correlationId: 'corr-1',
    reason: 'ingested' as const,
  };

  it('records the last attempt of a job that keeps failing, once, before it enters the failed set', async () => {
    let attempts = 0;
    const running = await start(async () => {
      attempts += 1;
      throw new Error(`database unreachable (attempt ${attempts})`);
    });
    await running.waitUntilReady();
    // The queue's own options for classify jobs retry with seconds of backoff; this job retries at once.
    const producer = new Queue('classify', { connection, prefix: queue.prefix });
    const job = await producer.add('classify-items', payload, { jobId: 'retried', attempts: 3 });
    expect(await finish(job)).toBe('failed');
    await producer.close();
    expect(attempts).toBe(3);
    const events = await recorded('retried');
    expect(events).toEqual([
      {
        event_type: 'JobFailed',
        data: {
          queue: 'classify',
          jobName: 'classify-items',
          jobId: 'retried',
          attempts: 3,
          error: 'database unreachable (attempt 3)',
          data: payload,
        },
      },
    ]);
    expect(failedSetWhenRecorded.at(-1)).toBe(0);
  });

  it('records an unrecoverable error at its first attempt; a job that succeeds on retry records nothing', async () => {
    let calls = 0;
    const running = await start(async (data) => {
      calls += 1;
      if (data.correlationId === 'unrecoverable') throw new UnrecoverableError('no such items');
      if (calls === 2) throw new Error('transient');
      return { ok: true };
    });
    await running.waitUntilReady();
    const producer = new Queue('classify', { connection, prefix: queue.prefix });
    try {
      const flaky = await producer.add('classify-items', payload, { jobId: 'flaky', attempts: 3 });
      expect(await finish(flaky)).toBe('completed');
      const fatal = await producer.add(
        'classify-items',
        { ...payload, correlationId: 'unrecoverable' },
        { jobId: 'fatal', attempts: 5 },
      );
      expect(await finish(fatal)).toBe('failed');
    } finally {
      await producer.close();
    }
    expect(await recorded('flaky')).toEqual([]);
    const fatalEvents = await recorded('fatal');
    expect(fatalEvents.map((e) => [e.data.attempts, e.data.error])).toEqual([[1, 'no such items']]);
  });
});
