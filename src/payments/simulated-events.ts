import { createHmac } from 'node:crypto';
import type { Clock } from '@holdfast/clock';
import { Logger } from '@nestjs/common';
import type { PaymentEventRelay } from './payment-event-relay';
import { randomSuffix } from './simulated-objects';

/** A Stripe event as the simulated provider sends it (the fields Stripe's v1 events have). */
export interface SimulatedEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: string | null };
  type: string;
}

/**
 * The `Stripe-Signature` header exactly as Stripe (and `stripe.webhooks.generateTestHeaderString`)
 * writes it: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed by the endpoint secret>`.
 */
export function signWebhookPayload(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

/**
 * The simulated provider's webhook sender. Events are delivered one at a time, in the
 * order they happened, each after the call that caused it has returned (as with Stripe,
 * the API answer comes first). Event times and signatures follow the app's clock (the
 * provider is in-process: a test that moves the clock moves its time too, so a delivery
 * is never "stale" to the app). Each attempt is signed afresh, like Stripe's; a failed
 * delivery (the handler threw: our endpoint would have answered 4xx/5xx) is retried with
 * a short backoff, then given up and logged.
 */
export class SimulatedEventOutbox {
  private readonly logger = new Logger('SimulatedPayments');
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly relay: PaymentEventRelay,
    private readonly secret: string,
    private readonly apiVersion: string,
    /** Waits between attempts; its length is the number of retries. */
    private readonly retryDelaysMs: readonly number[],
    private readonly clock: Clock,
  ) {}

  /** Records an event now (its object as it is at this moment) and queues its delivery. */
  publish(type: string, object: Record<string, unknown>, idempotencyKey: string | null): SimulatedEvent {
    const event: SimulatedEvent = {
      id: `evt_sim_${randomSuffix()}`,
      object: 'event',
      api_version: this.apiVersion,
      created: this.clock.nowSeconds(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: idempotencyKey },
      type,
    };
    this.pending++;
    this.tail = this.tail
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => this.deliver(event))
      .finally(() => this.pending--);
    return event;
  }

  /** Resolves once every queued event (including any queued while waiting) has been delivered or given up. */
  async flush(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }

  private async deliver(event: SimulatedEvent): Promise<void> {
    // Stripe posts events pretty-printed; the signature covers these exact bytes.
    const payload = JSON.stringify(event, null, 2);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.relay.deliver(Buffer.from(payload, 'utf8'), signWebhookPayload(payload, this.secret, this.clock.nowSeconds()));
        return;
      } catch (error) {
        const delay = this.retryDelaysMs[attempt];
        if (delay === undefined) {
          this.logger.error(
            { err: error, eventId: event.id, type: event.type, attempts: attempt + 1 },
            `Simulated webhook ${event.type} (${event.id}) could not be delivered; giving up`,
          );
          return;
        }
        this.logger.warn(
          { err: error, eventId: event.id, type: event.type, attempt: attempt + 1 },
          `Simulated webhook ${event.type} (${event.id}) failed; retrying in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
