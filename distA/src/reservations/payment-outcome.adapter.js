var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TransactionHost } from '../../libs/database/src/index.js';
import { AppError } from '../../libs/errors/src/index.js';
import { InventoryService } from '../inventory/inventory.service.js';
import { PaymentOutcomes } from '../payments/payment-outcome.port.js';
const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** A 12-character booking reference, unambiguous when read aloud (no 0/O, 1/I). */
export function newReference() {
    return Array.from({ length: 12 }, () => REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)]).join('');
}
/**
 * Reservations' side of the payment outcome port: what a payment's success, failure or
 * refund means for the booking. Runs in the transaction of whoever applied the payment
 * (webhook, confirm call, sweep, reconciliation); every method is idempotent.
 */
let ReservationPaymentOutcomes = class ReservationPaymentOutcomes {
    constructor(txHost, inventory, outcomes) {
        this.txHost = txHost;
        this.inventory = inventory;
        this.outcomes = outcomes;
    }
    onModuleInit() {
        this.outcomes.register(this);
    }
    /**
     * Confirms the reservation: commits its held allocations and gives it a reference. A
     * reservation whose hold expired (its places released) takes its places again if they
     * are still free; if not, the money must go back.
     */
    async paymentSucceeded(reservationId) {
        const status = await this.lockStatus(reservationId);
        if (status === null)
            return { result: 'refund', reason: 'RESERVATION_NOT_FOUND' };
        if (status === 'confirmed' || status === 'completed')
            return { result: 'confirmed' };
        if (status === 'held' || status === 'pending' || status === 'payment_failed') {
            await this.inventory.commit(reservationId);
            await this.confirm(reservationId, null);
            return { result: 'confirmed' };
        }
        if (status === 'expired' && (await this.retake(reservationId))) {
            await this.inventory.commit(reservationId);
            await this.confirm(reservationId, 'CONFIRMED_AFTER_HOLD_EXPIRED');
            return { result: 'confirmed' };
        }
        return { result: 'refund', reason: status === 'expired' ? 'HOLD_EXPIRED' : `RESERVATION_${status.toUpperCase()}` };
    }
    async paymentFailed(reservationId) {
        await this.txHost.manager.query(`UPDATE reservations SET status = 'payment_failed', status_reason = 'PAYMENT_DECLINED', updated_at = now()
        WHERE id = $1 AND status = 'pending'`, [reservationId]);
    }
    async paymentRequiresAction() {
        // The reservation stays pending while the user authenticates.
    }
    /** All the money went back: the booking is void, and any places it still had are released. */
    async paymentRefunded(reservationId, _paymentId, reason) {
        const status = await this.lockStatus(reservationId);
        // A cancelled booking keeps its status (the refund is its consequence, not news).
        if (status === null || status === 'refunded' || status === 'cancelled')
            return;
        await this.inventory.release([reservationId]);
        await this.txHost.manager.query(`UPDATE reservations SET status = 'refunded', status_reason = $2, updated_at = now() WHERE id = $1`, [reservationId, reason]);
    }
    async lockStatus(reservationId) {
        const rows = (await this.txHost.manager.query(`SELECT status FROM reservations WHERE id = $1 FOR UPDATE`, [
            reservationId,
        ]));
        return rows[0]?.status ?? null;
    }
    async confirm(reservationId, reason) {
        for (let attempt = 0;; attempt++) {
            try {
                await this.txHost.manager.query('SAVEPOINT reference');
                await this.txHost.manager.query(`UPDATE reservations SET status = 'confirmed', reference = $2, status_reason = $3, updated_at = now() WHERE id = $1`, [reservationId, newReference(), reason]);
                await this.txHost.manager.query('RELEASE SAVEPOINT reference');
                return;
            }
            catch (error) {
                // 32^12 references: a collision is a curiosity, but never a failed confirmation.
                await this.txHost.manager.query('ROLLBACK TO SAVEPOINT reference');
                if (attempt >= 3)
                    throw error;
            }
        }
    }
    /** Tries to allocate an expired reservation's items again, all or nothing (a savepoint undoes a partial cart). */
    async retake(reservationId) {
        const items = (await this.txHost.manager.query(`SELECT i.id, i.kind, i.offering_id, i.time_slot_id, i.sku, i.start_date::text, i.end_date::text, i.quantity
         FROM reservation_items i WHERE i.reservation_id = $1`, [reservationId]));
        const requests = [];
        for (const item of items) {
            if (item.time_slot_id) {
                requests.push({ kind: 'slot', itemId: item.id, slotId: item.time_slot_id, quantity: item.quantity });
            }
            else if (item.sku) {
                const stock = await this.inventory.getStockBySku(item.sku);
                if (!stock)
                    return false;
                requests.push({ kind: 'sku', itemId: item.id, stockItemId: stock.id, quantity: item.quantity });
            }
            else if (item.start_date && item.end_date) {
                requests.push({
                    kind: 'unit',
                    itemId: item.id,
                    offeringId: item.offering_id,
                    start: new Date(`${item.start_date}T00:00:00Z`),
                    end: new Date(`${item.end_date}T00:00:00Z`),
                });
            }
        }
        await this.txHost.manager.query('SAVEPOINT retake');
        try {
            await this.inventory.allocate(reservationId, requests);
            await this.txHost.manager.query('RELEASE SAVEPOINT retake');
            return true;
        }
        catch (error) {
            await this.txHost.manager.query('ROLLBACK TO SAVEPOINT retake');
            if (error instanceof AppError)
                return false;
            throw error;
        }
    }
};
ReservationPaymentOutcomes = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [TransactionHost,
        InventoryService,
        PaymentOutcomes])
], ReservationPaymentOutcomes);
export { ReservationPaymentOutcomes };
//# sourceMappingURL=payment-outcome.adapter.js.map