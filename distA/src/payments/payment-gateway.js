/**
 * The payment provider, as payments sees it. Two adapters: `StripeGateway` (the real
 * Stripe API through the official SDK) and `SimulatedGateway` (in-process, Stripe's test
 * cards). Every mutating call takes an idempotency key derived from our own persistent
 * ids, never the clock.
 */
export const PAYMENT_GATEWAY = Symbol('PAYMENT_GATEWAY');
/** The provider said no, or could not be reached; `kind` decides our error code. */
export class PaymentGatewayError extends Error {
    constructor(kind, message, providerCode = null, declineCode = null, 
    /** The intent after a declined confirmation, when the provider returned it. */
    intent = null) {
        super(message);
        this.kind = kind;
        this.providerCode = providerCode;
        this.declineCode = declineCode;
        this.intent = intent;
        this.name = 'PaymentGatewayError';
    }
}
export class WebhookSignatureError extends Error {
    constructor(message) {
        super(message);
        this.name = 'WebhookSignatureError';
    }
}
//# sourceMappingURL=payment-gateway.js.map