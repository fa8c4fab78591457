import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import type { Response } from 'supertest';
import { createOffering, createSlot } from './factories/inventory.factory';
import { createTestApp, type TestApp } from './support/test-app';

const WEBHOOK_SECRET = 'whsec_protection_e2e_secret';
const stripe = new Stripe('sk_test_x');

function expectRateLimited(res: Response): void {
  expect({ status: res.status, body: res.body }).toEqual({
    status: 429,
    body: { error: 'RATE_LIMITED', message: expect.any(String), requestId: expect.any(String) },
  });
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
}

/**
 * Protection (issue 5, item 2) on the real app: rate limits per user and per IP with 429
 * and Retry-After, the stricter hold/convert limit, the webhook and health probes left
 * alone, security headers, and CORS. One app at a time (passport's strategy is global).
 */
describe('rate limits', () => {
  let t: TestApp;
  let offeringId: string;
  let slotId: string;

  // Low limits for this app only: 5 requests a minute per caller, 2 holds and converts.
  beforeAll(async () => {
    t = await createTestApp({
      env: {
        RATE_LIMIT_PER_MINUTE: '5',
        RATE_LIMIT_HOLD_PER_MINUTE: '2',
        PAYMENT_PROVIDER: 'simulated',
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
    });
    const offering = await createOffering(t.dataSource);
    offeringId = offering.id;
    slotId = (await createSlot(t.dataSource, offering.id, { capacity: 20 })).id;
  });
  afterAll(async () => t?.close());

  const hold = (user: string) =>
    t.http
      .post('/v1/reservations/hold')
      .set('Authorization', `Bearer ${t.token(user)}`)
      .set('X-Idempotency-Key', randomUUID())
      .send({ experienceId: offeringId, timeSlotId: slotId, numberOfGuests: 1, guestName: 'G', guestEmail: 'g@example.com' });
  const convert = (user: string, holdId: string) =>
    t.http
      .post('/v1/reservations/hold/convert')
      .set('Authorization', `Bearer ${t.token(user)}`)
      .set('X-Idempotency-Key', randomUUID())
      .send({ holdId });
  const held = async () =>
    ((await t.dataSource.query('SELECT held FROM time_slots WHERE id = $1', [slotId])) as { held: number }[])[0].held;

  it('answers 429 RATE_LIMITED with Retry-After past the hold limit, counting hold and convert together, and takes nothing', async () => {
    const before = await held();
    const first = await hold('rl-alice').expect(200);
    await hold('rl-alice').expect(200);
    expectRateLimited(await hold('rl-alice'));
    expectRateLimited(await convert('rl-alice', (first.body as { reservation: { id: string } }).reservation.id));
    expect(await held()).toBe(before + 2);

    // The other routes still have the general allowance (5, of which 4 are spent), then they too answer 429.
    await t.http
      .get('/v1/reservations')
      .set('Authorization', `Bearer ${t.token('rl-alice')}`)
      .expect(200);
    expectRateLimited(await t.http.get('/v1/reservations').set('Authorization', `Bearer ${t.token('rl-alice')}`));
  });

  it('keys signed-in callers by user: another user on the same address is not limited', async () => {
    for (let i = 0; i < 3; i++) await hold('rl-bob');
    expectRateLimited(await hold('rl-bob'));
    await hold('rl-carol').expect(200);
    // Nor are anonymous callers from that address (supertest's 127.0.0.1).
    await t.http.get('/v1/catalog/offerings').expect(200);
  });

  it('keys anonymous callers by client IP (X-Forwarded-For from a trusted proxy)', async () => {
    const browse = (ip: string) => t.http.get('/v1/catalog/offerings').set('X-Forwarded-For', ip);
    for (let i = 0; i < 5; i++) await browse('203.0.113.7').expect(200);
    expectRateLimited(await browse('203.0.113.7'));
    await browse('203.0.113.8').expect(200);
    // A signed-in user behind that address keeps their own allowance.
    await t.http
      .get('/v1/reservations')
      .set('X-Forwarded-For', '203.0.113.7')
      .set('Authorization', `Bearer ${t.token('rl-dave')}`)
      .expect(200);
  });

  it('limits POST /graphql like the REST API, once per request however many fields it asks for', async () => {
    const admin = `Bearer ${t.token('rl-gql-admin', ['admin'])}`;
    const query = '{ deadJobs { id } supportCases { page { total } } auditLog { page { total } } }';
    for (let i = 0; i < 5; i++) {
      const res = await t.http.post('/graphql').set('Authorization', admin).send({ query }).expect(200);
      expect(res.body.errors).toBeUndefined();
    }
    expectRateLimited(await t.http.post('/graphql').set('Authorization', admin).send({ query }));
  });

  it('never limits the Stripe webhook, which still checks every signature', async () => {
    const ip = '203.0.113.20';
    const deliver = (payload: string, signature: string) =>
      t.http
        .post('/v1/webhooks/stripe')
        .set('X-Forwarded-For', ip)
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', signature)
        .send(payload);
    for (let i = 0; i < 8; i++) {
      const payload = JSON.stringify({
        id: `evt_${randomUUID().replace(/-/g, '')}`,
        object: 'event',
        type: 'customer.created',
        created: Math.floor(Date.now() / 1000),
        data: { object: { id: `cus_${i}`, object: 'customer' } },
      });
      const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
      await deliver(payload, signature).expect(200);
    }
    const forged = await deliver('{"id":"evt_forged","type":"payment_intent.succeeded"}', 't=1,v1=deadbeef');
    expect({ status: forged.status, error: (forged.body as { error: string }).error }).toEqual({
      status: 400,
      error: 'VALIDATION_FAILED',
    });
    // The deliveries did not spend the address's allowance either.
    await t.http.get('/v1/catalog/offerings').set('X-Forwarded-For', ip).expect(200);
  });

  it('never limits the health probes', async () => {
    for (let i = 0; i < 8; i++) await t.http.get('/health/live').set('X-Forwarded-For', '203.0.113.30').expect(200);
  });

  it('documents 429 with Retry-After on limited operations, and not on the webhook', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>>;
    };
    expect(doc.paths['/v1/reservations/hold'].post.responses['429'].headers).toHaveProperty('Retry-After');
    expect(doc.paths['/v1/catalog/offerings'].get.responses['429']).toBeDefined();
    expect(doc.paths['/v1/webhooks/stripe'].post.responses['429']).toBeUndefined();
    expect(doc.paths['/health/live'].get.responses['429']).toBeUndefined();
  });
});

