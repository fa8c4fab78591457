import type { EventObject } from './fake-stripe/index';

/** The PaymentIntent a Stripe event is about: the intent itself, or a charge's (refund's) `payment_intent`. */
export function intentOf(event: EventObject): string | null {
  const o = event.data.object;
  if (event.type.startsWith('payment_intent.')) return o.id as string;
  return typeof o.payment_intent === 'string' ? o.payment_intent : null;
}
