import { type BeforeApplicationShutdown, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, TypeORMError } from 'typeorm';
import type { IBackoff } from 'cockatiel';
import { equalJitterBackoff, sqlState } from '@holdfast/database';
import { DatabaseConfig } from './database.config';

/** Delays between connection attempts while the database is unreachable: 0.5 s doubling to 5 s, jittered. */
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 5_000;

/** Socket errors and server states that mean "not there (yet)", not "misconfigured". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting up
  '53300', // too_many_connections
]);
/** pg's and pg-pool's own messages for a connection that timed out or was cut. */
const UNREACHABLE_MESSAGE = /timeout exceeded when trying to connect|connection terminated/i;

/** True for an error that says the database cannot be reached right now (it may come back). */
export function isDatabaseUnreachable(error: unknown): boolean {
  const nested = (error as { errors?: unknown[] } | null)?.errors; // net's AggregateError (one per address tried)
  if (Array.isArray(nested) && nested.length > 0) return nested.every(isDatabaseUnreachable);
  const code = sqlState(error);
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return true;
  return error instanceof Error && UNREACHABLE_MESSAGE.test(error.message);
}

/** SQLSTATE class 08, connection exceptions (not 08P01, a protocol violation: a bug). */
const CONNECTION_LOST_CODES = new Set(['08000', '08001', '08003', '08004', '08006']);
/** TypeORM's, ours and pg-pool's words for "there is no pool to ask": before the first connection, or during shutdown. */
const NOT_CONNECTED_MESSAGE = /Driver not Connected|has no connection pool|Cannot use a pool after calling end/i;
/**
 * node-postgres's words for a client whose connection died while it sat idle in a
 * transaction (killed while the transaction waited on a third party, such as the IMS):
 * the kill arrives as an error event, and the transaction's next query gets this.
 */
const CONNECTION_DIED_MESSAGE = /Client has encountered a connection error and is not queryable/;

/**
 * True for an error a request gets because the database cannot serve it right now:
 * unreachable, cut off mid-request, or not connected yet. The exception filter answers
 * these with 503 SERVICE_UNAVAILABLE and `Retry-After` (see UNAVAILABLE_ERRORS).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (isDatabaseUnreachable(error)) return true;
  const code = sqlState(error);
  if (code !== undefined && CONNECTION_LOST_CODES.has(code)) return true;
  return error instanceof Error && (NOT_CONNECTED_MESSAGE.test(error.message) || CONNECTION_DIED_MESSAGE.test(error.message));
}

/** host:port/database of a postgres URL, without its credentials, for logs. */
function describe(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

function reason(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  const nested = (error as { errors?: unknown[] } | null)?.errors;
  if (Array.isArray(nested) && nested[0] instanceof Error) return nested[0].message;
  return String(error);
}

/**
 * Connects the app's data source (and runs the migrations, with MIGRATIONS_RUN) without
 * making start-up depend on the database being there.
 *
 * Start-up makes one attempt and waits for it, so with a reachable database everything is
 * as it always was: migrated and connected before the server listens, and a bad migration
 * or a wrong password still fails start-up. Only when the database is *unreachable*
 * (refused, unresolvable, timed out, still starting) does start-up go on without it: the
 * server listens, `/health/live` answers, `/health/ready` answers 503 and requests that
 * need the database fail with 503 SERVICE_UNAVAILABLE, while this class keeps trying in the background
 * (0.5 s doubling to 5 s) and logs each failure. Once connected it runs the migrations,
 * then the work deferred with {@link whenConnected}, and only then reports ready.
 *
 * After that first connection, the pool replaces broken connections by itself: a
 * database that goes away later makes readiness false until it is back, with no restart.
 */
@Injectable()
export class DatabaseConnector implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Database');
  private isConnected = false;
  private stopped = false;
  private attempts = 0;
  /** The delay before the next attempt; each retry moves it along the curve. */
  private backoff: IBackoff<unknown> | null = null;
  private attempt: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly deferred: { what: string; task: () => Promise<void> }[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: DatabaseConfig,
  ) {}

  /** True once the data source is connected and migrated; until then readiness is false. */
  get connected(): boolean {
    return this.isConnected;
  }

  /**
   * Whether a request failed because the database cannot serve it right now (the
   * exception filter's UNAVAILABLE_ERRORS): an outage error, or, before the first
   * connection, any TypeORM error (it has not even loaded the entities' metadata yet).
   */
  isUnavailable(error: unknown): boolean {
    return isDatabaseUnavailable(error) || (!this.isConnected && error instanceof TypeORMError);
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.connectOnce();
    } catch (error) {
      if (!isDatabaseUnreachable(error)) throw error;
      this.logger.error(
        `database unreachable at ${describe(this.config.url)} (${reason(error)}): starting without it; ` +
          'GET /health/ready answers 503 and requests that need the database fail until it connects; retrying in the background',
      );
      this.schedule();
    }
  }

  /**
   * Runs `task` now if the database is connected (its error then fails start-up, as
   * before), else right after the first connection, before readiness turns true (its
   * error is then logged).
   */
  async whenConnected(what: string, task: () => Promise<void>): Promise<void> {
    if (this.isConnected) return task();
    this.deferred.push({ what, task });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.attempt?.catch(() => undefined);
  }

  /** One attempt; shutdown waits for it (deferred work included) before TypeORM closes the pool. */
  private connectOnce(): Promise<void> {
    this.attempts++;
    const attempt = this.connect().finally(() => {
      if (this.attempt === attempt) this.attempt = null;
    });
    this.attempt = attempt;
    return attempt;
  }

  private async connect(): Promise<void> {
    await this.dataSource.initialize(); // and the migrations, with MIGRATIONS_RUN
    if (this.stopped) return;
    for (const { what, task } of this.deferred.splice(0)) {
      await task().catch((error: unknown) => this.logger.error({ err: error }, `${what} failed after the database connected`));
    }
    this.isConnected = true;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.backoff = this.backoff ? this.backoff.next(undefined) : equalJitterBackoff(RETRY_BASE_MS, RETRY_MAX_MS).next();
    const delay = this.backoff.duration;
    this.timer = setTimeout(() => void this.retry(), delay);
    this.timer.unref();
  }

  private async retry(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    try {
      await this.connectOnce();
      if (this.isConnected) this.logger.log(`database connected after ${this.attempts} attempts; ready`);
    } catch (error) {
      if (this.stopped) return;
      if (isDatabaseUnreachable(error)) {
        this.logger.warn(`database still unreachable (attempt ${this.attempts}): ${reason(error)}`);
      } else {
        this.logger.error({ err: error }, `database connection or migrations failed (attempt ${this.attempts}); retrying`);
      }
      this.schedule();
    }
  }
}
