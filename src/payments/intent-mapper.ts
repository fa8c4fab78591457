import type { AttemptError, IntentSnapshot, SetupIntentSnapshot } from './payment-gateway';
import { INTENT_STATUSES, isIn, SETUP_INTENT_STATUSES, type IntentStatus } from './stripe-model';

/** Names older Stripe API versions used for the same states. */
const LEGACY_STATUSES: Record<string, IntentStatus> = {
  requires_source: 'requires_payment_method',
  requires_source_action: 'requires_action',
};

/**
 * A Stripe PaymentIntent, as the SDK returns it (`Stripe.PaymentIntent`) or as a
 * webhook event carries it (`event.data.object`, plain JSON), to what we keep of it.
 * Reads defensively: a webhook payload is only as typed as the JSON it came in, and
 * expandable fields (`latest_charge`, `payment_method`) may be ids or whole objects.
 *
 * @throws Error when the object is not a PaymentIntent (not an object, no string id, or an unknown status).
 */
export function intentFromStripeObject(obj: unknown): IntentSnapshot {
  const o = record(obj);
  if (!o) throw new Error(`not a PaymentIntent: ${obj === null ? 'null' : Array.isArray(obj) ? 'an array' : typeof obj}`);
  const id = str(o.id);
  const rawStatus = str(o.status);
  const status = rawStatus && isIn(rawStatus, INTENT_STATUSES) ? rawStatus : LEGACY_STATUSES[rawStatus ?? ''];
  if (!id || !status || (o.object !== undefined && o.object !== 'payment_intent')) {
    throw new Error(`not a PaymentIntent: id=${String(o.id)} object=${String(o.object)} status=${String(o.status)}`);
  }
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
    lastError: attemptError(o.last_payment_error),
    nextActionType: nextAction ? str(nextAction.type) : null,
    metadata: stringValues(o.metadata),
    ...authorizationOf(o.latest_charge),
  };
}

/**
 * A Stripe SetupIntent (`Stripe.SetupIntent`, or an event's / an error's plain JSON) to
 * what we keep of it.
 *
 * @throws Error when the object is not a SetupIntent.
 */
export function setupIntentFromStripeObject(obj: unknown): SetupIntentSnapshot {
  const o = record(obj);
  const id = str(o?.id);
  const status = str(o?.status);
  if (!o || !id || !status || !isIn(status, SETUP_INTENT_STATUSES) || (o.object !== undefined && o.object !== 'setup_intent')) {
    throw new Error(`not a SetupIntent: id=${String(o?.id)} object=${String(o?.object)} status=${String(o?.status)}`);
  }
  const nextAction = record(o.next_action);
  return {
    id,
    status,
    clientSecret: str(o.client_secret),
    customerId: idOf(o.customer),
    paymentMethodId: idOf(o.payment_method),
    usage: o.usage === 'on_session' ? 'on_session' : 'off_session',
    lastError: attemptError(o.last_setup_error),
    nextActionType: nextAction ? str(nextAction.type) : null,
    metadata: stringValues(o.metadata),
  };
}

function attemptError(value: unknown): AttemptError | null {
  const e = record(value);
  return e ? { code: str(e.code), declineCode: str(e.decline_code), message: str(e.message) } : null;
}

/**
 * The authorisation facts of an expanded `latest_charge` (`payment_method_details.card`:
 * `capture_before` in Unix seconds, `extended_authorization.status`,
 * `incremental_authorization.status`); all null when the charge is only an id.
 */
function authorizationOf(
  charge: unknown,
): Pick<IntentSnapshot, 'captureBefore' | 'extendedAuthorization' | 'incrementalAuthorization'> {
  const card = record(record(record(charge)?.payment_method_details)?.card);
  const captureBefore = card?.capture_before;
  const extended = record(card?.extended_authorization)?.status;
  const incremental = record(card?.incremental_authorization)?.status;
  return {
    captureBefore:
      typeof captureBefore === 'number' && Number.isFinite(captureBefore) && captureBefore > 0
        ? new Date(captureBefore * 1000)
        : null,
    extendedAuthorization: extended === 'enabled' || extended === 'disabled' ? extended : null,
    incrementalAuthorization: incremental === 'available' || incremental === 'unavailable' ? incremental : null,
  };
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function int(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function record(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** An expandable field: the id itself, or the expanded object's id. */
function idOf(value: unknown): string | null {
  return str(value) ?? str(record(value)?.id);
}

function stringValues(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(record(value) ?? {})) if (typeof v === 'string') out[key] = v;
  return out;
}
