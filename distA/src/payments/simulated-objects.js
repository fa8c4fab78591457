import { randomBytes } from 'node:crypto';
import { PaymentGatewayError } from './payment-gateway.js';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 24 random letters and digits, the look of Stripe's ids and secrets. */
export function randomSuffix(length = 24) {
    let out = '';
    for (const byte of randomBytes(length))
        out += ALPHABET[byte % ALPHABET.length];
    return out;
}
export const now = () => Math.floor(Date.now() / 1000);
export const docUrl = (code) => `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
/** Stripe's 400 `invalid_request_error`. */
export function invalidRequest(message, code = null, intent = null) {
    return new PaymentGatewayError('invalid_request', message, code, null, intent);
}
/** Stripe's answer for an id that names nothing. */
export function resourceMissing(what, id) {
    return invalidRequest(`No such ${what}: '${id}'`, 'resource_missing');
}
/** A charge of the intent's whole amount on the card: captured now, or only authorised (manual capture). */
export function newCharge(pi, pm, captured) {
    const id = `ch_sim_${randomSuffix()}`;
    return {
        id,
        object: 'charge',
        amount: pi.amount,
        amount_captured: captured ? pi.amount : 0,
        amount_refunded: 0,
        captured,
        created: now(),
        currency: pi.currency,
        customer: pi.customer,
        description: pi.description,
        failure_code: null,
        failure_message: null,
        livemode: false,
        metadata: { ...pi.metadata },
        outcome: { network_status: 'approved_by_network', reason: null, seller_message: 'Payment complete.', type: 'authorized' },
        paid: true,
        payment_intent: pi.id,
        payment_method: pm.id,
        payment_method_details: { type: 'card', card: { ...pm.card } },
        refunded: false,
        refunds: { object: 'list', data: [], has_more: false, total_count: 0, url: `/v1/charges/${id}/refunds` },
        status: 'succeeded',
    };
}
export function cardSnapshot(pm) {
    return { id: pm.id, brand: pm.card.brand, last4: pm.card.last4, expMonth: pm.card.exp_month, expYear: pm.card.exp_year };
}
//# sourceMappingURL=simulated-objects.js.map