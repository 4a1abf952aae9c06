export {
  createTestDatabase,
  ensureTemplateDatabase,
  dropDatabase,
  testDatabaseUrl,
  TEST_SERVER_URL,
  type TestDatabase,
} from './test-database';
export { testEventRegistry, TestEventSchemas } from './test-events';
export { appliedEventsProjection, type AppliedEventsTables } from './applied-events.projection';
export { testQueuePrefix, TEST_REDIS_URL } from './test-redis';
export { feedSpec } from './test-feeds';
export { SmtpSink, rawHeader, rawHead, type ReceivedMail } from './smtp-sink';
export { pollUntil } from './poll-until';
