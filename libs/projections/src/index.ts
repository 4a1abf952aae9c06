export { type Projection, type AnyProjection, type ProjectionContext, generationSchema } from './projection';
export {
  ProjectionEngine,
  type ProjectionEngineOptions,
  type BatchOutcome,
  type RebuildProgress,
} from './projection-engine';
export { LogTail, type LogTailOptions, type TailBatch } from './log-tail';
export { ProjectionRepository, type CheckpointRow } from './projection.repository';
export { projectionLag, type ProjectionLag } from './projection-lag';
export { projectionStatus, type ProjectionStatus, type LogStatus } from './projection-status';
export { eventTypeCountsProjection } from './event-type-counts.projection';
export { kyselyQueryable } from './kysely-queryable';
export { ProjectionsModule, ProjectionRunner, followedProjections } from './projections.module';
