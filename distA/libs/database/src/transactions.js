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
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
/** deadlock_detected, serialization_failure */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;
/** The SQLSTATE of a database error (TypeORM wraps the driver's error), if it is one. */
export function sqlState(error) {
    const e = error;
    const code = e?.driverError?.code ?? e?.code;
    return typeof code === 'string' ? code : undefined;
}
/**
 * Carries the current transaction through the call chain, so services can run several
 * repositories in one transaction without passing an EntityManager through every call.
 *
 * The rule: code that writes reads `txHost.manager` (never `dataSource.manager` or an
 * injected repository), and the outermost service method that owns the unit of work is
 * `@Transactional()`. Nested `@Transactional()` calls join the open transaction.
 */
let TransactionHost = class TransactionHost {
    constructor(dataSource) {
        this.dataSource = dataSource;
        this.storage = new AsyncLocalStorage();
    }
    /** The open transaction's manager, or the data source's own outside a transaction. */
    get manager() {
        return this.storage.getStore()?.manager ?? this.dataSource.manager;
    }
    /** True while a transaction is open in this async context. */
    get inTransaction() {
        return this.storage.getStore() !== undefined;
    }
    /**
     * Runs `fn` in a transaction: joins the open one if there is one, else begins one
     * that commits when `fn` resolves and rolls back when it throws.
     */
    async run(fn, isolation = 'READ COMMITTED') {
        if (this.inTransaction)
            return fn();
        for (let attempt = 1;; attempt++) {
            const afterCommit = [];
            try {
                const work = (manager) => this.storage.run({ manager, afterCommit }, fn);
                // READ COMMITTED is PostgreSQL's default: naming it would cost a SET TRANSACTION round trip.
                const result = await (isolation === 'READ COMMITTED'
                    ? this.dataSource.transaction(work)
                    : this.dataSource.transaction(isolation, work));
                runAll(afterCommit);
                return result;
            }
            catch (error) {
                // A deadlock or serialization failure rolled everything back: the whole unit of
                // work can safely run again. Lock ordering makes this rare; this makes it harmless.
                if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has(sqlState(error) ?? ''))
                    throw error;
                await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
            }
        }
    }
    /**
     * Runs `fn` once the open transaction has committed, and never if it rolls back (a
     * retried attempt's callbacks are dropped with it); outside a transaction, at once.
     * For side effects that must not report undone work, such as metrics. `fn` must be
     * synchronous; an error it throws is swallowed, as the work it reports is already done.
     */
    afterCommit(fn) {
        const store = this.storage.getStore();
        if (store)
            store.afterCommit.push(fn);
        else
            runAll([fn]);
    }
    /**
     * Runs SQL on the current transaction (or the pool) and returns its rows. Inside a
     * transaction the statement is sent as a named prepared statement on the transaction's
     * connection, so PostgreSQL parses and plans it once per connection instead of on every
     * call (the hold path's statements all come through here).
     */
    async rows(sql, params = []) {
        const client = await this.transactionClient();
        if (client)
            return (await client.query({ name: statementName(sql), text: sql, values: params })).rows;
        return (await this.manager.query(sql, params));
    }
    /**
     * Like `rows`, for UPDATE/DELETE ... RETURNING, which TypeORM's Postgres driver answers
     * with `[rows, rowCount]` instead of the rows.
     */
    async returning(sql, params = []) {
        const client = await this.transactionClient();
        if (client)
            return (await client.query({ name: statementName(sql), text: sql, values: params })).rows;
        const result = (await this.manager.query(sql, params));
        return Array.isArray(result[0]) ? result[0] : result;
    }
    /**
     * Runs ONE statement as its own transaction (PostgreSQL commits a lone statement by
     * itself), as a named prepared statement on a pooled connection: a single round trip,
     * no BEGIN or COMMIT. All its writes, data-modifying CTEs included, commit or roll
     * back together. Refuses to run inside an open transaction, whose atomicity it would
     * silently break.
     */
    async statement(sql, params = []) {
        if (this.inTransaction)
            throw new Error('TransactionHost.statement() runs on its own and cannot join an open transaction');
        const pool = this.dataSource.driver.master;
        if (!pool)
            throw new Error('The data source has no connection pool (not initialised?)');
        return (await pool.query({ name: statementName(sql), text: sql, values: params })).rows;
    }
    /** The node-postgres client of the open transaction, or null outside one. */
    async transactionClient() {
        const runner = this.storage.getStore()?.manager.queryRunner;
        if (!runner)
            return null;
        return (await runner.connect());
    }
    /** Runs `fn` outside any open transaction (for work that must commit on its own). */
    async outside(fn) {
        return this.storage.exit(fn);
    }
};
TransactionHost = __decorate([
    Injectable(),
    __param(0, InjectDataSource()),
    __metadata("design:paramtypes", [Function])
], TransactionHost);
export { TransactionHost };
const statementNames = new Map();
/** A stable name per SQL text (node-postgres prepares a name once per connection). */
function statementName(sql) {
    let name = statementNames.get(sql);
    if (!name) {
        name = `hf_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
        statementNames.set(sql, name);
    }
    return name;
}
function runAll(callbacks) {
    for (const callback of callbacks) {
        try {
            callback();
        }
        catch {
            // see afterCommit: the transaction has committed whatever a callback reports
        }
    }
}
/**
 * Runs the decorated method in a transaction (see {@link TransactionHost.run}). The class
 * must have the host injected as `txHost`.
 */
export function Transactional(isolation) {
    return (_target, propertyKey, descriptor) => {
        const original = descriptor.value;
        descriptor.value = function (...args) {
            if (!(this.txHost instanceof TransactionHost)) {
                throw new Error(`@Transactional() on ${String(propertyKey)} needs a TransactionHost injected as "txHost"`);
            }
            return this.txHost.run(() => original.apply(this, args), isolation);
        };
        return descriptor;
    };
}
//# sourceMappingURL=transactions.js.map