var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var HoldExpiryJob_1;
import { Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TransactionHost, RecurringPass } from '../../libs/database/src/index.js';
import { AppConfig } from '../config/app-config.js';
import { PaymentsService } from '../payments/payments.service.js';
import { ReservationsService } from './reservations.service.js';
const INTERVAL_NAME = 'hold-expiry-sweep';
const BATCH = 1000;
/**
 * Expires holds past their time and gives their places back, every
 * HOLD_SWEEP_INTERVAL_SECONDS. Batches are claimed with FOR UPDATE SKIP LOCKED, so any
 * number of replicas (and `npm run holds:expire` from cron) can sweep at once and each
 * hold is expired exactly once.
 */
let HoldExpiryJob = HoldExpiryJob_1 = class HoldExpiryJob {
    constructor(txHost, reservations, scheduler, config, payments) {
        this.txHost = txHost;
        this.reservations = reservations;
        this.scheduler = scheduler;
        this.config = config;
        this.payments = payments;
        this.logger = new Logger(HoldExpiryJob_1.name);
        this.recurring = new RecurringPass(this.scheduler, INTERVAL_NAME, this.logger);
    }
    onApplicationBootstrap() {
        this.recurring.start(this.config.HOLD_SWEEP_INTERVAL_SECONDS * 1000, () => this.sweep());
    }
    /** Before the pool closes (in TypeORM's onApplicationShutdown): no new pass, and the running one finishes. */
    async beforeApplicationShutdown() {
        await this.recurring.stop();
    }
    /** Expires every hold past its time, in batches; returns how many. */
    async sweep() {
        let total = 0;
        for (;;) {
            const expired = await this.txHost.run(async () => {
                const due = (await this.txHost.manager.query(`SELECT id FROM reservations WHERE status = 'held' AND hold_expires_at <= now()
            ORDER BY hold_expires_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`, []));
                return this.reservations.expire(due.map((r) => r.id));
            });
            total += expired;
            if (expired < BATCH)
                break;
        }
        total += await this.sweepPending();
        if (total > 0)
            this.logger.log(`expired ${total} holds`);
        return total;
    }
    /**
     * Reservations whose payment was still in flight when their time ran out: their open
     * intents are cancelled at the provider FIRST (an intent that turns out to have
     * succeeded confirms the reservation instead), and only then are they expired and
     * their places released. A provider that cannot be reached leaves them for the next sweep.
     */
    async sweepPending() {
        const due = (await this.txHost.manager.query(`SELECT id FROM reservations WHERE status IN ('pending', 'payment_failed') AND hold_expires_at <= now()
        ORDER BY hold_expires_at LIMIT ${BATCH}`));
        let expired = 0;
        for (const { id } of due) {
            try {
                await this.payments.cancelOpenIntents(id);
            }
            catch (error) {
                this.logger.warn({ err: error, reservationId: id }, 'could not cancel the payment of an expired reservation; will retry');
                continue;
            }
            expired += await this.txHost.run(async () => {
                const locked = (await this.txHost.manager.query(`SELECT id FROM reservations WHERE id = $1 AND status IN ('pending', 'payment_failed') AND hold_expires_at <= now()
             FOR UPDATE SKIP LOCKED`, [id]));
                if (locked.length === 0)
                    return 0;
                if (await this.payments.hasMoneyMoving(id))
                    return 0; // the payment's own outcome decides
                await this.reservations.releaseAndSetStatus(id, 'expired', 'HOLD_EXPIRED');
                return 1;
            });
        }
        return expired;
    }
};
HoldExpiryJob = HoldExpiryJob_1 = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [TransactionHost,
        ReservationsService,
        SchedulerRegistry,
        AppConfig,
        PaymentsService])
], HoldExpiryJob);
export { HoldExpiryJob };
//# sourceMappingURL=hold-expiry.job.js.map