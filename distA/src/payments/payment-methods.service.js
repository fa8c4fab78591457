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
var PaymentMethodsService_1;
import { Inject, Injectable, Logger } from '@nestjs/common';
import { TransactionHost } from '../../libs/database/src/index.js';
import { AppError } from '../../libs/errors/src/index.js';
import { CustomersService } from './customers.service.js';
import { PAYMENT_GATEWAY, PaymentGatewayError } from './payment-gateway.js';
import { toAppError } from './payments.errors.js';
const BRANDS = {
    visa: 'Visa',
    mastercard: 'Mastercard',
    amex: 'American Express',
    discover: 'Discover',
    diners: 'Diners Club',
    jcb: 'JCB',
    unionpay: 'UnionPay',
    cartes_bancaires: 'Cartes Bancaires',
    eftpos_au: 'eftpos Australia',
    interac: 'Interac',
    unknown: 'Unknown',
};
/** Stripe's brand code (`visa`) as the app shows it (`Visa`, seed 004). */
export function displayBrand(brand) {
    const known = BRANDS[brand.toLowerCase()];
    if (known)
        return known;
    if (brand !== brand.toLowerCase())
        return brand; // already a display name
    return brand
        .split(/[_\s]+/)
        .filter(Boolean)
        .map((word) => word[0].toUpperCase() + word.slice(1))
        .join(' ');
}
const toDto = (r) => ({
    id: r.id,
    type: r.type,
    last4: r.last4,
    brand: displayBrand(r.brand),
    expMonth: String(r.exp_month).padStart(2, '0'),
    expYear: String(r.exp_year),
    isDefault: r.is_default,
    nickname: r.nickname,
    createdAt: new Date(r.created_at).toISOString(),
});
const isUuid = (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
const notFound = () => new AppError('PAYMENT_METHOD_NOT_FOUND', 'Payment method not found');
/**
 * Saved cards (seed 004): the card lives at the provider, attached to the user's
 * provider customer; we keep our own uuid and what the app displays. A user sees and
 * changes only their own cards: any other id, including a malformed one, is 404
 * PAYMENT_METHOD_NOT_FOUND.
 *
 * Provider calls run outside our transactions; every change to a user's cards runs
 * under a lock on that user's `payment_customers` row, so "exactly one default while
 * any card is left" holds under concurrency (the partial unique index
 * `uq_saved_payment_methods_default` backs it up).
 */
let PaymentMethodsService = PaymentMethodsService_1 = class PaymentMethodsService {
    constructor(txHost, gateway, customers) {
        this.txHost = txHost;
        this.gateway = gateway;
        this.customers = customers;
        this.logger = new Logger(PaymentMethodsService_1.name);
    }
    /** The user's cards, the default first, then newest first. */
    async list(user) {
        const rows = (await this.txHost.manager.query(`SELECT * FROM saved_payment_methods WHERE user_id = $1 ORDER BY is_default DESC, created_at DESC, id DESC`, [user.sub]));
        return rows.map(toDto);
    }
    /**
     * Saves a card the app created with Stripe.js: attaches it to the user's provider
     * customer (created on first need) and stores what the app displays. The user's first
     * card becomes the default (at the provider too). Adding the same provider
     * PaymentMethod again returns the card already saved, unchanged. (Stripe's test ids
     * such as `pm_card_visa` make a NEW PaymentMethod on every attach, so each add of one
     * saves another card.)
     *
     * Errors: a PaymentMethod the provider refuses (unknown, spent, or attached to someone
     * else) is 400 VALIDATION_FAILED on `paymentMethodId`; a card declined on attach is
     * 400 PAYMENT_CARD_DECLINED; the provider unreachable is 502 PAYMENT_PROCESSING_FAILED.
     * Call outside any transaction.
     */
    async add(user, input) {
        const existing = await this.findByProviderId(user.sub, input.paymentMethodId);
        if (existing)
            return toDto(existing);
        const customerId = await this.customers.ensureCustomer(user.sub, user.email);
        const card = await this.attach(input.paymentMethodId, customerId);
        return toDto(await this.store(user.sub, customerId, card, input.nickname?.trim() || null));
    }
    /**
     * Removes a card: detaches it at the provider, then deletes our row and, if it was the
     * default, makes the most recently added remaining card the default (or none is left),
     * in ONE transaction. A card already detached at the provider (say, a retry after a
     * crash between the two steps) is simply deleted here.
     */
    async remove(user, id) {
        const row = await this.findOwned(user.sub, id);
        await this.detach(row.provider_payment_method_id);
        const promoted = await this.txHost.run(async () => {
            await this.lockOwner(user.sub);
            const [deleted] = (await this.txHost.manager.query(`DELETE FROM saved_payment_methods WHERE id = $1 AND user_id = $2 RETURNING is_default`, [id, user.sub]));
            // Already gone: a concurrent remove of the same card won; the outcome is the same.
            if (!deleted[0]?.is_default)
                return null;
            const [next] = (await this.txHost.manager.query(`UPDATE saved_payment_methods SET is_default = true
          WHERE id = (SELECT id FROM saved_payment_methods WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1)
          RETURNING provider_payment_method_id`, [user.sub]));
            return next[0]?.provider_payment_method_id ?? null;
        });
        // Detaching the default already cleared it at the provider; tell it the new one.
        if (promoted)
            await this.syncProviderDefault(user.sub, promoted);
    }
    /**
     * Makes one of the user's cards the default. The provider is told first, so when it is
     * unreachable (502) nothing has changed; our row is the one our payments use.
     */
    async setDefault(user, id) {
        const row = await this.findOwned(user.sub, id);
        if (row.is_default)
            return;
        const customerId = await this.customers.find(user.sub);
        if (customerId) {
            try {
                await this.gateway.setDefaultPaymentMethod(customerId, row.provider_payment_method_id);
            }
            catch (error) {
                // Refused (e.g. detached in the provider's dashboard): our default still decides
                // which card we charge, so go on; only an unreachable provider fails the request.
                if (!(error instanceof PaymentGatewayError && error.kind === 'invalid_request'))
                    throw toAppError(error);
                this.logger.warn({ userId: user.sub, methodId: id, err: error.message }, 'provider refused the default payment method');
            }
        }
        await this.txHost.run(async () => {
            await this.lockOwner(user.sub);
            // Clear first, then set: the partial unique index is checked row by row.
            await this.txHost.manager.query(`UPDATE saved_payment_methods SET is_default = false WHERE user_id = $1 AND is_default AND id <> $2`, [user.sub, id]);
            const [updated] = (await this.txHost.manager.query(`UPDATE saved_payment_methods SET is_default = true WHERE id = $1 AND user_id = $2 RETURNING id`, [id, user.sub]));
            if (updated.length === 0)
                throw notFound(); // removed meanwhile: roll the clearing back
        });
    }
    /**
     * For convert with a saved card: the provider ids to charge it with. Throws 404
     * PAYMENT_METHOD_NOT_FOUND when `ourMethodId` is not one of the user's cards
     * (malformed ids included).
     */
    async resolveForPayment(userId, ourMethodId) {
        if (!isUuid(ourMethodId))
            throw notFound();
        const rows = (await this.txHost.manager.query(`SELECT m.provider_payment_method_id, c.provider_customer_id
         FROM saved_payment_methods m JOIN payment_customers c ON c.user_id = m.user_id
        WHERE m.id = $1 AND m.user_id = $2`, [ourMethodId, userId]));
        if (!rows[0])
            throw notFound();
        return { customerId: rows[0].provider_customer_id, providerPaymentMethodId: rows[0].provider_payment_method_id };
    }
    /**
     * Keeps the card of a successful payment made with `savePaymentMethod: true`. The
     * intent must have been created with the user's customer (`ensureCustomer`) and
     * `setupFutureUsage`, so the provider has already attached the card; attaching again
     * to the same customer just returns it with its details. Idempotent (a card already
     * saved is returned as is); the first card becomes the default. Throws AppError like
     * `add`: the payment has succeeded regardless, so callers log and carry on. Call
     * outside any transaction.
     */
    async saveFromPayment(userId, providerPaymentMethodId) {
        const existing = await this.findByProviderId(userId, providerPaymentMethodId);
        if (existing)
            return toDto(existing);
        const customerId = await this.customers.ensureCustomer(userId);
        const card = await this.attach(providerPaymentMethodId, customerId);
        return toDto(await this.store(userId, customerId, card, null));
    }
    /** The user's card with our id, or 404 (also for a malformed id or another user's card). */
    async findOwned(userId, id) {
        if (!isUuid(id))
            throw notFound();
        const rows = (await this.txHost.manager.query(`SELECT * FROM saved_payment_methods WHERE id = $1 AND user_id = $2`, [
            id,
            userId,
        ]));
        if (!rows[0])
            throw notFound();
        return rows[0];
    }
    async findByProviderId(userId, providerPaymentMethodId) {
        const rows = (await this.txHost.manager.query(`SELECT * FROM saved_payment_methods WHERE user_id = $1 AND provider_payment_method_id = $2`, [userId, providerPaymentMethodId]));
        return rows[0] ?? null;
    }
    /**
     * Serialises changes to one user's cards. Every user with a card has a customer row
     * (created before the first attach), so this lock always exists when it matters.
     */
    async lockOwner(userId) {
        await this.txHost.manager.query(`SELECT 1 FROM payment_customers WHERE user_id = $1 FOR UPDATE`, [userId]);
    }
    /** Inserts the attached card (the default when the user has none), or returns the one saved concurrently. */
    async store(userId, customerId, card, nickname) {
        const row = await this.txHost.run(async () => {
            await this.lockOwner(userId);
            const inserted = (await this.txHost.manager.query(`INSERT INTO saved_payment_methods (user_id, provider_payment_method_id, type, brand, last4, exp_month, exp_year, nickname, is_default)
         VALUES ($1, $2, 'card', $3, $4, $5, $6, $7,
                 NOT EXISTS (SELECT 1 FROM saved_payment_methods WHERE user_id = $1 AND is_default))
         ON CONFLICT (user_id, provider_payment_method_id) DO NOTHING
         RETURNING *`, [userId, card.id, card.brand, card.last4, card.expMonth, card.expYear, nickname]));
            if (inserted[0])
                return { row: inserted[0], created: true };
            const saved = await this.findByProviderId(userId, card.id);
            if (!saved)
                throw new Error(`saved payment method ${card.id} vanished after a conflicting insert`);
            return { row: saved, created: false };
        });
        if (row.created && row.row.is_default)
            await this.syncProviderDefault(userId, card.id, customerId);
        return row.row;
    }
    /** Attaches at the provider, mapping its refusals to our codes. */
    async attach(providerPaymentMethodId, customerId) {
        try {
            return await this.gateway.attachPaymentMethod(providerPaymentMethodId, customerId);
        }
        catch (error) {
            if (error instanceof PaymentGatewayError && error.kind === 'invalid_request') {
                // Never echo the provider's message: it can name another customer.
                throw new AppError('VALIDATION_FAILED', 'The request is not valid', [
                    {
                        field: 'paymentMethodId',
                        message: 'the payment provider does not know this payment method, or it cannot be saved (already used or saved elsewhere)',
                    },
                ]);
            }
            throw toAppError(error);
        }
    }
    /** Detaches at the provider; one it no longer has attached counts as done. */
    async detach(providerPaymentMethodId) {
        try {
            await this.gateway.detachPaymentMethod(providerPaymentMethodId);
        }
        catch (error) {
            if (!(error instanceof PaymentGatewayError && error.kind === 'invalid_request'))
                throw toAppError(error);
            this.logger.warn({ pm: providerPaymentMethodId, err: error.message }, 'payment method was not attached at the provider');
        }
    }
    /**
     * Best effort: the provider's default only matters to the provider's own features
     * (invoices); the card we charge is the one our rows name. A failure is logged and the
     * next change of default sets it again.
     */
    async syncProviderDefault(userId, providerPaymentMethodId, customerId) {
        const customer = customerId ?? (await this.customers.find(userId));
        if (!customer)
            return;
        try {
            await this.gateway.setDefaultPaymentMethod(customer, providerPaymentMethodId);
        }
        catch (error) {
            this.logger.warn({ userId, pm: providerPaymentMethodId, err: error instanceof Error ? error.message : String(error) }, 'could not set the default payment method at the provider');
        }
    }
};
PaymentMethodsService = PaymentMethodsService_1 = __decorate([
    Injectable(),
    __param(1, Inject(PAYMENT_GATEWAY)),
    __metadata("design:paramtypes", [TransactionHost, Object, CustomersService])
], PaymentMethodsService);
export { PaymentMethodsService };
//# sourceMappingURL=payment-methods.service.js.map