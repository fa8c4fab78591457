import { createHmac } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { randomSuffix } from './simulated-objects.js';
/**
 * The `Stripe-Signature` header exactly as Stripe (and `stripe.webhooks.generateTestHeaderString`)
 * writes it: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed by the endpoint secret>`.
 */
export function signWebhookPayload(payload, secret, timestamp = Math.floor(Date.now() / 1000)) {
    const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
    return `t=${timestamp},v1=${signature}`;
}
/**
 * The simulated provider's webhook sender. Events are delivered one at a time, in the
 * order they happened, each after the call that caused it has returned (as with Stripe,
 * the API answer comes first). Each attempt is signed afresh, like Stripe's; a failed
 * delivery (the handler threw: our endpoint would have answered 4xx/5xx) is retried with
 * a short backoff, then given up and logged.
 */
export class SimulatedEventOutbox {
    constructor(relay, secret, apiVersion, 
    /** Waits between attempts; its length is the number of retries. */
    retryDelaysMs) {
        this.relay = relay;
        this.secret = secret;
        this.apiVersion = apiVersion;
        this.retryDelaysMs = retryDelaysMs;
        this.logger = new Logger('SimulatedPayments');
        this.tail = Promise.resolve();
        this.pending = 0;
    }
    /** Records an event now (its object as it is at this moment) and queues its delivery. */
    publish(type, object, idempotencyKey) {
        const event = {
            id: `evt_sim_${randomSuffix()}`,
            object: 'event',
            api_version: this.apiVersion,
            created: Math.floor(Date.now() / 1000),
            data: { object: structuredClone(object) },
            livemode: false,
            pending_webhooks: 1,
            request: { id: null, idempotency_key: idempotencyKey },
            type,
        };
        this.pending++;
        this.tail = this.tail
            .then(() => new Promise((resolve) => setImmediate(resolve)))
            .then(() => this.deliver(event))
            .finally(() => this.pending--);
        return event;
    }
    /** Resolves once every queued event (including any queued while waiting) has been delivered or given up. */
    async flush() {
        while (this.pending > 0)
            await this.tail;
    }
    async deliver(event) {
        // Stripe posts events pretty-printed; the signature covers these exact bytes.
        const payload = JSON.stringify(event, null, 2);
        for (let attempt = 0;; attempt++) {
            try {
                await this.relay.deliver(Buffer.from(payload, 'utf8'), signWebhookPayload(payload, this.secret));
                return;
            }
            catch (error) {
                const delay = this.retryDelaysMs[attempt];
                if (delay === undefined) {
                    this.logger.error({ err: error, eventId: event.id, type: event.type, attempts: attempt + 1 }, `Simulated webhook ${event.type} (${event.id}) could not be delivered; giving up`);
                    return;
                }
                this.logger.warn({ err: error, eventId: event.id, type: event.type, attempt: attempt + 1 }, `Simulated webhook ${event.type} (${event.id}) failed; retrying in ${delay} ms`);
                await new Promise((resolve) => setTimeout(resolve, delay));
            }
        }
    }
}
//# sourceMappingURL=simulated-events.js.map