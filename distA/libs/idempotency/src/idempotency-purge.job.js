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
var IdempotencyPurgeJob_1;
import { Inject, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { RecurringPass, TransactionHost } from '../../database/src/index.js';
import { IDEMPOTENCY_MODULE_OPTIONS } from './idempotency.options.js';
const INTERVAL_NAME = 'idempotency-purge';
const BATCH = 5000;
/** Deletes expired idempotency keys in batches; safe to run on every replica at once. */
let IdempotencyPurgeJob = IdempotencyPurgeJob_1 = class IdempotencyPurgeJob {
    constructor(txHost, scheduler, options) {
        this.txHost = txHost;
        this.scheduler = scheduler;
        this.options = options;
        this.logger = new Logger(IdempotencyPurgeJob_1.name);
        this.recurring = new RecurringPass(this.scheduler, INTERVAL_NAME, this.logger);
    }
    onApplicationBootstrap() {
        this.recurring.start(this.options.purgeIntervalSeconds * 1000, () => this.purgeExpired());
    }
    /** Before the pool closes (in TypeORM's onApplicationShutdown): no new purge, and the running one finishes. */
    async beforeApplicationShutdown() {
        await this.recurring.stop();
    }
    /** Deletes every expired key; returns how many. */
    async purgeExpired(now = new Date()) {
        let total = 0;
        for (;;) {
            const result = (await this.txHost.manager.query(`DELETE FROM idempotency_keys WHERE ctid IN (
           SELECT ctid FROM idempotency_keys WHERE expires_at <= $1 LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)`, [now]));
            const deleted = result[1];
            total += deleted;
            if (deleted < BATCH)
                break;
        }
        if (total > 0)
            this.logger.log(`purged ${total} expired idempotency keys`);
        return total;
    }
};
IdempotencyPurgeJob = IdempotencyPurgeJob_1 = __decorate([
    Injectable(),
    __param(2, Inject(IDEMPOTENCY_MODULE_OPTIONS)),
    __metadata("design:paramtypes", [TransactionHost,
        SchedulerRegistry, Object])
], IdempotencyPurgeJob);
export { IdempotencyPurgeJob };
//# sourceMappingURL=idempotency-purge.job.js.map