/**
 * One model of Stripe's test mode, shared by the two stand-ins for Stripe: the
 * simulated provider (`simulated.gateway.ts`, in process) and the fake Stripe HTTP
 * server of the tests (`test/support/fake-stripe`, which imports this file; nothing in
 * src/ imports from test/). It holds what both must say alike: the PaymentIntent
 * statuses and which of them allow which step, Stripe's test cards
 * (https://docs.stripe.com/testing) and what confirming a payment with each one does,
 * and the shape of a failed attempt (`last_payment_error`, a declined charge's
 * `outcome`).
 */

/** A PaymentIntent's statuses, in the order of its life. */
export const INTENT_STATUSES = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'succeeded',
  'canceled',
] as const;
export type IntentStatus = (typeof INTENT_STATUSES)[number];

/** A SetupIntent's statuses. */
export const SETUP_INTENT_STATUSES = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'canceled',
  'succeeded',
] as const;
export type SetupIntentStatus = (typeof SETUP_INTENT_STATUSES)[number];

/** The statuses from which `POST /v1/setup_intents/:id/confirm` is allowed. */
export const SETUP_CONFIRMABLE_STATUSES = ['requires_payment_method', 'requires_confirmation', 'requires_action'] as const;

/** The statuses from which `POST /v1/payment_intents/:id/confirm` is allowed (and an update, with the fake). */
export const CONFIRMABLE_STATUSES = ['requires_payment_method', 'requires_confirmation', 'requires_action'] as const;

/** The statuses from which `POST /v1/payment_intents/:id/cancel` is allowed, in Stripe's error message order. */
export const CANCELABLE_STATUSES = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
] as const;

/** True when `value` is one of `list` (narrows a plain string to the list's type). */
export function isIn<T extends string>(value: string, list: readonly T[]): value is T {
  return (list as readonly string[]).includes(value);
}

/**
 * A declined confirmation: Stripe's 402 `card_error`. `code` is `card_declined` unless the
 * card says otherwise (`expired_card`, ...); `declineCode` is the issuer's reason and
 * `adviceCode`, where Stripe gives one, how to proceed (`try_again_later`,
 * `do_not_try_again`, `confirm_card_data`).
 */
export interface CardDecline {
  kind: 'decline';
  code: string;
  declineCode: string;
  message: string;
  /** Stripe's `outcome.type` on the failed charge. */
  outcomeType: 'issuer_declined' | 'blocked' | 'invalid';
  sellerMessage: string;
  adviceCode?: string;
}

export type CardOutcome =
  | { kind: 'success' }
  | CardDecline
  /**
   * 3-D Secure: the intent waits in `requires_action` until the customer authenticates.
   * `always`: every payment needs it (an off-session one fails with
   * `authentication_required`). `onSetup`: needs it on-session, and off-session too unless
   * the card is attached to the intent's customer (it was "set up").
   */
  | { kind: 'authenticate'; when: 'always' | 'onSetup' };

export interface TestCard {
  /** The test PaymentMethod id, or null for a card known only by its number. */
  testId: string | null;
  number: string;
  brand: 'visa' | 'mastercard' | 'amex' | 'discover' | 'unknown';
  last4: string;
  funding: 'credit' | 'debit';
  country: string;
  outcome: CardOutcome;
}

const DECLINED = 'Your card was declined.';
const NO_DETAILS = 'The bank did not return any further details with this decline.';

function card(
  testId: string,
  number: string,
  brand: TestCard['brand'],
  outcome: CardOutcome,
  funding: TestCard['funding'] = 'credit',
): TestCard {
  return { testId, number, brand, last4: number.slice(-4), funding, country: 'US', outcome };
}

function declined(
  declineCode: string,
  options: { message?: string; code?: string; outcomeType?: CardDecline['outcomeType']; adviceCode?: string } = {},
): CardDecline {
  return {
    kind: 'decline',
    code: options.code ?? 'card_declined',
    declineCode,
    message: options.message ?? DECLINED,
    outcomeType: options.outcomeType ?? 'issuer_declined',
    sellerMessage: NO_DETAILS,
    ...(options.adviceCode ? { adviceCode: options.adviceCode } : {}),
  };
}

const SUCCESS: CardOutcome = { kind: 'success' };
const AUTHENTICATE: CardOutcome = { kind: 'authenticate', when: 'always' };

