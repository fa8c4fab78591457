var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { TransactionHost } from '../../libs/database/src/index.js';
import { MetricsRegistry } from '../metrics/metrics.registry.js';
/**
 * Counters of the hold lifecycle. Each counts when the caller's transaction commits
 * (`TransactionHost.afterCommit`), so work that rolls back (an expiry inside a hold that
 * then fails, a deadlock retry) is never counted, and a retried attempt counts once.
 */
let ReservationMetrics = class ReservationMetrics {
    constructor(registry, txHost) {
        this.txHost = txHost;
        const counter = (name, help) => new Counter({ name, help, registers: [registry] });
        this.createdTotal = counter('holds_created_total', 'Holds created (inventory taken for HOLD_TTL_SECONDS)');
        this.expiredTotal = counter('holds_expired_total', 'Holds (and unpaid reservations) expired after their time ran out, their places released');
        this.convertedTotal = counter('holds_converted_total', 'Holds converted into a payment attempt (held -> pending)');
    }
    holdCreated() {
        this.txHost.afterCommit(() => this.createdTotal.inc());
    }
    holdsExpired(count) {
        if (count > 0)
            this.txHost.afterCommit(() => this.expiredTotal.inc(count));
    }
    holdConverted() {
        this.txHost.afterCommit(() => this.convertedTotal.inc());
    }
};
ReservationMetrics = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [MetricsRegistry,
        TransactionHost])
], ReservationMetrics);
export { ReservationMetrics };
//# sourceMappingURL=reservation-metrics.js.map