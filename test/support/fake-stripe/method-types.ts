import { invalidRequest } from './errors';
import { has, hash, strings, type Params, type Schema } from './schema';

/**
 * Which payment method types a PaymentIntent or a SetupIntent accepts, and the parameters
 * that say so (the same on both, as on Stripe).
 */

/** The fields of an intent (payment or setup) that say which payment methods it accepts. */
export interface MethodTypes {
  allowed_payment_method_types: string[] | null;
  automatic_payment_methods: { enabled: boolean; allow_redirects?: 'always' | 'never' } | null;
  excluded_payment_method_types: string[] | null;
  payment_method_types: string[];
}

export const AUTOMATIC_PAYMENT_METHODS: Schema = {
  enabled: { type: 'boolean', required: true },
  allow_redirects: { type: 'enum', values: ['always', 'never'] },
};

/**
 * API version 2026-09-30.endive removed `payment_method_types` as a parameter (400
 * `payment_method_types_no_longer_supported`); `allowed_payment_method_types` (from
 * 2026-07-29.dahlia) and `excluded_payment_method_types` replace it. stripe-node 23 pins
 * 2026-10-28.endive, so by default the old parameter is refused, as Stripe refuses it.
 */
function removesPaymentMethodTypes(apiVersion: string): boolean {
  return apiVersion.slice(0, 10) >= '2026-09-30';
}

export function checkPaymentMethodTypes(params: Params, apiVersion: string): void {
  if (has(params, 'payment_method_types') && removesPaymentMethodTypes(apiVersion)) {
    throw invalidRequest(
      `The \`payment_method_types\` parameter is no longer supported on API version ${apiVersion}. Use \`allowed_payment_method_types\` to limit the payment methods, or \`excluded_payment_method_types\` to exclude some from dynamic payment methods.`,
      { code: 'payment_method_types_no_longer_supported', param: 'payment_method_types' },
    );
  }
  const exclusive = (a: string, b: string): void => {
    if (has(params, a) && has(params, b)) {
      throw invalidRequest(`You may only specify one of these parameters: ${a}, ${b}.`, {
        code: 'parameters_exclusive',
        param: a,
      });
    }
  };
  exclusive('allowed_payment_method_types', 'payment_method_types');
  exclusive('allowed_payment_method_types', 'excluded_payment_method_types');
  exclusive('allowed_payment_method_types', 'automatic_payment_methods');
  exclusive('automatic_payment_methods', 'payment_method_types');
  // The old parameter errors on a type it cannot offer (the new one filters silently).
  for (const [i, type] of (strings(params, 'payment_method_types') ?? []).entries()) {
    if (type !== 'card') {
      throw invalidRequest(`The payment method type "${type}" is invalid or not simulated by the fake Stripe: only card is.`, {
        param: `payment_method_types[${i}]`,
      });
    }
  }
}

/** What the fake can offer: cards only. */
export const SIMULATED_TYPES = ['card'];

/**
 * Sets which payment methods the intent (a PaymentIntent or a SetupIntent) accepts from `payment_method_types` (old
 * versions), `allowed_payment_method_types` (a fixed list, filtered to what is available)
 * or dynamic payment methods (`automatic_payment_methods`, minus `excluded_payment_method_types`).
 * Returns false when the parameters say nothing about it.
 */
export function applyMethodTypes(pi: MethodTypes, params: Params): boolean {
  const types = strings(params, 'payment_method_types');
  const allowed = strings(params, 'allowed_payment_method_types');
  const apm = hash(params, 'automatic_payment_methods');
  if (types) {
    pi.payment_method_types = types;
    pi.automatic_payment_methods = null;
    pi.allowed_payment_method_types = null;
    pi.excluded_payment_method_types = null;
  } else if (allowed) {
    pi.allowed_payment_method_types = allowed;
    pi.payment_method_types = allowed.filter((t) => SIMULATED_TYPES.includes(t));
    pi.automatic_payment_methods = null;
    pi.excluded_payment_method_types = null;
  } else if (apm || has(params, 'excluded_payment_method_types')) {
    if (apm) {
      pi.automatic_payment_methods = {
        enabled: apm.enabled as boolean,
        ...(apm.allow_redirects ? { allow_redirects: apm.allow_redirects as 'always' | 'never' } : {}),
      };
    } else if (!pi.automatic_payment_methods) {
      pi.automatic_payment_methods = { enabled: true };
    }
    if (has(params, 'excluded_payment_method_types')) {
      pi.excluded_payment_method_types = strings(params, 'excluded_payment_method_types') ?? null;
    }
    pi.allowed_payment_method_types = null;
    pi.payment_method_types = SIMULATED_TYPES.filter((t) => !(pi.excluded_payment_method_types ?? []).includes(t));
  } else {
    return false;
  }
  return true;
}
