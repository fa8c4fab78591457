import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { TransactionHost } from '@holdfast/database';
import {
  type EnqueueOptions,
  type JobHandler,
  type JobPolicy,
  type JobState,
  type JobView,
  JOBS_OPTIONS,
  type JobsOptions,
  PermanentJobError,
} from './jobs.options';

/** pg-boss's schema in our database (its default, named here because our SQL reads it). */
export const JOBS_SCHEMA = 'pgboss';
/** Failed jobs (the dead-letter list) stay retryable this long before pg-boss archives them. */
const FAILED_KEPT_SECONDS = 14 * 24 * 3600;
/** pg-boss's own queues (its cron and send-it helpers): not ours to list or count. */
const INTERNAL = `name NOT LIKE '\\_\\_pgboss\\_\\_%'`;

interface Registration {
  handler: JobHandler<never>;
  policy: JobPolicy;
}

interface JobRow {
  id: string;
  queue: string;
  state: JobState;
  retry_count: number;
  retry_limit: number;
  data: unknown;
  output: unknown;
  created_on: Date;
  started_on: Date | null;
  completed_on: Date | null;
  start_after: Date;
}

/**
 * The job queue: pg-boss 10 on the app's own PostgreSQL (schema `pgboss`, which pg-boss
 * creates and migrates itself at start, under its own advisory lock: docs/operations.md,
 * "The job queue").
 *
 * - `register()` a job type with its handler and retry policy (in the owning module's
 *   onModuleInit); its queue is created (or its policy updated) when the queue starts.
 * - `enqueue()` inserts the job through the caller's open transaction, so the job
 *   exists if and only if that transaction commits.
 * - Workers fetch with pg-boss's `FOR UPDATE SKIP LOCKED`: any number of replicas share
 *   a queue and each job runs once per attempt.
 * - Shutdown stops fetching and waits for running handlers (beforeApplicationShutdown,
 *   so before the app's pool closes).
 */
