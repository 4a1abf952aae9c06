export { Metrics, mergeExpositions, type ScrapeCollector } from './metrics';
export { createLogger, NestPinoLogger, type LoggerOptions, type LogFormat } from './logger';
export { withLogContext, currentLogContext, type LogContext } from './log-context';
export { createRedactor, secretsOf, REDACTED } from './redact';
export { observeHttp, serveMetrics, requestIdOf } from './http-observability';
