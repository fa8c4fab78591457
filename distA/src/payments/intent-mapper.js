const STATUSES = [
    'requires_payment_method',
    'requires_confirmation',
    'requires_action',
    'processing',
    'requires_capture',
    'succeeded',
    'canceled',
];
/** Names older Stripe API versions used for the same states. */
const LEGACY_STATUSES = {
    requires_source: 'requires_payment_method',
    requires_source_action: 'requires_action',
};
/**
 * A Stripe PaymentIntent, as the SDK returns it (`Stripe.PaymentIntent`) or as a
 * webhook event carries it (`event.data.object`, plain JSON), to what we keep of it.
 * Reads defensively: a webhook payload is only as typed as the JSON it came in, and
 * expandable fields (`latest_charge`, `payment_method`) may be ids or whole objects.
 *
 * @throws Error when the object is not a PaymentIntent (no id or an unknown status).
 */
export function intentFromStripeObject(obj) {
    const o = obj;
    const id = str(o.id);
    const rawStatus = str(o.status);
    const status = rawStatus && STATUSES.includes(rawStatus)
        ? rawStatus
        : LEGACY_STATUSES[rawStatus ?? ''];
    if (!id || !status || (o.object !== undefined && o.object !== 'payment_intent')) {
        throw new Error(`not a PaymentIntent: id=${String(o.id)} object=${String(o.object)} status=${String(o.status)}`);
    }
    const lastError = record(o.last_payment_error);
    const nextAction = record(o.next_action);
    return {
        id,
        status,
        amount: int(o.amount),
        currency: (str(o.currency) ?? '').toUpperCase(),
        amountReceived: int(o.amount_received),
        amountCapturable: int(o.amount_capturable),
        captureMethod: o.capture_method === 'manual' ? 'manual' : 'automatic',
        clientSecret: str(o.client_secret),
        latestChargeId: idOf(o.latest_charge),
        paymentMethodId: idOf(o.payment_method),
        lastError: lastError
            ? { code: str(lastError.code), declineCode: str(lastError.decline_code), message: str(lastError.message) }
            : null,
        nextActionType: nextAction ? str(nextAction.type) : null,
        metadata: stringValues(o.metadata),
    };
}
function str(value) {
    return typeof value === 'string' && value !== '' ? value : null;
}
function int(value) {
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
function record(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
}
/** An expandable field: the id itself, or the expanded object's id. */
function idOf(value) {
    return str(value) ?? str(record(value)?.id);
}
function stringValues(value) {
    const out = {};
    for (const [key, v] of Object.entries(record(value) ?? {}))
        if (typeof v === 'string')
            out[key] = v;
    return out;
}
//# sourceMappingURL=intent-mapper.js.map