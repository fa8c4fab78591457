import { MAX_INPUT_DEPTH, nestedDeeperThan } from '@holdfast/errors';
import { intentFromStripeObject, setupIntentFromStripeObject } from './intent-mapper';
import type { IntentSnapshot, SetupIntentSnapshot } from './payment-gateway';

/**
 * What became of a provider event: processed (applied); pending (names a payment we do
 * not know yet); ignored (a type we do not handle); unprocessable (signed, but its object
 * is not what its type promises: kept with the reason, acknowledged, nothing applied).
 */
export type ProviderEventOutcome = 'processed' | 'pending' | 'ignored' | 'unprocessable';

/** A verified provider event as it is applied: its type, its `data.object` and its `created` (Unix seconds). */
export interface ProviderEventInput {
  type: string;
  object: unknown;
  created: unknown;
}

/** One refund the provider reports (ours carry our refund id in their metadata). */
export interface ProviderRefund {
  id: string;
  amount: number;
  status: string;
  refundId: string | null;
}

/** What one provider event says, in our terms (see `readProviderEvent`). */
export type ProviderEventReading =
  | { kind: 'unprocessable'; reason: string }
  | { kind: 'ignored' }
  | { kind: 'intent'; intent: IntentSnapshot; createdAt: Date | undefined }
  | { kind: 'setup'; setupIntent: SetupIntentSnapshot }
  | { kind: 'refunds'; intentId: string; amountRefunded: number; refunds: ProviderRefund[] };

/** One refund each: created (in our API call or in the dashboard) or changed (e.g. pending -> succeeded). */
const REFUND_EVENTS = new Set(['refund.created', 'refund.updated', 'charge.refunded', 'charge.refund.updated']);

/**
 * Reads a Stripe event (or the simulated provider's, same shapes) into what it means
 * for us. What each type promises: a PaymentIntent with a string id and a known status
 * for `payment_intent.*`; a SetupIntent likewise for `setup_intent.*`; a Charge or Refund with a string id, whose `payment_intent` is
 * absent, an id, or an expanded object with one, for the refund events. A signed event
 * that breaks its promise would fail the same way on every retry: it is `unprocessable`.
 * `charge.refunded` carries the charge's `amount_refunded` (and, before API version
 * 2022-11-15 or when expanded, its refunds); the `refund.*` events carry one refund each,
 * which is how a dashboard refund gets its own row on current API versions.
 */
export function readProviderEvent(event: ProviderEventInput): ProviderEventReading {
  const { type, object } = event;
  if (nestedDeeperThan(object, MAX_INPUT_DEPTH)) {
    return { kind: 'unprocessable', reason: `data.object is nested more than ${MAX_INPUT_DEPTH} levels deep` };
  }
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    const what = object === null ? 'null' : Array.isArray(object) ? 'an array' : typeof object;
    return { kind: 'unprocessable', reason: `data.object is ${what}, not an object` };
  }
  const o = object as Record<string, unknown>;
  if (type.startsWith('payment_intent.')) {
    let intent: IntentSnapshot;
    try {
      intent = intentFromStripeObject(o);
    } catch (error) {
      return {
        kind: 'unprocessable',
        reason: `data.object is ${error instanceof Error ? error.message : 'not a PaymentIntent'}`,
      };
    }
    const created = event.created;
    const createdAt =
      typeof created === 'number' && Number.isFinite(created) && created > 0 ? new Date(created * 1000) : undefined;
    return { kind: 'intent', intent, createdAt };
  }
  if (type.startsWith('setup_intent.')) {
    // A card saved for a vehicle's scheduled authorisation (payment-setups.service.ts).
    try {
      return { kind: 'setup', setupIntent: setupIntentFromStripeObject(o) };
    } catch (error) {
      return { kind: 'unprocessable', reason: `data.object is ${error instanceof Error ? error.message : 'not a SetupIntent'}` };
    }
  }
  if (!REFUND_EVENTS.has(type)) return { kind: 'ignored' };
  if (typeof o.id !== 'string' || o.id === '') return { kind: 'unprocessable', reason: 'data.object has no string id' };
  const intent = o.payment_intent;
  if (intent !== undefined && intent !== null && idOf(intent) === null) {
    return { kind: 'unprocessable', reason: 'data.object.payment_intent is not an id' };
  }
  const intentId = idOf(intent);
  if (!intentId) return { kind: 'ignored' }; // a charge without a PaymentIntent is none of ours
  if (type === 'charge.refunded') {
    const list = (o.refunds as { data?: unknown } | null | undefined)?.data;
    const amountRefunded =
      Number.isSafeInteger(o.amount_refunded) && (o.amount_refunded as number) > 0 ? (o.amount_refunded as number) : 0;
    return { kind: 'refunds', intentId, amountRefunded, refunds: refundsOf(Array.isArray(list) ? list : []) };
  }
  return { kind: 'refunds', intentId, amountRefunded: 0, refunds: refundsOf([o]) };
}

function refundsOf(list: unknown[]): ProviderRefund[] {
  return list
    .filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object')
    .filter((r) => typeof r.id === 'string' && Number.isSafeInteger(r.amount) && (r.amount as number) > 0)
    .map((r) => ({
      id: r.id as string,
      amount: r.amount as number,
      status: String(r.status),
      refundId: ourRefundId(r.metadata),
    }));
}

/** An expandable field: the id itself, or the expanded object's id. */
function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value || null;
  const id = value !== null && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id !== '' ? id : null;
}

/** Our refund row's id, which `RefundsService` puts in the provider refund's metadata. */
function ourRefundId(metadata: unknown): string | null {
  const id = metadata !== null && typeof metadata === 'object' ? (metadata as { refundId?: unknown }).refundId : undefined;
  return typeof id === 'string' ? id : null;
}
