export { JobsModule, type JobsModuleAsyncOptions } from './jobs.module';
export { JobsService, JOBS_SCHEMA } from './jobs.service';
export {
  JOBS_OPTIONS,
  JOB_STATES,
  PermanentJobError,
  type EnqueueOptions,
  type JobContext,
  type JobHandler,
  type JobPolicy,
  type JobState,
  type JobView,
  type JobsOptions,
} from './jobs.options';
