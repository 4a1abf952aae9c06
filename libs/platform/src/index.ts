export { PlatformModule } from './platform.module';
export { prepareDatabase } from './prepare-database';
export { seedDatabase, describeSeed, type SeedReport } from './seed-database';
export { allProjections, registerEventTypes, type ProjectionDependencies } from './composition';
export { createRootModule, startRoles, runMain, type Role } from './roles';
export { createHttpApp, type HttpAppOptions } from './http-app';
export { createFeedPipelinePorts, type FeedPipelinePorts } from './feed-pipeline-ports';