@Injectable()
export class JobsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly boss: PgBoss;
  private readonly types = new Map<string, Registration>();
  /** Worker ids per queue, to wake them when a job for them commits here. */
  private readonly workers = new Map<string, string[]>();
  private started: Promise<void> | null = null;
  private running = false;
  private stopping = false;
  /** pg-boss's `db` option: its SQL runs on the caller's open transaction (or on its own outside one). */
  private readonly inTransaction: PgBoss.Db;

  constructor(
    @Inject(JOBS_OPTIONS) private readonly options: JobsOptions,
    private readonly txHost: TransactionHost,
  ) {
    this.boss = new PgBoss({
      connectionString: options.connectionString,
      max: options.poolSize ?? 4,
      application_name: 'holdfast-jobs',
      schema: JOBS_SCHEMA,
      migrate: true,
      schedule: false,
      archiveFailedAfterSeconds: FAILED_KEPT_SECONDS,
    });
    // A worker's fetch failing (the database away for a moment) is reported here; pg-boss retries by itself.
    this.boss.on('error', (error) => this.logger.error({ err: error }, 'job queue error'));
    this.inTransaction = { executeSql: async (text, values) => ({ rows: await this.txHost.rows(text, values) }) };
  }

  async onModuleInit(): Promise<void> {
    const start = () => this.start();
    if (this.options.whenConnected) await this.options.whenConnected('starting the job queue', start);
    else await start();
  }

  /** Starts pg-boss (installing or migrating its schema), then the registered types' queues and workers. */
  private start(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      this.running = true;
      for (const name of this.types.keys()) await this.setUp(name);
    })();
    return this.started;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.started?.catch(() => undefined);
    if (!this.running) return;
    this.running = false;
    // Stops fetching, waits for the handlers in flight (up to the timeout: then they are
    // failed, and retried by another replica), then closes pg-boss's own pool. The app's
    // pool, which handlers use, closes later (onApplicationShutdown).
    await this.boss.stop({ graceful: true, wait: true, timeout: this.options.drainTimeoutMs ?? 30_000 });
  }

  /**
   * Registers a job type: its handler and retry policy. Call it once per type, from the
   * owning module's onModuleInit. A handler that throws fails the attempt: the job runs
   * again after the policy's backoff, and after the last retry stays `failed` for admins
   * (`GET /v1/admin/jobs?state=failed`). Handlers must be idempotent: an attempt cut
   * short (a crash, a timeout) runs again.
   */
  async register<T extends object>(name: string, handler: JobHandler<T>, policy: JobPolicy): Promise<void> {
    if (!/^[\w-]+$/.test(name)) throw new Error(`job type "${name}": letters, digits, _ and - only`);
    if (this.types.has(name)) throw new Error(`job type "${name}" is already registered`);
    this.types.set(name, { handler: handler as JobHandler<never>, policy });
    if (this.running) await this.setUp(name);
  }

  /**
   * Enqueues a job of a registered type, inside the caller's open transaction when
   * there is one (the job is then visible to workers only once it commits, and never
   * if it rolls back); outside a transaction it commits at once. Job data holds ids,
   * never personal data (the admin list shows it). Returns the job id, or null when
   * `singletonKey` dropped it as a duplicate.
   */
  async enqueue<T extends object>(name: string, data: T, options: EnqueueOptions = {}): Promise<string | null> {
    if (!this.types.has(name)) throw new Error(`job type "${name}" is not registered`);
    const key = options.singletonKey;
    if (key === undefined) return this.send(name, data, options);
    // pg-boss 10 honours a singleton key only on its short, singleton and stately queues
    // (ours are standard, where it is stored and ignored). At most one queued job (created
    // or retry; a running one may queue its successor) per type and key is kept here: a
    // transaction-level advisory lock on the pair, held until the caller's transaction
    // ends, so two enqueues can never both find none.
    return this.txHost.run(async () => {
      await this.txHost.rows(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))::text AS locked`, [
        `holdfast.jobs.singleton:${name}`,
        key,
      ]);
      const [queued] = await this.txHost.rows(
        `SELECT id FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND singleton_key = $2 AND state IN ('created', 'retry') LIMIT 1`,
        [name, key],
      );
      return queued ? null : this.send(name, data, options);
    });
  }

  private async send<T extends object>(name: string, data: T, options: EnqueueOptions): Promise<string | null> {
    const id = await this.boss.send(name, data, {
      startAfter: options.startAfterSeconds,
      singletonKey: options.singletonKey,
      db: this.inTransaction,
    });
    if (id === null && options.singletonKey === undefined) {
      // The insert joins pgboss.queue: no row means the queue was never created.
      throw new Error(`job type "${name}" has no queue yet (the job queue has not started)`);
    }
    // Wake this replica's workers once the job is visible (others find it at their next poll).
    if (id !== null && !options.startAfterSeconds) this.txHost.afterCommit(() => this.wake(name));
    return id;
  }

  /** Jobs, newest first, optionally of one state and one queue. */
  async list(filter: { state?: JobState; queue?: string; limit: number; offset: number }): Promise<JobView[]> {
    const rows = await this.txHost.rows<JobRow>(
      `SELECT id, name AS queue, state, retry_count, retry_limit, data, output, created_on, started_on, completed_on, start_after
         FROM ${JOBS_SCHEMA}.job
        WHERE ${INTERNAL} AND ($1::text IS NULL OR state::text = $1) AND ($2::text IS NULL OR name = $2)
        ORDER BY created_on DESC, id
        LIMIT $3 OFFSET $4`,
      [filter.state ?? null, filter.queue ?? null, filter.limit, filter.offset],
    );
    return rows.map(toView);
  }

  /** One job by id, or null. */
  async get(id: string): Promise<JobView | null> {
    const [row] = await this.txHost.rows<JobRow>(
      `SELECT id, name AS queue, state, retry_count, retry_limit, data, output, created_on, started_on, completed_on, start_after
         FROM ${JOBS_SCHEMA}.job WHERE id = $1 AND ${INTERNAL}`,
      [id],
    );
    return row ? toView(row) : null;
  }

  /**
   * Runs a failed job once more (pg-boss gives it one more attempt: state `retry`).
   * Idempotent: a job that is not failed (already retried, running, done) is left as it
   * is. Returns the job as it now stands, or null for an unknown id.
   */
  async retry(id: string): Promise<JobView | null> {
    const job = await this.get(id);
    if (!job) return null;
    if (job.state === 'failed') {
      await this.boss.retry(job.queue, id, { db: this.inTransaction });
      this.txHost.afterCommit(() => this.wake(job.queue));
    }
    return this.get(id);
  }

  /** Job counts by queue and state, for the metrics (one GROUP BY over pg-boss's job table). */
  async countByState(): Promise<{ queue: string; state: JobState; count: number }[]> {
    const rows = await this.txHost.rows<{ queue: string; state: JobState; count: string }>(
      `SELECT name AS queue, state, count(*) AS count FROM ${JOBS_SCHEMA}.job WHERE ${INTERNAL} GROUP BY name, state`,
    );
    return rows.map((r) => ({ queue: r.queue, state: r.state, count: Number(r.count) }));
  }

  /** The registered job types. */
  registeredTypes(): string[] {
    return [...this.types.keys()];
  }

  /**
   * pg-boss's create_queue, one creation at a time across every replica. Creating a
   * queue creates its partition of the job table and attaches it; two replicas (or two
   * modules of one) attaching partitions at once can deadlock each other (seen when
   * three replicas started together). A transaction-level advisory lock serialises the
   * creations; a queue that exists already is left alone without touching the table.
   */
  private async createQueue(name: string, queue: object): Promise<void> {
    await this.txHost.run(async () => {
      await this.txHost.rows(`SELECT pg_advisory_xact_lock(hashtext('holdfast.jobs.create_queue'))::text AS locked`);
      const [exists] = await this.txHost.rows(`SELECT 1 AS found FROM ${JOBS_SCHEMA}.queue WHERE name = $1`, [name]);
      if (!exists)
        await this.txHost.rows(`SELECT ${JOBS_SCHEMA}.create_queue($1, $2::json)::text AS created`, [
          name,
          JSON.stringify(queue),
        ]);
    });
  }

  private async setUp(name: string): Promise<void> {
    const { policy, handler } = this.types.get(name)!;
    const queue = {
      name,
      policy: 'standard' as const,
      retryLimit: policy.retryLimit,
      retryDelay: policy.retryDelaySeconds,
      retryBackoff: policy.retryBackoff ?? true,
      expireInSeconds: policy.expireInSeconds ?? 15 * 60,
    };
    await this.createQueue(name, queue); // a no-op when it exists...
    await this.boss.updateQueue(name, queue); // ...so a changed policy applies to new jobs
    if (this.stopping) return;
    // One worker per type per process, fetching up to `concurrency` jobs at a time (one
    // SKIP LOCKED statement) and running them side by side. Each job is completed or
    // failed here, awaited, so shutdown's drain covers the bookkeeping too (pg-boss's own
    // complete() after the batch is then a no-op: it only touches jobs still active).
    const batchSize = policy.concurrency ?? 1;
    let workerId = '';
    workerId = await this.boss.work<object>(
      name,
      { includeMetadata: true, batchSize, pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 2 },
      async (batch) => {
        await Promise.all(batch.map((job) => this.runOne(name, handler, job)));
        // A full batch means more may be waiting: fetch again now, not after the polling interval.
        if (batch.length === batchSize && this.running) this.boss.notifyWorker(workerId);
      },
    );
    this.workers.set(name, [workerId]);
  }

  private async runOne(name: string, handler: JobHandler<never>, job: PgBoss.JobWithMetadata<object>): Promise<void> {
    let output: unknown;
    try {
      output = await handler(job.data as never, { id: job.id, queue: name, retryCount: job.retryCount });
    } catch (error) {
      const failure = error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };
      // The message only: job data and what a handler saw may hold more than an id.
      const permanent = error instanceof PermanentJobError;
      this.logger.warn(
        `job ${name} ${job.id} failed (attempt ${job.retryCount + 1} of ${job.retryLimit + 1}${permanent ? ', permanently' : ''}): ${failure.message}`,
      );
      // No retries left: pg-boss's fail() moves a job whose retry_count has reached its
      // retry_limit to `failed` instead of `retry`.
      if (permanent) {
        await this.txHost.rows(
          `UPDATE ${JOBS_SCHEMA}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2 AND state = 'active'`,
          [name, job.id],
        );
      }
      await this.boss.fail(name, job.id, failure);
      return;
    }
    const data =
      output !== null && typeof output === 'object' && !Array.isArray(output)
        ? output
        : output === undefined
          ? undefined
          : { value: output };
    await this.boss.complete(name, job.id, data as object | undefined);
  }

  private wake(name: string): void {
    if (!this.running) return;
    for (const id of this.workers.get(name) ?? []) this.boss.notifyWorker(id);
  }
}

function toView(row: JobRow): JobView {
  const data = JSON.stringify(row.data ?? null);
  const failed = row.state === 'failed' || row.state === 'retry';
  return {
    id: row.id,
    queue: row.queue,
    state: row.state,
    retryCount: row.retry_count,
    retryLimit: row.retry_limit,
    dataSummary: data.length > 200 ? `${data.slice(0, 199)}…` : data,
    error: failed ? errorMessage(row.output) : null,
    output: row.state === 'completed' ? (row.output ?? null) : null,
    createdOn: row.created_on,
    startedOn: row.started_on,
    completedOn: row.completed_on,
    startAfter: row.start_after,
  };
}

/** pg-boss stores a thrown error as its serialised properties ({ message, stack, ... }): admins see the message. */
function errorMessage(output: unknown): string | null {
  if (output === null || typeof output !== 'object') return output == null ? null : String(output);
  const o = output as { message?: unknown; value?: unknown };
  if (typeof o.message === 'string') return o.message;
  if (o.value !== undefined) return typeof o.value === 'string' ? o.value : JSON.stringify(o.value);
  return JSON.stringify(output);
}
