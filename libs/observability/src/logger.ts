import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import { currentLogContext } from './log-context';
import { createRedactor } from './redact';

export type LogFormat = 'auto' | 'json' | 'pretty';

export interface LoggerOptions {
  level: string;
  /** `auto`: readable when NODE_ENV=development and stdout is a terminal, JSON otherwise. */
  format?: LogFormat;
  nodeEnv?: string;
  /** Values never written (passwords of the configured URLs, signing keys). */
  secrets?: string[];
  /** Fields on every line, e.g. the roles of the process. */
  base?: Record<string, unknown>;
  /** Where lines go (tests); stdout by default, written synchronously so no line is lost at exit. */
  destination?: DestinationStream;
}

/**
 * The process's pino logger: one JSON object per line with the request or job context of the moment
 * (request id, correlation id, job id) and every secret removed from the finished line.
 */
export function createLogger(options: LoggerOptions): Logger {
  const redact = createRedactor(options.secrets ?? []);
  const destination =
    options.destination ?? prettyStream(options) ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: options.level,
      base: { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => ({ ...currentLogContext() }),
      hooks: { streamWrite: redact },
    },
    destination,
  );
}

/** pino-pretty is a development dependency: without it (the production image) lines stay JSON. */
function prettyStream(options: LoggerOptions): DestinationStream | null {
  const format = options.format ?? 'auto';
  const wanted =
    format === 'pretty' || (format === 'auto' && options.nodeEnv === 'development' && process.stdout.isTTY);
  if (!wanted) return null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
    return pretty({
      sync: true,
      ignore: 'pid,hostname,roles,context',
      messageFormat: '{if context}[{context}] {end}{msg}',
      translateTime: 'SYS:HH:MM:ss.l',
    });
  } catch {
    return null;
  }
}

// Nest's own start-up chatter (every module loaded, every route mapped) is debug, not info.
const NEST_BOOT_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Nest's LoggerService over pino: `new Logger('worker').log(...)` anywhere writes through it. */
export class NestPinoLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    // Nest passes the logger's context last, and for errors a stack before it.
    const rest = [...params];
    const context =
      rest.length && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = typeof rest[0] === 'string' ? rest[0] : undefined;
    const effective = level === 'info' && context && NEST_BOOT_CONTEXTS.has(context) ? 'debug' : level;
    if (message instanceof Error) this.pino[effective]({ context, err: message }, message.message);
    else if (message && typeof message === 'object')
      this.pino[effective]({ context, ...(message as Record<string, unknown>) });
    else this.pino[effective]({ context, ...(stack ? { stack } : {}) }, String(message));
  }
}
