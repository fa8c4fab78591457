import { testCardById } from '../../../src/payments/stripe-model';
import { invalidRequest, resourceMissing } from './errors';
import type { PaymentMethodObject } from './objects';
import { LIST_PARAMS, newestFirst, paginate, type Route } from './router';
import { EXPAND, str } from './schema';
import { clone, type FakeStripeStore } from './store';

const REUSE_REFUSED =
  'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.';

/**
 * The PaymentMethod a parameter names: a test id becomes a new `pm_...` (Stripe's
 * behaviour), an unknown id is a 400 `resource_missing` on that parameter.
 */
export function resolvePaymentMethod(store: FakeStripeStore, id: string, param: string): PaymentMethodObject {
  if (testCardById(id)) return store.materialize(id);
  const pm = store.paymentMethods.get(id);
  if (!pm) throw resourceMissing('PaymentMethod', id, param, 400);
  return pm;
}

/** Whether `pm` may pay for an intent of `customerId`: not spent, and not someone else's card. */
export function checkUsableFor(store: FakeStripeStore, pm: PaymentMethodObject, customerId: string | null, param: string): void {
  if (store.paymentMethodSide.get(pm.id)?.consumed) throw invalidRequest(REUSE_REFUSED, { param });
  if (pm.customer !== null && customerId === null) {
    throw invalidRequest(
      'The provided PaymentMethod is attached to a Customer. To use it, provide that Customer in the `customer` parameter as well.',
      { param },
    );
  }
  if (pm.customer !== null && pm.customer !== customerId) {
    throw invalidRequest(`The provided PaymentMethod belongs to a different Customer (${pm.customer}) than ${customerId}.`, {
      param,
    });
  }
}

/** Attaches (a test id first becomes a new PaymentMethod, as with Stripe). */
export function attachPaymentMethod(
  store: FakeStripeStore,
  id: string,
  customerId: string,
  notFoundStatus: 400 | 404,
): PaymentMethodObject {
  let pm: PaymentMethodObject | undefined;
  if (testCardById(id)) pm = store.materialize(id);
  else pm = store.paymentMethods.get(id);
  if (!pm) throw resourceMissing('PaymentMethod', id, 'payment_method', notFoundStatus);
  if (store.paymentMethodSide.get(pm.id)?.consumed) {
    throw invalidRequest(
      'This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.',
      { param: 'payment_method' },
    );
  }
  if (pm.customer === customerId) return pm;
  if (pm.customer !== null) {
    throw invalidRequest('The payment method you provided has already been attached to a customer.', { param: 'payment_method' });
  }
  pm.customer = customerId;
  return pm;
}

/** Detaches; the card is then spent (Stripe refuses to reuse a detached PaymentMethod). */
export function detachPaymentMethod(store: FakeStripeStore, pm: PaymentMethodObject): void {
  if (pm.customer === null) {
    throw invalidRequest('The payment method you provided is not attached to a customer so detachment is impossible.', {
      param: 'payment_method',
    });
  }
  const customer = store.customers.get(pm.customer);
  if (customer && customer.invoice_settings.default_payment_method === pm.id) {
    customer.invoice_settings.default_payment_method = null;
  }
  pm.customer = null;
  const side = store.paymentMethodSide.get(pm.id);
  if (side) side.consumed = true;
}

function findPaymentMethod(store: FakeStripeStore, id: string): PaymentMethodObject {
  const pm = store.paymentMethods.get(id) ?? store.virtualTestPaymentMethod(id);
  if (!pm) throw resourceMissing('PaymentMethod', id, 'payment_method');
  return pm;
}

export const paymentMethodRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v1/payment_methods/:id',
    schema: { expand: EXPAND },
    expandable: ['customer'],
    handle: ({ store, path }) => clone(findPaymentMethod(store, path.id)),
  },
  {
    method: 'POST',
    template: '/v1/payment_methods/:id/attach',
    schema: { customer: { type: 'string', required: true }, expand: EXPAND },
    expandable: ['customer'],
    handle: ({ store, path, params }) => {
      const customerId = str(params, 'customer')!;
      if (!store.customers.has(customerId)) throw resourceMissing('customer', customerId, 'customer', 400);
      return clone(attachPaymentMethod(store, path.id, customerId, 404));
    },
  },
  {
    method: 'POST',
    template: '/v1/payment_methods/:id/detach',
    schema: { expand: EXPAND },
    expandable: ['customer'],
    handle: ({ store, path }) => {
      const pm = findPaymentMethod(store, path.id);
      detachPaymentMethod(store, pm);
      return clone(pm);
    },
  },
  {
    method: 'GET',
    template: '/v1/payment_methods',
    schema: { ...LIST_PARAMS, customer: { type: 'string' }, type: { type: 'string' } },
    list: true,
    expandable: ['customer'],
    handle: ({ store, params }) => {
      const customer = str(params, 'customer');
      const type = str(params, 'type');
      if (customer !== undefined && !store.customers.has(customer)) throw resourceMissing('customer', customer, 'customer', 400);
      const items = newestFirst(store.paymentMethods.values()).filter(
        (pm) => (customer === undefined || pm.customer === customer) && (type === undefined || pm.type === type),
      );
      return paginate(items, params, '/v1/payment_methods');
    },
  },
  {
    method: 'GET',
    template: '/v1/customers/:id/payment_methods',
    schema: {
      ...LIST_PARAMS,
      type: { type: 'string' },
      allow_redisplay: { type: 'enum', values: ['always', 'limited', 'unspecified'] },
    },
    list: true,
    expandable: ['customer'],
    handle: ({ store, params, path }) => {
      if (!store.customers.has(path.id)) throw resourceMissing('customer', path.id, 'customer');
      const type = str(params, 'type');
      const items = newestFirst(store.paymentMethods.values()).filter(
        (pm) => pm.customer === path.id && (type === undefined || pm.type === type),
      );
      return paginate(items, params, `/v1/customers/${path.id}/payment_methods`);
    },
  },
];
