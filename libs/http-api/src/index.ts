export { HttpApiModule } from './http-api.module';
export { ProblemError, ProblemFilter } from './problem';
export { clientErrorsAsProblems, frameworkErrorsAsProblems, refuseMalformedInput } from './http-hardening';
export { parseItemsQuery, encodeCursor, decodeCursor, type ItemsQuery } from './items.query';
export { ApiKeys, type Scope } from './api-keys';
export { setupOpenApi, openApiDocument, OPENAPI_PATH, DOCS_PATH } from './openapi/openapi-document';
export { setupQueueBoard, QUEUE_BOARD_PATH } from './queue-board';
export { setupRateLimitRefund } from './rate-limit/rate-limit-refund.hook';
export { setupRevalidationFastPath } from './revalidation-fast-path';
