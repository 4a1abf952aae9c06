import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while handling one request or one job carries. */
export interface LogContext {
  requestId?: string;
  correlationId?: string;
  causationId?: string;
  jobId?: string;
  job?: string;
  queue?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` (added to the enclosing one) attached to every log line it writes. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, fn);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
