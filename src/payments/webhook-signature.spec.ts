import { describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { WebhookSignatureError } from './payment-gateway';
import { verifyStripeSignature, WEBHOOK_TOLERANCE_SECONDS, webhookSecrets } from './webhook-signature';

const body = JSON.stringify({
  id: 'evt_1',
  object: 'event',
  type: 'payment_intent.succeeded',
  created: 1,
  data: { object: null },
});
const NOW_MS = 1_800_000_000_000;
const nowS = NOW_MS / 1000;
const sign = (secret: string, timestamp: number) =>
  Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });

describe('webhookSecrets', () => {
  it('splits a comma-separated list, trimming and dropping empty entries', () => {
    expect(webhookSecrets('whsec_a')).toEqual(['whsec_a']);
    expect(webhookSecrets(' whsec_a , whsec_b,,')).toEqual(['whsec_a', 'whsec_b']);
  });
});

describe('verifyStripeSignature', () => {
  const verify = (header: string | undefined, secrets = ['whsec_new', 'whsec_old']) =>
    verifyStripeSignature(Buffer.from(body), header, secrets, NOW_MS);

  it('accepts a signature by any secret of the list, and returns the object untouched (null here)', () => {
    expect(verify(sign('whsec_old', nowS))).toEqual({ id: 'evt_1', type: 'payment_intent.succeeded', created: 1, object: null });
    expect(verify(sign('whsec_new', nowS)).id).toBe('evt_1');
    expect(() => verify(sign('whsec_other', nowS))).toThrow(WebhookSignatureError);
    expect(() => verify(undefined)).toThrow(WebhookSignatureError);
    expect(() => verify(sign('whsec_new', nowS), [])).toThrow(WebhookSignatureError);
  });

  it('applies the tolerance both ways', () => {
    expect(verify(sign('whsec_new', nowS + WEBHOOK_TOLERANCE_SECONDS)).id).toBe('evt_1');
    expect(verify(sign('whsec_new', nowS - WEBHOOK_TOLERANCE_SECONDS)).id).toBe('evt_1');
    expect(() => verify(sign('whsec_new', nowS + WEBHOOK_TOLERANCE_SECONDS + 1))).toThrow(/future/);
    expect(() => verify(sign('whsec_new', nowS - WEBHOOK_TOLERANCE_SECONDS - 1))).toThrow(/too old/);
    expect(() => verify(sign('whsec_new', nowS + 3600))).toThrow(WebhookSignatureError);
  });
});
