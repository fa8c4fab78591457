/**
 * Stripe's test cards (https://docs.stripe.com/testing), for the simulated provider: each
 * test PaymentMethod id (`pm_card_visa`) and its card number (`4242424242424242`) give the
 * same card and the same behaviour when a payment is confirmed with it, as with Stripe.
 */
const DECLINED = 'Your card was declined.';
function card(testId, number, brand, behaviour, funding = 'credit') {
    return { testId, number, brand, last4: number.slice(-4), funding, country: 'US', behaviour };
}
const declined = (declineCode, message = DECLINED, code = 'card_declined') => ({
    kind: 'decline',
    code,
    declineCode,
    message,
});
const SUCCESS = { kind: 'success' };
const AUTHENTICATE = { kind: 'authenticate' };
const CARDS = [
    card('pm_card_visa', '4242424242424242', 'visa', SUCCESS),
    card('pm_card_visa_debit', '4000056655665556', 'visa', SUCCESS, 'debit'),
    card('pm_card_mastercard', '5555555555554444', 'mastercard', SUCCESS),
    card('pm_card_amex', '371449635398431', 'amex', SUCCESS),
    card('pm_card_discover', '6011111111111117', 'discover', SUCCESS),
    card('pm_card_chargeDeclined', '4000000000000002', 'visa', declined('generic_decline')),
    card('pm_card_chargeDeclinedInsufficientFunds', '4000000000009995', 'visa', declined('insufficient_funds', 'Your card has insufficient funds.')),
    card('pm_card_chargeDeclinedLostCard', '4000000000009987', 'visa', declined('lost_card')),
    card('pm_card_chargeDeclinedStolenCard', '4000000000009979', 'visa', declined('stolen_card')),
    card('pm_card_chargeDeclinedFraudulent', '4100000000000019', 'visa', declined('fraudulent')),
    card('pm_card_chargeDeclinedExpiredCard', '4000000000000069', 'visa', declined('expired_card', 'Your card has expired.', 'expired_card')),
    card('pm_card_chargeDeclinedIncorrectCvc', '4000000000000127', 'visa', declined('incorrect_cvc', "Your card's security code is incorrect.", 'incorrect_cvc')),
    card('pm_card_chargeDeclinedProcessingError', '4000000000000119', 'visa', declined('processing_error', 'An error occurred while processing your card. Try again in a little bit.', 'processing_error')),
    card('pm_card_threeDSecure2Required', '4000000000003220', 'visa', AUTHENTICATE),
    card('pm_card_threeDSecureRequired', '4000000000003063', 'visa', AUTHENTICATE),
    card('pm_card_authenticationRequired', '4000002760003184', 'visa', AUTHENTICATE),
    // The seed's 3-D Secure card. With Stripe it needs authentication on-session unless it
    // was set up for off-session use; the simulated provider only confirms on-session.
    card('pm_card_authenticationRequiredOnSetup', '4000002500003155', 'visa', AUTHENTICATE),
];
const BY_ID = new Map(CARDS.map((c) => [c.testId, c]));
const BY_NUMBER = new Map(CARDS.map((c) => [c.number, c]));
/**
 * A test PaymentMethod id or card number (spaces and dashes allowed) to its card. A valid
 * number that is not one of Stripe's test cards is declined, as Stripe does in test mode
 * (`test_mode_live_card`); a number that fails the Luhn check is `incorrect_number`.
 */
export function lookUpTestCard(input) {
    const byId = BY_ID.get(input);
    if (byId)
        return { found: byId };
    const digits = input.replace(/[\s-]/g, '');
    if (!/^\d+$/.test(digits))
        return { notTestId: true };
    const byNumber = BY_NUMBER.get(digits);
    if (byNumber)
        return { found: byNumber };
    if (digits.length < 12 || digits.length > 19 || !luhnValid(digits))
        return { invalidNumber: true };
    return {
        found: {
            testId: null,
            number: digits,
            brand: brandOf(digits),
            last4: digits.slice(-4),
            funding: 'credit',
            country: 'US',
            behaviour: declined('test_mode_live_card', 'Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing.'),
        },
    };
}
/** True when `input` looks like a card number (so it is not a PaymentMethod id). */
export function looksLikeCardNumber(input) {
    return /^[\d\s-]+$/.test(input);
}
function luhnValid(digits) {
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
        let d = Number(digits[digits.length - 1 - i]);
        if (i % 2 === 1) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return sum % 10 === 0;
}
function brandOf(digits) {
    if (digits.startsWith('4'))
        return 'visa';
    if (/^(5[1-5]|2[2-7])/.test(digits))
        return 'mastercard';
    if (/^3[47]/.test(digits))
        return 'amex';
    if (/^6(011|5)/.test(digits))
        return 'discover';
    return 'unknown';
}
//# sourceMappingURL=simulated-cards.js.map