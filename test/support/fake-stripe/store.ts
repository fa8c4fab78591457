import { createHash, randomBytes } from 'node:crypto';
import { testCardById, type TestCard } from '../../../src/payments/stripe-model';
import type {
  AnyObject,
  ChargeObject,
  CustomerObject,
  EventObject,
  PaymentIntentObject,
  PaymentMethodObject,
  RefundObject,
  SetupIntentObject,
} from './objects';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Stripe-looking random suffix: base62, `length` characters. */
export function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] % ALPHABET.length];
  return out;
}

/** A deep copy: what the fake returns or puts in an event must not change when the state does. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** How many objects the fake actually created (replays and rejected requests create none). */
export interface CreatedCounters {
  paymentIntents: number;
  setupIntents: number;
  customers: number;
  paymentMethods: number;
  charges: number;
  refunds: number;
  events: number;
}

/** Who caused an event: the API request (id and idempotency key), or nobody (a test helper). */
export interface EventCause {
  requestId: string | null;
  idempotencyKey: string | null;
}

/** What the fake remembers about a PaymentMethod that Stripe does not show. */
export interface PaymentMethodSide {
  card: TestCard;
  /** Which test id it came from (`pm_card_visa`). */
  testId: string;
  /**
   * Used for a payment while attached to no customer, or detached: Stripe refuses to use
   * it again ("It may not be used again").
   */
  consumed: boolean;
}

/** What the account may grant a manual-capture card authorisation (Stripe: an IC+ pricing feature, per merchant category). */
export interface AuthorizationSupport {
  extended: boolean;
  incremental: boolean;
}

/**
 * The fake's in-memory Stripe account. Objects are stored exactly as the API returns
 * them; handlers mutate them in place and return clones.
 */
export class FakeStripeStore {
  readonly paymentIntents = new Map<string, PaymentIntentObject>();
  readonly setupIntents = new Map<string, SetupIntentObject>();
  readonly customers = new Map<string, CustomerObject>();
  /** Deleted customers still answer a retrieve, with `{ id, object, deleted: true }`. */
  readonly deletedCustomers = new Set<string>();
  readonly paymentMethods = new Map<string, PaymentMethodObject>();
  readonly charges = new Map<string, ChargeObject>();
  readonly refunds = new Map<string, RefundObject>();
  readonly events: EventObject[] = [];
  readonly paymentMethodSide = new Map<string, PaymentMethodSide>();
  /** `return_url` given at create/confirm, kept for the next confirmation (Stripe keeps it too). */
  readonly returnUrls = new Map<string, string>();
  /** Incremental authorisation attempts per PaymentIntent (Stripe allows 10, declines included). */
  readonly incrementAttempts = new Map<string, number>();
  /** PaymentIntents whose next incremental authorisations the card declines (`declineIncrements`). */
  readonly incrementDeclines = new Set<string>();
  readonly created: CreatedCounters = {
    paymentIntents: 0,
    setupIntents: 0,
    customers: 0,
    paymentMethods: 0,
    charges: 0,
    refunds: 0,
    events: 0,
  };
  /** The account's capabilities; a test may change them (`setAuthorizationSupport`). */
  readonly authorizationSupport: AuthorizationSupport;

  constructor(
    private readonly clock: () => number,
    readonly apiVersion: () => string,
    private readonly onEvent: (event: EventObject) => void,
    readonly baseUrl: () => string,
    authorizationSupport: AuthorizationSupport = { extended: true, incremental: true },
  ) {
    this.authorizationSupport = { ...authorizationSupport };
  }

  /** Seconds since the epoch, as Stripe's `created`. */
  now(): number {
    return Math.floor(this.clock() / 1000);
  }

  newId(prefix: string): string {
    return `${prefix}_${randomId(24)}`;
  }

  clear(): void {
    this.paymentIntents.clear();
    this.setupIntents.clear();
    this.incrementAttempts.clear();
    this.incrementDeclines.clear();
    this.customers.clear();
    this.deletedCustomers.clear();
    this.paymentMethods.clear();
    this.charges.clear();
    this.refunds.clear();
    this.events.length = 0;
    this.paymentMethodSide.clear();
    this.returnUrls.clear();
    for (const key of Object.keys(this.created) as (keyof CreatedCounters)[]) this.created[key] = 0;
  }

  /** Finds any stored object by id (the prefix says where to look), for `expand[]`. */
  lookup(id: string): AnyObject | undefined {
    const prefix = id.slice(0, id.indexOf('_'));
    switch (prefix) {
      case 'pi':
        return this.paymentIntents.get(id);
      case 'seti':
        return this.setupIntents.get(id);
      case 'cus':
        return this.customers.get(id);
      case 'pm':
        return this.paymentMethods.get(id);
      case 'ch':
        return this.charges.get(id);
      case 're':
        return this.refunds.get(id);
      case 'evt':
        return this.events.find((e) => e.id === id);
      default:
        return undefined;
    }
  }

  /**
   * Records an event for a state change. `object` is snapshotted now, so a later change
   * does not rewrite history (Stripe's events are immutable too).
   */
  emit(type: string, object: AnyObject, cause: EventCause, previousAttributes?: Record<string, unknown>): EventObject {
    const event: EventObject = {
      id: this.newId('evt'),
      object: 'event',
      api_version: this.apiVersion(),
      created: this.now(),
      data: {
        object: clone(object) as unknown as Record<string, unknown>,
        ...(previousAttributes ? { previous_attributes: clone(previousAttributes) } : {}),
      },
      livemode: false,
      pending_webhooks: 1,
      request: { id: cause.requestId, idempotency_key: cause.idempotencyKey },
      type,
    };
    this.events.push(event);
    this.created.events++;
    this.onEvent(event);
    return event;
  }

  cardDetails(card: TestCard): PaymentMethodObject['card'] {
    const year = new Date(this.clock()).getUTCFullYear();
    return {
      brand: card.brand,
      display_brand: card.brand === 'amex' ? 'american_express' : card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: card.country,
      exp_month: 12,
      exp_year: year + 3,
      // The same card number always has the same fingerprint, whatever pm id it gets.
      fingerprint: createHash('sha256').update(`${card.brand}:${card.last4}`).digest('base64url').slice(0, 16),
      funding: card.funding,
      generated_from: null,
      last4: card.last4,
      networks: { available: [card.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    };
  }

  private paymentMethodObject(id: string, card: TestCard, created: number): PaymentMethodObject {
    return {
      id,
      object: 'payment_method',
      allow_redisplay: 'unspecified',
      billing_details: {
        address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
        email: null,
        name: null,
        phone: null,
        tax_id: null,
      },
      card: this.cardDetails(card),
      created,
      customer: null,
      livemode: false,
      metadata: {},
      type: 'card',
    };
  }

  /** `GET /v1/payment_methods/pm_card_visa`: the test id itself, as a detached card. */
  virtualTestPaymentMethod(testId: string): PaymentMethodObject | undefined {
    const card = testCardById(testId);
    return card ? this.paymentMethodObject(testId, card, this.now()) : undefined;
  }

  /** A test id used in a payment or an attach becomes a new, real-looking PaymentMethod. */
  materialize(testId: string): PaymentMethodObject {
    const card = testCardById(testId);
    if (!card) throw new Error(`not a test card id: ${testId}`);
    const pm = this.paymentMethodObject(this.newId('pm'), card, this.now());
    this.paymentMethods.set(pm.id, pm);
    this.paymentMethodSide.set(pm.id, { card, testId, consumed: false });
    this.created.paymentMethods++;
    return pm;
  }
}