/** Stripe's test cards, by test PaymentMethod id and by number. */
export const TEST_CARDS: readonly TestCard[] = [
  card('pm_card_visa', '4242424242424242', 'visa', SUCCESS),
  card('pm_card_visa_debit', '4000056655665556', 'visa', SUCCESS, 'debit'),
  card('pm_card_mastercard', '5555555555554444', 'mastercard', SUCCESS),
  card('pm_card_amex', '371449635398431', 'amex', SUCCESS),
  card('pm_card_discover', '6011111111111117', 'discover', SUCCESS),
  card('pm_card_chargeDeclined', '4000000000000002', 'visa', declined('generic_decline')),
  card(
    'pm_card_chargeDeclinedInsufficientFunds',
    '4000000000009995',
    'visa',
    declined('insufficient_funds', { message: 'Your card has insufficient funds.', adviceCode: 'try_again_later' }),
  ),
  card('pm_card_chargeDeclinedLostCard', '4000000000009987', 'visa', declined('lost_card')),
  card('pm_card_chargeDeclinedStolenCard', '4000000000009979', 'visa', declined('stolen_card')),
  card('pm_card_chargeDeclinedFraudulent', '4100000000000019', 'visa', declined('fraudulent', { outcomeType: 'blocked' })),
  card(
    'pm_card_chargeDeclinedExpiredCard',
    '4000000000000069',
    'visa',
    declined('expired_card', { message: 'Your card has expired.', code: 'expired_card' }),
  ),
  card(
    'pm_card_chargeDeclinedIncorrectCvc',
    '4000000000000127',
    'visa',
    declined('incorrect_cvc', { message: "Your card's security code is incorrect.", code: 'incorrect_cvc' }),
  ),
  card(
    'pm_card_chargeDeclinedProcessingError',
    '4000000000000119',
    'visa',
    declined('processing_error', {
      message: 'An error occurred while processing your card. Try again in a little bit.',
      code: 'processing_error',
    }),
  ),
  card('pm_card_threeDSecure2Required', '4000000000003220', 'visa', AUTHENTICATE),
  card('pm_card_threeDSecureRequired', '4000000000003063', 'visa', AUTHENTICATE),
  card('pm_card_authenticationRequired', '4000002760003184', 'visa', AUTHENTICATE),
  // The seed's 3-D Secure card: authentication unless it was set up for off-session use.
  // (Off-session, on a card set up for the customer, it goes through: Stripe's and the simulated provider's.)
  card('pm_card_authenticationRequiredOnSetup', '4000002500003155', 'visa', { kind: 'authenticate', when: 'onSetup' }),
];

const BY_ID = new Map(TEST_CARDS.map((c) => [c.testId!, c]));
const BY_NUMBER = new Map(TEST_CARDS.map((c) => [c.number, c]));

/** The test card a test PaymentMethod id (`pm_card_visa`) names, if it names one. */
export function testCardById(id: string): TestCard | undefined {
  return BY_ID.get(id);
}

/** What a card's number says about it before any lookup. */
export type CardLookup = { found: TestCard } | { invalidNumber: true } | { notTestId: true };

/**
 * A test PaymentMethod id or card number (spaces and dashes allowed) to its card. A valid
 * number that is not one of Stripe's test cards is declined, as Stripe does in test mode
 * (`test_mode_live_card`); a number that fails the Luhn check is `incorrect_number`.
 */
export function lookUpTestCard(input: string): CardLookup {
  const byId = BY_ID.get(input);
  if (byId) return { found: byId };
  const digits = input.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) return { notTestId: true };
  const byNumber = BY_NUMBER.get(digits);
  if (byNumber) return { found: byNumber };
  if (digits.length < 12 || digits.length > 19 || !luhnValid(digits)) return { invalidNumber: true };
  return {
    found: {
      testId: null,
      number: digits,
      brand: brandOf(digits),
      last4: digits.slice(-4),
      funding: 'credit',
      country: 'US',
      outcome: declined('test_mode_live_card', {
        message:
          'Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing.',
      }),
    },
  };
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function brandOf(digits: string): TestCard['brand'] {
  if (digits.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^6(011|5)/.test(digits)) return 'discover';
  return 'unknown';
}

/** `card_declined` -> `https://stripe.com/docs/error-codes/card-declined`, as Stripe links its codes. */
export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

/** What went wrong with an attempt, before it is written onto the intent or into a 402. */
export interface PaymentFailure {
  type: 'card_error' | 'invalid_request_error';
  code: string;
  declineCode?: string;
  message: string;
  adviceCode?: string;
  /** The failed charge, when the card was charged at all. */
  chargeId?: string;
}

/** A PaymentIntent's `last_payment_error`; `PM` is each stand-in's PaymentMethod object. */
export interface LastPaymentError<PM> {
  type: PaymentFailure['type'];
  code: string;
  decline_code?: string;
  message: string;
  doc_url: string;
  charge?: string;
  advice_code?: string;
  payment_method: PM;
}

/** A declined card's failure. */
export function declineFailure(decline: CardDecline, chargeId: string): PaymentFailure {
  const { code, declineCode, message, adviceCode } = decline;
  return { type: 'card_error', code, declineCode, message, ...(adviceCode ? { adviceCode } : {}), chargeId };
}

