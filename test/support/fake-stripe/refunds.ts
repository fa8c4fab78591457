import { mergeMetadata, initialMetadata } from './customers';
import { invalidRequest, resourceMissing } from './errors';
import { formatAmount } from './money';
import type { ChargeObject, RefundObject } from './objects';
import { LIST_PARAMS, newestFirst, paginate, type Route } from './router';
import { EXPAND, int, METADATA, str } from './schema';
import { clone, type FakeStripeStore } from './store';

/** Refunds, and the read side of Charges and Events. */

function chargeToRefund(store: FakeStripeStore, paymentIntentId: string | undefined, chargeId: string | undefined): ChargeObject {
  let charge: ChargeObject | undefined;
  if (paymentIntentId !== undefined) {
    const pi = store.paymentIntents.get(paymentIntentId);
    if (!pi) throw resourceMissing('payment_intent', paymentIntentId, 'payment_intent', 400);
    charge = pi.latest_charge ? store.charges.get(pi.latest_charge) : undefined;
    if (pi.status !== 'succeeded' || !charge || !charge.captured) {
      throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, {
        param: 'payment_intent',
      });
    }
    if (chargeId !== undefined && chargeId !== charge.id) {
      throw invalidRequest(`The charge ${chargeId} does not belong to the PaymentIntent ${pi.id}.`, { param: 'charge' });
    }
    return charge;
  }
  charge = store.charges.get(chargeId!);
  if (!charge) throw resourceMissing('charge', chargeId!, 'charge', 400);
  if (charge.status !== 'succeeded' || !charge.captured) {
    throw invalidRequest(`Charge ${charge.id} has not been captured, so it cannot be refunded.`, { param: 'charge' });
  }
  return charge;
}

function findRefund(store: FakeStripeStore, id: string): RefundObject {
  const refund = store.refunds.get(id);
  if (!refund) throw resourceMissing('refund', id, 'id');
  return refund;
}

export const refundRoutes: Route[] = [
  {
    method: 'POST',
    template: '/v1/refunds',
    schema: {
      payment_intent: { type: 'string' },
      charge: { type: 'string' },
      amount: { type: 'integer', min: 1 },
      reason: { type: 'enum', values: ['duplicate', 'fraudulent', 'requested_by_customer'] },
      metadata: METADATA,
      expand: EXPAND,
      instructions_email: { type: 'string' },
      refund_application_fee: { type: 'boolean' },
      reverse_transfer: { type: 'boolean' },
    },
    expandable: ['charge', 'payment_intent'],
    check: (params) => {
      if (params.payment_intent === undefined && params.charge === undefined) {
        throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', {
          code: 'parameter_missing',
          param: 'payment_intent',
        });
      }
    },
    handle: ({ store, params, cause }) => {
      const charge = chargeToRefund(store, str(params, 'payment_intent'), str(params, 'charge'));
      const remaining = charge.amount_captured - charge.amount_refunded;
      if (remaining <= 0) {
        throw invalidRequest(`Charge ${charge.id} has already been refunded.`, {
          code: 'charge_already_refunded',
          param: 'charge',
        });
      }
      const amount = int(params, 'amount') ?? remaining;
      if (amount > remaining) {
        // Stripe sends no `code` for this one: only the message and `param: amount`.
        throw invalidRequest(
          `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
          { param: 'amount' },
        );
      }
      const refund: RefundObject = {
        id: store.newId('re'),
        object: 'refund',
        amount,
        balance_transaction: store.newId('txn'),
        charge: charge.id,
        created: store.now(),
        currency: charge.currency,
        destination_details: {
          type: 'card',
          card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
        },
        metadata: initialMetadata(params.metadata),
        payment_intent: charge.payment_intent,
        reason: str(params, 'reason') ?? null,
        receipt_number: null,
        source_transfer_reversal: null,
        status: 'succeeded',
        transfer_reversal: null,
      };
      store.refunds.set(refund.id, refund);
      store.created.refunds++;
      const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
      charge.amount_refunded += amount;
      charge.refunded = charge.amount_refunded >= charge.amount_captured;
      store.emit('charge.refunded', charge, cause, previous);
      return clone(refund);
    },
  },
  {
    method: 'GET',
    template: '/v1/refunds/:id',
    schema: { expand: EXPAND },
    expandable: ['charge', 'payment_intent'],
    handle: ({ store, path }) => clone(findRefund(store, path.id)),
  },
  {
    method: 'POST',
    template: '/v1/refunds/:id',
    schema: { metadata: METADATA, expand: EXPAND },
    expandable: ['charge', 'payment_intent'],
    handle: ({ store, path, params }) => {
      const refund = findRefund(store, path.id);
      refund.metadata = mergeMetadata(refund.metadata, params.metadata);
      return clone(refund);
    },
  },
  {
    method: 'GET',
    template: '/v1/refunds',
    schema: { ...LIST_PARAMS, charge: { type: 'string' }, payment_intent: { type: 'string' }, created: { type: 'any' } },
    list: true,
    expandable: ['charge', 'payment_intent'],
    handle: ({ store, params }) => {
      const charge = str(params, 'charge');
      const pi = str(params, 'payment_intent');
      const items = newestFirst(store.refunds.values()).filter(
        (r) => (charge === undefined || r.charge === charge) && (pi === undefined || r.payment_intent === pi),
      );
      return paginate(items, params, '/v1/refunds');
    },
  },
  {
    method: 'GET',
    template: '/v1/charges/:id',
    schema: { expand: EXPAND },
    expandable: ['payment_intent', 'customer'],
    handle: ({ store, path }) => {
      const charge = store.charges.get(path.id);
      if (!charge) throw resourceMissing('charge', path.id, 'id');
      return clone(charge);
    },
  },
  {
    method: 'GET',
    template: '/v1/charges',
    schema: { ...LIST_PARAMS, payment_intent: { type: 'string' }, customer: { type: 'string' }, created: { type: 'any' } },
    list: true,
    expandable: ['payment_intent', 'customer'],
    handle: ({ store, params }) => {
      const pi = str(params, 'payment_intent');
      const customer = str(params, 'customer');
      const items = newestFirst(store.charges.values()).filter(
        (c) => (pi === undefined || c.payment_intent === pi) && (customer === undefined || c.customer === customer),
      );
      return paginate(items, params, '/v1/charges');
    },
  },
  {
    method: 'GET',
    template: '/v1/events/:id',
    schema: { expand: EXPAND },
    handle: ({ store, path }) => {
      const event = store.events.find((e) => e.id === path.id);
      if (!event) throw resourceMissing('event', path.id, 'id');
      return clone(event);
    },
  },
  {
    method: 'GET',
    template: '/v1/events',
    schema: {
      ...LIST_PARAMS,
      type: { type: 'string' },
      types: { type: 'array', of: { type: 'string' } },
      created: { type: 'any' },
    },
    list: true,
    handle: ({ store, params }) => {
      const type = str(params, 'type');
      const types = Array.isArray(params.types) ? (params.types as string[]) : undefined;
      const matches = (t: string): boolean => {
        if (types) return types.includes(t);
        if (type === undefined) return true;
        // Stripe allows one `*` wildcard: `payment_intent.*`.
        return type.endsWith('*') ? t.startsWith(type.slice(0, -1)) : t === type;
      };
      return paginate(
        newestFirst(store.events).filter((e) => matches(e.type)),
        params,
        '/v1/events',
      );
    },
  },
];
