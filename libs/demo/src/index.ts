export { DEMO_DIR, readDemoFeeds, demoSources, demoFeedId, type DemoFeed } from './demo-feeds';
export { DemoFeedServer, demoFeedsUrl, DEMO_FEEDS_HOST } from './demo-feed-server';
export { seedDemo, DEMO_SUBSCRIPTION_ID, type DemoSeedResult } from './seed-demo';
export { DemoModule } from './demo.module';
