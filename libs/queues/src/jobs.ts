import type { JobsOptions } from 'bullmq';

/** Every queue and the payload of its jobs: adding a job type is one line here, checked by the compiler. */
export interface JobPayloads {
  /** Fetch one feed for one due slot. */
  'fetch-feed': { feedId: string; slot: string; correlationId: string };
  /** Classify a batch of items (never one job per item). */
  'classify-items': {
    items: { itemId: string; sourceEventId: string }[];
    correlationId: string;
    reason: 'ingested' | 'reclassify';
  };
  /** Mail one immediate alert (job id: the alert's). */
  'send-alert': { alertId: string; correlationId: string };
  /** Mail one subscription's digest for the period ending at `periodEnd`. */
  'send-digest': { subscriptionId: string; periodEnd: string; correlationId: string };
  /** Mail the double opt-in confirmation of a new subscription. */
  'send-confirmation': { subscriptionId: string; correlationId: string };
}

export type JobName = keyof JobPayloads;

/** Queue per job name: workers pick the queues they consume. */
export const QUEUE_OF: Record<JobName, string> = {
  'fetch-feed': 'fetch',
  'classify-items': 'classify',
  'send-alert': 'email',
  'send-digest': 'email',
  'send-confirmation': 'email',
};

export const QUEUE_NAMES = [...new Set(Object.values(QUEUE_OF))];

const MAIL_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 5000, jitter: 0.5 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 100000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/**
 * Job options live here, in one place. Retries back off exponentially with jitter; after the last
 * attempt a job stays in the failed set (visible and retryable). Completed jobs are kept an hour so
 * their deterministic ids keep deduplicating enqueues for the same slot.
 */
export const JOB_OPTIONS: Record<JobName, JobsOptions> = {
  'fetch-feed': {
    attempts: 3,
    backoff: { type: 'exponential', delay: 5000, jitter: 0.5 },
    removeOnComplete: { age: 3600, count: 10000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  'classify-items': {
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
    removeOnComplete: { age: 3600, count: 10000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  // SMTP outages last minutes: 10 attempts from 5 s doubling span about an hour and a half.
  'send-alert': MAIL_OPTIONS,
  'send-digest': MAIL_OPTIONS,
  'send-confirmation': MAIL_OPTIONS,
};
