import Stripe from 'stripe';
import { WebhookSignatureError } from './payment-gateway';

/** How far a signature's timestamp may be from our clock, either way (Stripe's default, 5 minutes). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * `STRIPE_WEBHOOK_SECRET` as the list it may be: comma-separated, spaces around each
 * ignored, empty entries dropped. Several at once let a new signing secret be added
 * before the old one is removed (seed 003: keys rotated monthly).
 */
export function webhookSecrets(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A verified delivery: the event's id, type and creation time, and its `data.object` untouched (it may be anything). */
export interface SignedEvent {
  id: string;
  type: string;
  created: number;
  object: unknown;
}

/**
 * Verifies `Stripe-Signature` (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, one
 * or more v1) over the RAW body: the HMAC must match for at least one of `secrets`, and
 * `t` must be within `WEBHOOK_TOLERANCE_SECONDS` of `nowMs`, in the past or the future.
 * Stripe's own verifier (stripe 23) checks the HMAC and only the past: a timestamp an hour
 * ahead passed it, and so would a captured delivery replayed within that hour. So it
 * checks the HMAC here (tolerance 0) and the timestamp is ours.
 * Only the envelope is checked here (an event id and type); `data.object` is the
 * handler's to judge.
 *
 * @throws WebhookSignatureError when the header is missing, matches no secret, its
 *   timestamp is out of tolerance, or the signed body is not an event.
 */
export function verifyStripeSignature(
  rawBody: Buffer,
  header: string | undefined,
  secrets: readonly string[],
  nowMs: number = Date.now(),
): SignedEvent {
  if (!header) throw new WebhookSignatureError('No Stripe-Signature header');
  if (secrets.length === 0) throw new WebhookSignatureError('No webhook signing secret is configured');
  let event: unknown;
  let lastError: unknown;
  for (const secret of secrets) {
    try {
      // Tolerance 0: Stripe checks the HMAC only; the timestamp is checked below, both ways.
      event = Stripe.webhooks.constructEvent(rawBody, header, secret, 0);
      break;
    } catch (error) {
      lastError = error;
    }
  }
  if (event === undefined) {
    throw new WebhookSignatureError(lastError instanceof Error ? lastError.message : 'The webhook signature does not verify');
  }
  const timestamp = signedAt(header);
  const skew = timestamp === null ? Infinity : timestamp - Math.floor(nowMs / 1000);
  if (Math.abs(skew) > WEBHOOK_TOLERANCE_SECONDS) {
    throw new WebhookSignatureError(`Timestamp outside the tolerance zone (${skew > 0 ? 'in the future' : 'too old'})`);
  }
  const e = event as { id?: unknown; type?: unknown; created?: unknown; data?: unknown };
  if (typeof e.id !== 'string' || e.id === '' || typeof e.type !== 'string' || e.type === '') {
    throw new WebhookSignatureError('The signed body is not a Stripe event');
  }
  const data = e.data !== null && typeof e.data === 'object' && !Array.isArray(e.data) ? (e.data as { object?: unknown }) : {};
  return { id: e.id, type: e.type, created: typeof e.created === 'number' ? e.created : 0, object: data.object ?? null };
}

/** The `t=` the HMAC was checked with: Stripe's parser keeps the last one in the header. */
function signedAt(header: string): number | null {
  let timestamp: number | null = null;
  for (const item of header.split(',')) {
    const [key, value] = item.split('=');
    if (key === 't') timestamp = Number.parseInt(value ?? '', 10);
  }
  return timestamp !== null && Number.isFinite(timestamp) ? timestamp : null;
}
