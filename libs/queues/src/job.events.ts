import { z } from 'zod';
import { deterministicEventId, type EventDefinition, type NewEvent } from '@frictionwatch/event-store';

/**
 * A job that gave up: appended on its last failed attempt (or an unrecoverable error), before BullMQ
 * moves it to the failed set, so every job in a failed set has a failure in the log. Jobs whose
 * domain records failures itself (a fetch's FeedFetchFailed, a mail's AlertDeliveryFailed) only fail
 * on errors that domain did not expect; this records those too, and the kinds that record nothing
 * (classify-items, send-confirmation).
 */
export const JobFailedSchema = z.object({
  queue: z.string().min(1),
  jobName: z.string().min(1),
  jobId: z.string().min(1),
  /** Attempts made, this one included. */
  attempts: z.number().int().min(1),
  /** The error's message (never a stack: stacks can carry configuration). */
  error: z.string(),
  /** The job's payload: which items, alert or feed it was about. */
  data: z.record(z.string(), z.unknown()),
});
export type JobFailed = z.infer<typeof JobFailedSchema>;

export const JOB_EVENTS: EventDefinition[] = [
  { type: 'JobFailed', schemaVersion: 1, schema: JobFailedSchema },
];

/** One stream per queue and job id: `job-<queue>-<job id>`. */
export function jobStreamId(queue: string, jobId: string): string {
  return `job-${queue}-${jobId}`;
}

/** The JobFailed event of one failed run; its id is deterministic, so a re-run append is a no-op. */
export function jobFailedEvent(failure: JobFailed, correlationId?: string): NewEvent<'JobFailed', JobFailed> {
  return {
    type: 'JobFailed',
    eventId: deterministicEventId(`JobFailed:${failure.queue}:${failure.jobId}:${failure.attempts}`),
    data: { ...failure, error: failure.error.slice(0, 2000) },
    metadata: { correlationId, causationId: failure.jobId },
  };
}
