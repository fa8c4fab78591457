import { createHash } from 'node:crypto';
import type { CardSnapshot } from './payment-gateway';
import type { Clock } from '@holdfast/clock';
import {
  cardSnapshot,
  invalidRequest,
  randomSuffix,
  resourceMissing,
  type CustomerObject,
  type PaymentMethodObject,
} from './simulated-objects';
import { lookUpTestCard, type CardOutcome, type TestCard } from './stripe-model';

const REUSE_REFUSED =
  'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.';

/**
 * The simulated provider's Customers and PaymentMethods, with Stripe's rules: a test id
 * (`pm_card_visa`) or test card number becomes a NEW `pm_sim_` PaymentMethod each time it is
 * used; a card attached to a customer pays for that customer only; a card used without a
 * customer, or detached, cannot be used again.
 */
export class SimulatedWallet {
  private readonly customers = new Map<string, CustomerObject>();
  private readonly paymentMethods = new Map<string, PaymentMethodObject>();
  /** Per PaymentMethod: its test card, and whether Stripe would refuse to use it again. */
  private readonly cards = new Map<string, { card: TestCard; consumed: boolean }>();

  constructor(private readonly clock: Clock) {}

  hasCustomer(customerId: string): boolean {
    return this.customers.has(customerId);
  }

  createCustomer(input: { userId: string; email?: string }): { id: string } {
    const customer: CustomerObject = {
      id: `cus_sim_${randomSuffix(14)}`,
      object: 'customer',
      created: this.clock.nowSeconds(),
      email: input.email ?? null,
      invoice_settings: { default_payment_method: null },
      livemode: false,
      metadata: { userId: input.userId },
    };
    this.customers.set(customer.id, customer);
    return { id: customer.id };
  }

  attach(ref: string, customerId: string): CardSnapshot {
    if (!this.customers.has(customerId)) throw resourceMissing('customer', customerId);
    const pm = this.paymentMethods.get(ref) ?? this.materialize(ref);
    if (this.cards.get(pm.id)?.consumed) throw invalidRequest(REUSE_REFUSED);
    if (pm.customer !== null && pm.customer !== customerId) {
      throw invalidRequest('The payment method you provided has already been attached to a customer.');
    }
    pm.customer = customerId;
    return cardSnapshot(pm);
  }

  detach(paymentMethodId: string): void {
    const pm = this.paymentMethods.get(paymentMethodId);
    if (!pm) throw resourceMissing('PaymentMethod', paymentMethodId);
    if (pm.customer === null) {
      throw invalidRequest('The payment method you provided is not attached to a customer so detachment is impossible.');
    }
    const customer = this.customers.get(pm.customer);
    if (customer?.invoice_settings.default_payment_method === pm.id) customer.invoice_settings.default_payment_method = null;
    pm.customer = null;
    this.cards.get(pm.id)!.consumed = true;
  }

  setDefault(customerId: string, paymentMethodId: string | null): void {
    const customer = this.customers.get(customerId);
    if (!customer) throw resourceMissing('customer', customerId);
    if (paymentMethodId !== null) {
      const pm = this.paymentMethods.get(paymentMethodId);
      if (!pm) throw resourceMissing('PaymentMethod', paymentMethodId);
      if (pm.customer !== customerId) {
        throw invalidRequest(
          `The PaymentMethod ${paymentMethodId} does not belong to the Customer ${customerId}. Please attach it first.`,
        );
      }
    }
    customer.invoice_settings.default_payment_method = paymentMethodId;
  }

  /** The PaymentMethod a payment names: one of ours that this customer may use, or a new one from a test id or card number. */
  resolveForPayment(ref: string, customerId: string | null): PaymentMethodObject {
    const existing = this.paymentMethods.get(ref);
    if (!existing) return this.materialize(ref);
    if (this.cards.get(existing.id)?.consumed) throw invalidRequest(REUSE_REFUSED);
    if (existing.customer !== null && customerId === null) {
      throw invalidRequest(
        'The provided PaymentMethod is attached to a Customer. To use it, provide that Customer in the `customer` parameter as well.',
      );
    }
    if (existing.customer !== null && existing.customer !== customerId) {
      throw invalidRequest(
        `The provided PaymentMethod belongs to a different Customer (${existing.customer}) than ${customerId}.`,
      );
    }
    return existing;
  }

  get(paymentMethodId: string): PaymentMethodObject | undefined {
    return this.paymentMethods.get(paymentMethodId);
  }

  /** What confirming a payment with this PaymentMethod does. */
  outcomeOf(pm: PaymentMethodObject): CardOutcome {
    return this.cards.get(pm.id)!.card.outcome;
  }

  /** After a payment with it succeeded: Stripe attaches the card when asked to keep it; otherwise a customer-less card is spent. */
  used(pm: PaymentMethodObject, intent: { customer: string | null; setup_future_usage: string | null }): void {
    if (pm.customer !== null) return;
    if (intent.setup_future_usage !== null && intent.customer !== null) pm.customer = intent.customer;
    else this.cards.get(pm.id)!.consumed = true;
  }

  private materialize(ref: string): PaymentMethodObject {
    const lookup = lookUpTestCard(ref);
    if ('invalidNumber' in lookup) throw invalidRequest('Your card number is incorrect.', 'incorrect_number');
    if ('notTestId' in lookup) throw resourceMissing('PaymentMethod', ref);
    const card = lookup.found;
    const pm: PaymentMethodObject = {
      id: `pm_sim_${randomSuffix()}`,
      object: 'payment_method',
      card: {
        brand: card.brand,
        country: card.country,
        exp_month: 12,
        exp_year: this.clock.now().getUTCFullYear() + 4,
        // The same number always has the same fingerprint, whatever PaymentMethod carries it.
        fingerprint: createHash('sha256').update(card.number).digest('hex').slice(0, 16),
        funding: card.funding,
        last4: card.last4,
      },
      created: this.clock.nowSeconds(),
      customer: null,
      livemode: false,
      metadata: {},
      type: 'card',
    };
    this.paymentMethods.set(pm.id, pm);
    this.cards.set(pm.id, { card, consumed: false });
    return pm;
  }
}