/** The error fields Stripe puts both in `last_payment_error` and in the 402's `error`. */
export function failureFields(failure: PaymentFailure): {
  code: string;
  decline_code?: string;
  message: string;
  advice_code?: string;
  charge?: string;
} {
  return {
    code: failure.code,
    ...(failure.declineCode ? { decline_code: failure.declineCode } : {}),
    message: failure.message,
    ...(failure.adviceCode ? { advice_code: failure.adviceCode } : {}),
    ...(failure.chargeId ? { charge: failure.chargeId } : {}),
  };
}

/** The intent's `last_payment_error` after a failed attempt with `pm` (a copy of it). */
export function lastPaymentError<PM>(failure: PaymentFailure, pm: PM): LastPaymentError<PM> {
  const { code, decline_code, message, advice_code, charge } = failureFields(failure);
  return {
    type: failure.type,
    code,
    ...(decline_code ? { decline_code } : {}),
    message,
    doc_url: docUrl(code),
    ...(charge ? { charge } : {}),
    ...(advice_code ? { advice_code } : {}),
    payment_method: structuredClone(pm),
  };
}

/** A charge's `outcome`, as Stripe reports it. */
export interface ChargeOutcome {
  network_status: 'approved_by_network' | 'declined_by_network' | 'not_sent_to_network';
  reason: string | null;
  risk_level: 'normal' | 'highest';
  seller_message: string;
  type: 'authorized' | CardDecline['outcomeType'];
}

/** The `outcome` of a charge that went through. */
export function approvedOutcome(): ChargeOutcome {
  return {
    network_status: 'approved_by_network',
    reason: null,
    risk_level: 'normal',
    seller_message: 'Payment complete.',
    type: 'authorized',
  };
}

/** The `outcome` of a declined card's failed charge: a block by Radar never reaches the network. */
export function declinedOutcome(decline: CardDecline): ChargeOutcome {
  return {
    network_status: decline.outcomeType === 'issuer_declined' ? 'declined_by_network' : 'not_sent_to_network',
    reason: decline.declineCode,
    risk_level: decline.outcomeType === 'blocked' ? 'highest' : 'normal',
    seller_message: decline.sellerMessage,
    type: decline.outcomeType,
  };
}

/** Stripe's message when 3-D Secure fails (`payment_intent_authentication_failure`). */
export const AUTHENTICATION_FAILED =
  'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.';

/** Stripe's 402 for an off-session payment with a card that needs its holder (3-D Secure). */
export const AUTHENTICATION_REQUIRED: PaymentFailure = {
  type: 'card_error',
  code: 'authentication_required',
  declineCode: 'authentication_required',
  message: 'Your card was declined. This transaction requires authentication.',
};

/**
 * How long a card authorisation (manual capture) stays capturable, as Stripe documents it
 * (https://docs.stripe.com/payments/place-a-hold-on-a-payment-method, /payments/extended-authorization):
 * online card payments 7 days, except a merchant-initiated (off-session) Visa payment, 5
 * days ("exactly 4 days and 18 hours, to allow time for clearing"); an extended
 * authorisation (vehicle rental) up to 30 days. Stripe says to rely on the charge's
 * `capture_before` rather than on this table, and so does Holdfast: only the two stand-ins
 * for Stripe read it.
 */
export function authorizationWindowSeconds(brand: string, options: { offSession: boolean; extended: boolean }): number {
  const day = 86_400;
  if (options.extended) return 30 * day;
  if (brand === 'visa' && options.offSession) return 4 * day + 18 * 3_600;
  return 7 * day;
}

/** The card brands that can have an extended or an incremental authorisation. */
export const FLEXIBLE_AUTHORIZATION_BRANDS: readonly string[] = ['visa', 'mastercard', 'amex', 'discover'];

/** At most this many incremental authorisation attempts per PaymentIntent, declines included. */
export const MAX_INCREMENTAL_AUTHORIZATIONS = 10;

/** The charge's `payment_method_details.card` fields of a manual-capture authorisation. */
export interface AuthorizationFacts {
  capture_before: number;
  extended_authorization: { status: 'enabled' | 'disabled' };
  incremental_authorization: { status: 'available' | 'unavailable' };
}

/**
 * What an authorisation of `brand` gets: `capture_before` from `nowSeconds` (see
 * `authorizationWindowSeconds`), extended and incremental authorisation where requested,
 * supported by the account (`support`) and by the brand.
 */
export function authorizationFacts(
  brand: string,
  request: { offSession: boolean; extended: boolean; incremental: boolean },
  support: { extended: boolean; incremental: boolean },
  nowSeconds: number,
): AuthorizationFacts {
  const flexible = FLEXIBLE_AUTHORIZATION_BRANDS.includes(brand);
  const extended = request.extended && support.extended && flexible;
  const incremental = request.incremental && support.incremental && flexible;
  return {
    capture_before: nowSeconds + authorizationWindowSeconds(brand, { offSession: request.offSession, extended }),
    extended_authorization: { status: extended ? 'enabled' : 'disabled' },
    incremental_authorization: { status: incremental ? 'available' : 'unavailable' },
  };
}
