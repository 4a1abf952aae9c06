export { verifySystem, formatReport } from './system-verifier';
export { checkEventLog } from './event-log.check';
export { checkClassifications } from './classification.check';
export { checkProjections } from './projections.check';
export { checkAlertDeliveries } from './alert-delivery.check';
export { checkFailedJobs } from './failed-jobs.check';
export type { CheckResult, VerifyReport, VerifyDependencies } from './verify.types';