describe('security headers (helmet)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  const expectHeaders = (res: Response) => {
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': expect.stringContaining('max-age='),
      'content-security-policy': expect.stringContaining("script-src 'self'"),
    });
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(res.headers['x-powered-by']).toBeUndefined();
  };

  it('sends them on API responses, errors included', async () => {
    expectHeaders(await t.http.get('/v1/catalog/offerings').expect(200));
    expectHeaders(await t.http.get('/v1/reservations').expect(401));
  });

  it('keeps Swagger UI working: /docs and its scripts load from this origin under the policy', async () => {
    const page = await t.http.get('/docs').expect(200);
    expectHeaders(page);
    // Every script is a file of ours (script-src 'self' allows no inline script).
    const html = page.text;
    expect(html).toContain('swagger-ui-init.js');
    expect(html).not.toMatch(/<script>(?!\s*<\/script>)/);
    const init = await t.http.get('/docs/swagger-ui-init.js').expect(200);
    expect(init.headers['content-type']).toContain('javascript');
    expect(init.text).toContain('SwaggerUIBundle');
    await t.http.get('/docs/swagger-ui-bundle.js').expect(200);
  });
});

describe('CORS', () => {
  const ALLOWED = 'https://app.example.com';
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` } });
  });
  afterAll(async () => t?.close());

  const preflight = (origin: string) =>
    t.http
      .options('/v1/reservations/hold')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type,x-idempotency-key,x-request-id');

  it('allows a preflight from a configured origin, with the headers the API needs', async () => {
    const res = await preflight(ALLOWED).expect(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']?.toLowerCase().split(',')).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'x-idempotency-key', 'x-request-id']),
    );
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect((await preflight('http://localhost:5173')).headers['access-control-allow-origin']).toBe('http://localhost:5173');
  });

  it('lets the browser read the headers clients need on actual responses', async () => {
    const res = await t.http.get('/v1/catalog/offerings').set('Origin', ALLOWED).expect(200);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-expose-headers']?.split(',')).toEqual(
      expect.arrayContaining(['Idempotent-Replayed', 'X-Request-Id', 'Retry-After']),
    );
  });

  it('refuses any other origin: no Access-Control-Allow-Origin, so the browser blocks the call', async () => {
    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.example', 'http://app.example.com']) {
      const res = await preflight(origin);
      expect({ origin, acao: res.headers['access-control-allow-origin'] }).toEqual({ origin, acao: undefined });
      const get = await t.http.get('/v1/catalog/offerings').set('Origin', origin).expect(200);
      expect(get.headers['access-control-allow-origin']).toBeUndefined();
    }
  });
});

describe('CORS when CORS_ORIGINS is empty (the default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('sends no CORS headers at all', async () => {
    const res = await t.http.get('/v1/catalog/offerings').set('Origin', 'https://app.example.com').expect(200);
    expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });
});
