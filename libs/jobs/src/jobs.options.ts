/** How the app wires the job queue (see JobsModule.forRootAsync). */
export interface JobsOptions {
  /** The PostgreSQL URL: the app's own database (pg-boss keeps its tables in the `pgboss` schema). */
  connectionString: string;
  /** pg-boss's own small pool, for fetching, completing and maintenance. Handlers use the app's. */
  poolSize?: number;
  /** How long shutdown waits for running handlers before failing them (they are then retried). */
  drainTimeoutMs?: number;
  /** How often an idle worker looks for work (seconds, at least 0.5). A commit on this replica wakes its workers at once. */
  pollingIntervalSeconds?: number;
  /**
   * Defers starting the queue until the app's database is connected (the app's
   * DatabaseConnector.whenConnected); without it the queue starts at module init.
   */
  whenConnected?: (what: string, task: () => Promise<void>) => Promise<void>;
}

export const JOBS_OPTIONS = Symbol('JOBS_OPTIONS');

/** A job type's retry policy. After the last retry the job stays in state `failed`: the dead-letter list. */
export interface JobPolicy {
  /** Retries after the first attempt (so retryLimit + 1 attempts in all). */
  retryLimit: number;
  /** The first retry's delay in seconds; with backoff each retry doubles it (jittered up to 2x). */
  retryDelaySeconds: number;
  /** Exponential backoff (default true). */
  retryBackoff?: boolean;
  /** A handler running longer is failed (and retried). Default 15 minutes. */
  expireInSeconds?: number;
  /** Workers in this process for the type (default 1; each takes one job at a time). */
  concurrency?: number;
}

/** What a handler knows about the job it runs. */
export interface JobContext {
  id: string;
  queue: string;
  /** 0 on the first attempt. */
  retryCount: number;
}

export type JobHandler<T extends object = object> = (data: T, job: JobContext) => Promise<unknown>;

export interface EnqueueOptions {
  /** Run no earlier than this many seconds from now. */
  startAfterSeconds?: number;
  /** At most one queued job per key for the type: a second enqueue with it is dropped (returns null). */
  singletonKey?: string;
}

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
export const JOB_STATES: readonly JobState[] = ['created', 'retry', 'active', 'completed', 'cancelled', 'failed'];

/** A job as admins see it. */
export interface JobView {
  id: string;
  queue: string;
  state: JobState;
  retryCount: number;
  retryLimit: number;
  /** The job's data as JSON, cut at 200 characters (job data carries ids, never personal data). */
  dataSummary: string;
  /** The last failure's message (failed, or waiting to retry). */
  error: string | null;
  /** What the handler returned (completed jobs). */
  output: unknown;
  createdOn: Date;
  startedOn: Date | null;
  completedOn: Date | null;
  /** When the job may next run (a retry's backoff shows here). */
  startAfter: Date;
}

/**
 * Thrown by a handler when retrying cannot help (a permanent refusal, e.g. an SMTP 550):
 * the job fails at once, whatever retries its policy has left, and stays on the
 * dead-letter list (`failed`) for an admin to look at and, once the cause is fixed, retry.
 */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}
