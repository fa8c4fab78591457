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
import { Inject, Injectable } from '@nestjs/common';
import { TransactionHost } from '../../libs/database/src/index.js';
import { PAYMENT_GATEWAY } from './payment-gateway.js';
import { toAppError } from './payments.errors.js';
/**
 * One provider customer per user (`payment_customers`), created on first need: when a
 * user saves a card or pays with `savePaymentMethod: true`.
 */
let CustomersService = class CustomersService {
    constructor(txHost, gateway) {
        this.txHost = txHost;
        this.gateway = gateway;
    }
    /** The user's provider customer id, or null when they have none yet. */
    async find(userId) {
        const rows = (await this.txHost.manager.query(`SELECT provider_customer_id FROM payment_customers WHERE user_id = $1`, [
            userId,
        ]));
        return rows[0]?.provider_customer_id ?? null;
    }
    /**
     * The user's provider customer id, creating the customer on first need. Call it
     * outside any transaction: it may call the provider.
     *
     * Race-safe without holding a lock across the provider call: the gateway creates the
     * customer under an idempotency key derived from the user id, so concurrent first
     * requests get the SAME provider customer back; the row is inserted with
     * `ON CONFLICT DO NOTHING` and re-read, so every caller returns the one row that won.
     * (No conflict target: both `user_id` and `provider_customer_id` are unique, and two
     * racing inserts carry the same pair, so either index may be the one that conflicts.) Provider failures become our codes (502 PAYMENT_PROCESSING_FAILED).
     */
    async ensureCustomer(userId, email) {
        const existing = await this.find(userId);
        if (existing)
            return existing;
        let created;
        try {
            created = await this.gateway.createCustomer({ userId, email });
        }
        catch (error) {
            // Another request may have created and stored it while ours failed (e.g. Stripe
            // refusing a concurrent use of the same idempotency key): take that one.
            const stored = await this.find(userId);
            if (stored)
                return stored;
            throw toAppError(error);
        }
        await this.txHost.manager.query(`INSERT INTO payment_customers (user_id, provider, provider_customer_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`, [userId, this.gateway.name, created.id]);
        const stored = await this.find(userId);
        if (!stored)
            throw new Error(`payment customer of user ${userId} vanished after insert`);
        return stored;
    }
};
CustomersService = __decorate([
    Injectable(),
    __param(1, Inject(PAYMENT_GATEWAY)),
    __metadata("design:paramtypes", [TransactionHost, Object])
], CustomersService);
export { CustomersService };
//# sourceMappingURL=customers.service.js.map