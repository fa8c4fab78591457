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
var ReconciliationJob_1;
import { Inject, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TransactionHost, RecurringPass } from '../../libs/database/src/index.js';
import { AppConfig } from '../config/app-config.js';
import { PAYMENT_GATEWAY, PaymentGatewayError } from './payment-gateway.js';
import { OPEN_PAYMENT_STATUSES, PaymentsService } from './payments.service.js';
import { RefundsService } from './refunds.service.js';
const INTERVAL_NAME = 'payment-reconciliation';
/**
 * Every minute (or RECONCILE_AFTER_SECONDS, if shorter): payments that have not moved
 * for RECONCILE_AFTER_SECONDS are re-read from the provider and applied through the
 * webhook's code path; pending refunds are sent again (same idempotency key).
 */
let ReconciliationJob = ReconciliationJob_1 = class ReconciliationJob {
    constructor(txHost, gateway, payments, refunds, scheduler, config) {
        this.txHost = txHost;
        this.gateway = gateway;
        this.payments = payments;
        this.refunds = refunds;
        this.scheduler = scheduler;
        this.config = config;
        this.logger = new Logger(ReconciliationJob_1.name);
        this.recurring = new RecurringPass(this.scheduler, INTERVAL_NAME, this.logger);
    }
    onApplicationBootstrap() {
        const everyMs = Math.min(60, this.config.RECONCILE_AFTER_SECONDS) * 1000;
        this.recurring.start(everyMs, () => this.run());
    }
    /** Before the pool closes (in TypeORM's onApplicationShutdown): no new pass, and the running one finishes. */
    async beforeApplicationShutdown() {
        await this.recurring.stop();
    }
    /** One pass; returns how many payments it looked at. */
    run() {
        return this.reconcile(this.config.RECONCILE_AFTER_SECONDS);
    }
    /**
     * Reconciliation: re-reads attempts that have not moved for `olderThanSeconds` from the
     * provider and applies them through the webhook's code path, so a lost webhook repairs
     * itself. An attempt whose intent cannot be found or re-created is marked `stuck` for
     * admins. Returns how many it looked at.
     */
    async reconcile(olderThanSeconds, limit = 100) {
        const due = (await this.txHost.manager.query(`SELECT id, provider_intent_id FROM payments WHERE status = ANY($1::text[]) AND NOT stuck AND updated_at <= now() - make_interval(secs => $2)
        ORDER BY updated_at LIMIT $3`, [[...OPEN_PAYMENT_STATUSES, 'requires_capture'], olderThanSeconds, limit]));
        for (const row of due) {
            try {
                if (row.provider_intent_id) {
                    const intent = await this.gateway.retrieveIntent(row.provider_intent_id);
                    await this.txHost.run(() => this.payments.applyIntent(intent));
                }
                else {
                    // Crashed between our row and the provider's answer: the same key finds (or makes) the one intent.
                    await this.payments.submitAttempt(row.id, {});
                }
                await this.txHost.manager.query(`UPDATE payments SET updated_at = now() WHERE id = $1`, [row.id]);
            }
            catch (error) {
                const permanent = error instanceof PaymentGatewayError && error.kind === 'invalid_request';
                this.logger.warn({ err: error, paymentId: row.id }, permanent ? 'payment marked stuck' : 'reconciliation will retry');
                if (permanent)
                    await this.txHost.manager.query(`UPDATE payments SET stuck = true, updated_at = now() WHERE id = $1`, [row.id]);
            }
        }
        await this.refunds.flushPending();
        return due.length;
    }
};
ReconciliationJob = ReconciliationJob_1 = __decorate([
    Injectable(),
    __param(1, Inject(PAYMENT_GATEWAY)),
    __metadata("design:paramtypes", [TransactionHost, Object, PaymentsService,
        RefundsService,
        SchedulerRegistry,
        AppConfig])
], ReconciliationJob);
export { ReconciliationJob };
//# sourceMappingURL=reconciliation.job.js.map