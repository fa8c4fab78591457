/**
 * Stripe's test PaymentMethod ids (https://docs.stripe.com/testing) and what confirming a
 * payment with each one does. Using one of these ids (as `payment_method`, or attaching
 * it) materialises a NEW `pm_...` object, as Stripe does, so the intent and the customer
 * see a real-looking id, not `pm_card_visa`.
 */

export type CardOutcome =
  | { kind: 'success' }
  | {
      kind: 'decline';
      code: string;
      declineCode: string;
      message: string;
      /** Stripe's `outcome` on the failed charge. */
      outcomeType: 'issuer_declined' | 'blocked' | 'invalid';
      sellerMessage: string;
      adviceCode?: string;
    }
  /**
   * 3-D Secure. `always`: every payment needs it (an off-session one fails with
   * `authentication_required`). `onSetup`: needs it on-session, and off-session too unless
   * the card is attached to the intent's customer (it was "set up").
   */
  | { kind: 'authenticate'; when: 'always' | 'onSetup' };

export interface TestCard {
  brand: 'visa' | 'mastercard' | 'amex';
  last4: string;
  funding: 'credit' | 'debit';
  country: string;
  outcome: CardOutcome;
}

const declined = (
  last4: string,
  code: string,
  declineCode: string,
  message: string,
  outcomeType: 'issuer_declined' | 'blocked' | 'invalid' = 'issuer_declined',
  adviceCode?: string,
): TestCard => ({
  brand: 'visa',
  last4,
  funding: 'credit',
  country: 'US',
  outcome: {
    kind: 'decline',
    code,
    declineCode,
    message,
    outcomeType,
    sellerMessage: 'The bank did not return any further details with this decline.',
    ...(adviceCode ? { adviceCode } : {}),
  },
});

export const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  pm_card_visa: { brand: 'visa', last4: '4242', funding: 'credit', country: 'US', outcome: { kind: 'success' } },
  pm_card_visa_debit: { brand: 'visa', last4: '5556', funding: 'debit', country: 'US', outcome: { kind: 'success' } },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', funding: 'credit', country: 'US', outcome: { kind: 'success' } },
  pm_card_amex: { brand: 'amex', last4: '8431', funding: 'credit', country: 'US', outcome: { kind: 'success' } },
  pm_card_chargeDeclined: declined('0002', 'card_declined', 'generic_decline', 'Your card was declined.'),
  pm_card_chargeDeclinedInsufficientFunds: declined(
    '9995',
    'card_declined',
    'insufficient_funds',
    'Your card has insufficient funds.',
    'issuer_declined',
    'try_again_later',
  ),
  pm_card_chargeDeclinedLostCard: declined('9987', 'card_declined', 'lost_card', 'Your card was declined.'),
  pm_card_chargeDeclinedStolenCard: declined('9979', 'card_declined', 'stolen_card', 'Your card was declined.'),
  pm_card_chargeDeclinedFraudulent: declined('0019', 'card_declined', 'fraudulent', 'Your card was declined.', 'blocked'),
  pm_card_chargeDeclinedExpiredCard: declined('0069', 'expired_card', 'expired_card', 'Your card has expired.'),
  pm_card_chargeDeclinedIncorrectCvc: declined(
    '0127',
    'incorrect_cvc',
    'incorrect_cvc',
    "Your card's security code is incorrect.",
  ),
  pm_card_chargeDeclinedProcessingError: declined(
    '0119',
    'processing_error',
    'processing_error',
    'An error occurred while processing your card. Try again in a little bit.',
  ),
  /** 4000 0027 6000 3184: every payment needs authentication. */
  pm_card_authenticationRequired: {
    brand: 'visa',
    last4: '3184',
    funding: 'credit',
    country: 'US',
    outcome: { kind: 'authenticate', when: 'always' },
  },
  /** 4000 0000 0000 3220: 3-D Secure 2, every payment. */
  pm_card_threeDSecure2Required: {
    brand: 'visa',
    last4: '3220',
    funding: 'credit',
    country: 'US',
    outcome: { kind: 'authenticate', when: 'always' },
  },
  /** 4000 0025 0000 3155 (the seed's 3-D Secure card): authentication unless set up for off-session use. */
  pm_card_authenticationRequiredOnSetup: {
    brand: 'visa',
    last4: '3155',
    funding: 'credit',
    country: 'US',
    outcome: { kind: 'authenticate', when: 'onSetup' },
  },
};

export function isTestCardId(id: string): boolean {
  return Object.prototype.hasOwnProperty.call(TEST_CARDS, id);
}
