import { invalidRequest, resourceMissing } from './errors';
import type { CustomerObject, Metadata } from './objects';
import { attachPaymentMethod, detachPaymentMethod } from './payment-methods';
import { LIST_PARAMS, newestFirst, paginate, type Route } from './router';
import { EXPAND, has, hash, METADATA, str, type Params, type Schema, type Value } from './schema';
import { clone, randomId, type FakeStripeStore } from './store';

/**
 * Stripe's metadata update: keys merge, a key set to `''` is removed, `metadata=''`
 * clears everything.
 */
export function mergeMetadata(current: Metadata, update: Value | undefined): Metadata {
  if (update === undefined) return current;
  if (update === null) return {};
  const next = { ...current };
  for (const [key, value] of Object.entries(update as Record<string, string>)) {
    if (value === '') delete next[key];
    else next[key] = value;
  }
  return next;
}

/** Metadata on create: `''` values are simply not set. */
export function initialMetadata(value: Value | undefined): Metadata {
  return mergeMetadata({}, value);
}

const ANY = { type: 'any' } as const;

const INVOICE_SETTINGS: Schema = {
  default_payment_method: { type: 'string', emptyable: true },
  custom_fields: ANY,
  footer: ANY,
  rendering_options: ANY,
};

const CUSTOMER_FIELDS: Schema = {
  email: { type: 'string', emptyable: true, maxLength: 512 },
  name: { type: 'string', emptyable: true, maxLength: 256 },
  description: { type: 'string', emptyable: true },
  phone: { type: 'string', emptyable: true, maxLength: 20 },
  metadata: METADATA,
  invoice_settings: { type: 'hash', fields: INVOICE_SETTINGS },
  address: ANY,
  shipping: ANY,
  preferred_locales: { type: 'array', of: { type: 'string' }, emptyable: true },
  tax_exempt: { type: 'enum', values: ['exempt', 'none', 'reverse'], emptyable: true },
  expand: EXPAND,
};

function checkEmail(params: Params): void {
  const email = str(params, 'email');
  if (email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw invalidRequest(`Invalid email address: ${email}`, { code: 'email_invalid', param: 'email' });
  }
}

function findCustomer(store: FakeStripeStore, id: string): CustomerObject {
  const customer = store.customers.get(id);
  if (!customer) throw resourceMissing('customer', id, 'id');
  return customer;
}

/** `invoice_settings[default_payment_method]` must name a card attached to this customer. */
function setDefaultPaymentMethod(store: FakeStripeStore, customer: CustomerObject, settings: Params | undefined): void {
  if (!settings || !has(settings, 'default_payment_method')) return;
  const pmId = settings.default_payment_method;
  if (pmId === null) {
    customer.invoice_settings.default_payment_method = null;
    return;
  }
  const pm = store.paymentMethods.get(pmId as string);
  if (!pm || pm.customer !== customer.id) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${String(pmId)}. The payment method must be attached to the customer.`,
      { code: 'resource_missing', param: 'invoice_settings[default_payment_method]' },
    );
  }
  customer.invoice_settings.default_payment_method = pm.id;
}

function applyFields(customer: CustomerObject, params: Params): void {
  for (const key of ['email', 'name', 'description', 'phone'] as const) {
    if (has(params, key)) customer[key] = (params[key] as string | null) ?? null;
  }
  customer.metadata = mergeMetadata(customer.metadata, params.metadata);
  if (has(params, 'preferred_locales')) customer.preferred_locales = (params.preferred_locales as string[] | null) ?? [];
}

export const customerRoutes: Route[] = [
  {
    method: 'POST',
    template: '/v1/customers',
    schema: { ...CUSTOMER_FIELDS, payment_method: { type: 'string' } },
    expandable: ['invoice_settings.default_payment_method'],
    check: checkEmail,
    handle: ({ store, params }) => {
      const customer: CustomerObject = {
        id: store.newId('cus'),
        object: 'customer',
        address: null,
        balance: 0,
        created: store.now(),
        currency: null,
        default_source: null,
        delinquent: false,
        description: null,
        email: null,
        invoice_prefix: randomId(8).toUpperCase(),
        invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
        livemode: false,
        metadata: initialMetadata(params.metadata),
        name: null,
        phone: null,
        preferred_locales: [],
        shipping: null,
        tax_exempt: 'none',
        test_clock: null,
      };
      applyFields(customer, params);
      const pmId = str(params, 'payment_method');
      store.customers.set(customer.id, customer);
      store.created.customers++;
      try {
        if (pmId !== undefined) attachPaymentMethod(store, pmId, customer.id, 400);
        setDefaultPaymentMethod(store, customer, hash(params, 'invoice_settings'));
      } catch (error) {
        // Nothing is created when the request fails.
        for (const pm of store.paymentMethods.values()) if (pm.customer === customer.id) pm.customer = null;
        store.customers.delete(customer.id);
        store.created.customers--;
        throw error;
      }
      return clone(customer);
    },
  },
  {
    method: 'GET',
    template: '/v1/customers/:id',
    schema: { expand: EXPAND },
    expandable: ['invoice_settings.default_payment_method'],
    handle: ({ store, path }) => {
      if (store.deletedCustomers.has(path.id)) return { id: path.id, object: 'customer', deleted: true };
      return clone(findCustomer(store, path.id));
    },
  },
  {
    method: 'POST',
    template: '/v1/customers/:id',
    schema: { ...CUSTOMER_FIELDS, default_source: ANY },
    expandable: ['invoice_settings.default_payment_method'],
    check: checkEmail,
    handle: ({ store, params, path }) => {
      const customer = findCustomer(store, path.id);
      setDefaultPaymentMethod(store, customer, hash(params, 'invoice_settings'));
      applyFields(customer, params);
      return clone(customer);
    },
  },
  {
    method: 'DELETE',
    template: '/v1/customers/:id',
    schema: {},
    handle: ({ store, path }) => {
      findCustomer(store, path.id);
      for (const pm of store.paymentMethods.values()) if (pm.customer === path.id) detachPaymentMethod(store, pm);
      store.customers.delete(path.id);
      store.deletedCustomers.add(path.id);
      return { id: path.id, object: 'customer', deleted: true };
    },
  },
  {
    method: 'GET',
    template: '/v1/customers',
    schema: { ...LIST_PARAMS, email: { type: 'string' } },
    list: true,
    expandable: ['invoice_settings.default_payment_method'],
    handle: ({ store, params }) => {
      const email = str(params, 'email');
      const items = newestFirst(store.customers.values()).filter((c) => email === undefined || c.email === email);
      return paginate(items, params, '/v1/customers');
    },
  },
];
