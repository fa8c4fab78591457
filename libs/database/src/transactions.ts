import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/** deadlock_detected, serialization_failure */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;

/** Whether work that failed with `error` on its `attempt`-th try was rolled back whole and may run again. */
function mayRetry(error: unknown, attempt: number): boolean {
  return attempt < MAX_ATTEMPTS && RETRYABLE.has(sqlState(error) ?? '');
}

/** A short, growing, jittered pause before another attempt. */
function backOff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
}

/** The SQLSTATE of a database error (TypeORM wraps the driver's error), if it is one. */
export function sqlState(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

interface TransactionContext {
  manager: EntityManager;
  /** Run once the outermost transaction commits (see `afterCommit`). */
  afterCommit: (() => void)[];
  /** Run once the outermost transaction has finally rolled back (see `afterRollback`). */
  afterRollback: (() => void)[];
}

/**
 * Carries the current transaction through the call chain, so services can run several
 * repositories in one transaction without passing an EntityManager through every call.
 *
 * The rule: code that writes reads `txHost.manager` (never `dataSource.manager` or an
 * injected repository), and the outermost service method that owns the unit of work is
 * `@Transactional()`. Nested `@Transactional()` calls join the open transaction.
 */
@Injectable()
export class TransactionHost implements OnApplicationShutdown {
  private readonly storage = new AsyncLocalStorage<TransactionContext>();
  /** The connections of `statementOnOwnConnection`, by lane; each a pool of one, outside the data source's. */
  private readonly lanes = new Map<string, pg.Pool>();

  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  /** The open transaction's manager, or the data source's own outside a transaction. */
  get manager(): EntityManager {
    return this.storage.getStore()?.manager ?? this.dataSource.manager;
  }

  /** True while a transaction is open in this async context. */
  get inTransaction(): boolean {
    return this.storage.getStore() !== undefined;
  }

  /**
   * Runs `fn` in a transaction: joins the open one if there is one, else begins one
   * that commits when `fn` resolves and rolls back when it throws.
   */
  async run<T>(fn: () => Promise<T>, isolation: IsolationLevel = 'READ COMMITTED'): Promise<T> {
    if (this.inTransaction) return fn();
    // Kept across attempts: what an attempt did outside the database (an IMS reservation)
    // is undone only if the unit of work finally fails; a retry may reuse it.
    const afterRollback: (() => void)[] = [];
    for (let attempt = 1; ; attempt++) {
      const afterCommit: (() => void)[] = [];
      try {
        const work = (manager: EntityManager) => this.storage.run({ manager, afterCommit, afterRollback }, fn);
        // READ COMMITTED is PostgreSQL's default: naming it would cost a SET TRANSACTION round trip.
        const result = await (isolation === 'READ COMMITTED'
          ? this.dataSource.transaction(work)
          : this.dataSource.transaction(isolation, work));
        runAll(afterCommit);
        return result;
      } catch (error) {
        // A deadlock or serialization failure rolled everything back: the whole unit of
        // work can safely run again. Lock ordering makes this rare; this makes it harmless.
        if (!mayRetry(error, attempt)) {
          runAll(afterRollback);
          throw error;
        }
        await backOff(attempt);
      }
    }
  }

  /**
   * Runs `fn` once the open transaction has committed, and never if it rolls back (a
   * retried attempt's callbacks are dropped with it); outside a transaction, at once.
   * For side effects that must not report undone work, such as metrics. `fn` must be
   * synchronous; an error it throws is swallowed, as the work it reports is already done.
   */
  afterCommit(fn: () => void): void {
    const store = this.storage.getStore();
    if (store) store.afterCommit.push(fn);
    else runAll([fn]);
  }

  /**
   * Runs `fn` once the open transaction has rolled back for good (after its last retry),
   * and never if it commits; outside a transaction, never. For compensating what the
   * transaction did outside the database, such as releasing a reservation made at a
   * third party. `fn` must be synchronous (start async work and catch its errors).
   */
  afterRollback(fn: () => void): void {
    this.storage.getStore()?.afterRollback.push(fn);
  }

  /**
   * THE way to run SQL: on the current transaction, or on a pooled connection outside
   * one, and it returns the rows whatever the statement (SELECT, or INSERT / UPDATE /
   * DELETE ... RETURNING; [] without RETURNING). It is sent as a named prepared statement,
   * so PostgreSQL parses and plans each text once per connection instead of on every
   * call. Repositories wrap it; services do not write SQL.
   */
  async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = (await this.transactionClient()) ?? this.pool();
    return (await client.query({ name: statementName(sql), text: sql, values: params })).rows as T[];
  }

  /**
   * Runs ONE statement as its own transaction (PostgreSQL commits a lone statement by
   * itself), as a named prepared statement on a pooled connection: a single round trip,
   * no BEGIN or COMMIT. All its writes, data-modifying CTEs included, commit or roll
   * back together. Refuses to run inside an open transaction, whose atomicity it would
   * silently break.
   */
  async statement<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (this.inTransaction) throw new Error('TransactionHost.statement() runs on its own and cannot join an open transaction');
    return (await this.pool().query({ name: statementName(sql), text: sql, values: params })).rows as T[];
  }

  /**
   * A purge: deletes the rows of `table` matching `where` (SQL over its columns, with
   * `params`), `batch` rows per statement (each its own transaction), until one deletes
   * fewer; returns how many. Each statement locks its rows FOR UPDATE SKIP LOCKED, so
   * replicas purging at once delete each row once and a row another transaction holds is
   * left for the next pass. For repositories, like `rows`.
   */
  async deleteInBatches(table: string, where: string, params: unknown[], batch = 5000): Promise<number> {
    const sql = `DELETE FROM ${table} WHERE ctid IN (
       SELECT ctid FROM ${table} WHERE ${where} LIMIT ${batch} FOR UPDATE SKIP LOCKED)
     RETURNING 1`;
    let total = 0;
    for (;;) {
      const deleted = (await this.statement(sql, params)).length;
      total += deleted;
      if (deleted < batch) return total;
    }
  }

  /**
   * `statement` on a connection of its own, outside the data source's pool: one per
   * `lane`, opened on first use and closed when idle as the pool's are, and at shutdown.
   * For a background pass that should not queue behind the requests for a pooled
   * connection (the hold expiry sweep); each lane in use adds one connection to the
   * process's DB_POOL_SIZE (docs/operations.md, "Why many replicas are safe"). The
   * statement is its own transaction: a deadlock or serialization failure rolled it back
   * whole, and it runs again, as `run` does.
   */
  async statementOnOwnConnection<T>(lane: string, sql: string, params: unknown[] = []): Promise<T[]> {
    if (this.inTransaction) throw new Error('TransactionHost.statementOnOwnConnection() cannot join an open transaction');
    let pool = this.lanes.get(lane);
    if (!pool) {
      const options = (this.pool() as unknown as { options: pg.PoolConfig }).options;
      pool = new pg.Pool({ ...options, max: 1, application_name: `${options.application_name ?? 'holdfast'}:${lane}` });
      // An idle connection the server closed: the next statement opens another.
      pool.on('error', (error) => new Logger(TransactionHost.name).warn(`the ${lane} connection failed: ${error.message}`));
      this.lanes.set(lane, pool);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return (await pool.query({ name: statementName(sql), text: sql, values: params })).rows as T[];
      } catch (error) {
        if (!mayRetry(error, attempt)) throw error;
        await backOff(attempt);
      }
    }
  }

  /** Closes the lanes' connections (after every module's beforeApplicationShutdown: their passes have ended). */
  async onApplicationShutdown(): Promise<void> {
    const lanes = [...this.lanes.values()];
    this.lanes.clear();
    await Promise.all(lanes.map((pool) => pool.end()));
  }

  /** The data source's node-postgres pool. */
  private pool(): PgClient {
    const pool = (this.dataSource.driver as unknown as { master?: PgClient }).master;
    if (!pool) throw new Error('The data source has no connection pool (not initialised?)');
    return pool;
  }

  /** The node-postgres client of the open transaction, or null outside one. */
  private async transactionClient(): Promise<PgClient | null> {
    const runner = this.storage.getStore()?.manager.queryRunner;
    if (!runner) return null;
    return (await runner.connect()) as PgClient;
  }

  /**
   * Runs these reads and returns their results in order: side by side outside a
   * transaction (each on its own pooled connection), one after the other inside one. A
   * transaction has one connection, and node-postgres queues a query sent while another
   * runs on it, a use it deprecates and pg 9 refuses (the webhook's confirmation once read
   * a reservation's items and money that way).
   */
  async all<T extends unknown[]>(reads: [...{ [K in keyof T]: () => Promise<T[K]> }]): Promise<T> {
    if (!this.inTransaction) return (await Promise.all(reads.map((read) => read()))) as T;
    const results: unknown[] = [];
    for (const read of reads) results.push(await read());
    return results as T;
  }

  /** Runs `fn` outside any open transaction (for work that must commit on its own). */
  async outside<T>(fn: () => Promise<T>): Promise<T> {
    return this.storage.exit(fn);
  }
}

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

const statementNames = new Map<string, string>();

/** A stable name per SQL text (node-postgres prepares a name once per connection). */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `hf_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}

function runAll(callbacks: (() => void)[]): void {
  for (const callback of callbacks) {
    try {
      callback();
    } catch {
      // see afterCommit: the transaction has committed whatever a callback reports
    }
  }
}

/**
 * Runs the decorated method in a transaction (see {@link TransactionHost.run}). The class
 * must have the host injected as `txHost`.
 */
export function Transactional(isolation?: IsolationLevel): MethodDecorator {
  return (_target, propertyKey, descriptor: PropertyDescriptor) => {
    const original = descriptor.value as (...args: unknown[]) => Promise<unknown>;
    descriptor.value = function (this: { txHost?: TransactionHost }, ...args: unknown[]) {
      if (!(this.txHost instanceof TransactionHost)) {
        throw new Error(`@Transactional() on ${String(propertyKey)} needs a TransactionHost injected as "txHost"`);
      }
      return this.txHost.run(() => original.apply(this, args), isolation);
    };
    return descriptor;
  };
}
