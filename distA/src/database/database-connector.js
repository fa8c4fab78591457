var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { backoffDelay } from '../../libs/resilience/src/index.js';
import { sqlState } from '../../libs/database/src/index.js';
import { AppConfig } from '../config/app-config.js';
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
export function isDatabaseUnreachable(error) {
    const nested = error?.errors; // net's AggregateError (one per address tried)
    if (Array.isArray(nested) && nested.length > 0)
        return nested.every(isDatabaseUnreachable);
    const code = sqlState(error);
    if (code !== undefined && UNREACHABLE_CODES.has(code))
        return true;
    return error instanceof Error && UNREACHABLE_MESSAGE.test(error.message);
}
/** host:port/database of a postgres URL, without its credentials, for logs. */
function describe(url) {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}
function reason(error) {
    if (error instanceof Error && error.message)
        return error.message;
    const nested = error?.errors;
    if (Array.isArray(nested) && nested[0] instanceof Error)
        return nested[0].message;
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
 * need the database fail with 500, while this class keeps trying in the background
 * (0.5 s doubling to 5 s) and logs each failure. Once connected it runs the migrations,
 * then the work deferred with {@link whenConnected}, and only then reports ready.
 *
 * After that first connection, the pool replaces broken connections by itself: a
 * database that goes away later makes readiness false until it is back, with no restart.
 */
let DatabaseConnector = class DatabaseConnector {
    constructor(dataSource, config) {
        this.dataSource = dataSource;
        this.config = config;
        this.logger = new Logger('Database');
        this.isConnected = false;
        this.stopped = false;
        this.attempts = 0;
        this.attempt = null;
        this.timer = null;
        this.deferred = [];
    }
    /** True once the data source is connected and migrated; until then readiness is false. */
    get connected() {
        return this.isConnected;
    }
    async onModuleInit() {
        try {
            await this.connectOnce();
        }
        catch (error) {
            if (!isDatabaseUnreachable(error))
                throw error;
            this.logger.error(`database unreachable at ${describe(this.config.databaseUrl)} (${reason(error)}): starting without it; ` +
                'GET /health/ready answers 503 and requests that need the database fail until it connects; retrying in the background');
            this.schedule();
        }
    }
    /**
     * Runs `task` now if the database is connected (its error then fails start-up, as
     * before), else right after the first connection, before readiness turns true (its
     * error is then logged).
     */
    async whenConnected(what, task) {
        if (this.isConnected)
            return task();
        this.deferred.push({ what, task });
    }
    async beforeApplicationShutdown() {
        this.stopped = true;
        if (this.timer)
            clearTimeout(this.timer);
        await this.attempt?.catch(() => undefined);
    }
    /** One attempt; shutdown waits for it (deferred work included) before TypeORM closes the pool. */
    connectOnce() {
        this.attempts++;
        const attempt = this.connect().finally(() => {
            if (this.attempt === attempt)
                this.attempt = null;
        });
        this.attempt = attempt;
        return attempt;
    }
    async connect() {
        await this.dataSource.initialize(); // and the migrations, with MIGRATIONS_RUN
        if (this.stopped)
            return;
        for (const { what, task } of this.deferred.splice(0)) {
            await task().catch((error) => this.logger.error({ err: error }, `${what} failed after the database connected`));
        }
        this.isConnected = true;
    }
    schedule() {
        if (this.stopped)
            return;
        const delay = backoffDelay(this.attempts, RETRY_BASE_MS, RETRY_MAX_MS);
        this.timer = setTimeout(() => void this.retry(), delay);
        this.timer.unref();
    }
    async retry() {
        this.timer = null;
        if (this.stopped)
            return;
        try {
            await this.connectOnce();
            if (this.isConnected)
                this.logger.log(`database connected after ${this.attempts} attempts; ready`);
        }
        catch (error) {
            if (this.stopped)
                return;
            if (isDatabaseUnreachable(error)) {
                this.logger.warn(`database still unreachable (attempt ${this.attempts}): ${reason(error)}`);
            }
            else {
                this.logger.error({ err: error }, `database connection or migrations failed (attempt ${this.attempts}); retrying`);
            }
            this.schedule();
        }
    }
};
DatabaseConnector = __decorate([
    Injectable(),
    __param(0, InjectDataSource()),
    __metadata("design:paramtypes", [Function, AppConfig])
], DatabaseConnector);
export { DatabaseConnector };
//# sourceMappingURL=database-connector.js.map