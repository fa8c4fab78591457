import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * Webhook signing exactly as Stripe (and `stripe.webhooks.generateTestHeaderString`) does
 * it: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed by
 * the endpoint secret>`.
 */
export function signPayload(payload: string, secret: string, timestamp: number = Math.floor(Date.now() / 1000)): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

/** Stripe posts events pretty-printed, two spaces. */
export function serializeEvent(event: unknown): string {
  return JSON.stringify(event, null, 2);
}

/** One POST of an event to the webhook endpoint, and what the endpoint answered. */
export interface WebhookDelivery {
  eventId: string;
  type: string;
  url: string;
  /** The endpoint's HTTP status; `null` when it could not be reached. */
  status: number | null;
  /** The endpoint's response body. */
  responseBody: string;
  /** Connection error, when `status` is null. */
  error: string | null;
  /** Exactly what was sent. */
  payload: string;
  signature: string;
  at: number;
}

export interface PostResult {
  status: number | null;
  body: string;
  error: string | null;
}

/** POSTs `payload` with Stripe's webhook headers. Never rejects: failures are in the result. */
export function postWebhook(url: string, payload: string, signature: string, timeoutMs = 10_000): Promise<PostResult> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        // A fresh connection per delivery: nothing kept alive once the test ends.
        agent: false,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(payload),
          'Stripe-Signature': signature,
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Cache-Control': 'no-cache',
          Accept: '*/*; q=0.5, application/xml',
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8'), error: null }),
        );
        res.on('error', (error) => resolve({ status: res.statusCode ?? null, body: '', error: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`webhook endpoint did not answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: null, body: '', error: error.message }));
    req.end(payload);
  });
}
