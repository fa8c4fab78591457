import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { MetricsRegistry } from '../src/metrics/metrics.registry';
import { METRIC, PaymentMetrics } from '../src/payments/metrics.service';
import { HoldExpiryJob } from '../src/reservations/hold-expiry.job';
import { createOffering, createSlot } from './factories/inventory.factory';
import { createTestApp, type TestApp } from './support/test-app';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
const guest = { guestName: 'John Doe', guestEmail: 'john@example.com' };

/** One sample of the exposition text: the value of `name` with exactly these labels, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k, v]));
    if (JSON.stringify(Object.entries(found).sort()) === JSON.stringify(Object.entries(labels).sort())) return Number(match[3]);
  }
  return undefined;
}

/** Every label value of every sample in the text. */
function labelValues(text: string): string[] {
  return [...text.matchAll(/^\w+\{(.*)\} /gm)].flatMap(([, labels]) =>
    [...labels.matchAll(/="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]),
  );
}

describe('GET /metrics without METRICS_TOKEN configured (and the Stripe gateway)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Nothing here calls Stripe: the gateway is only built, its breaker closed.
    t = await createTestApp({
      env: { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_metrics', STRIPE_API_BASE: 'http://127.0.0.1:9' },
    });
  });
  afterAll(async () => t.close());

  it('answers 404 as if the route did not exist, with or without a token', async () => {
    const res = await t.http.get('/metrics').expect(404);
    expect(res.body).toEqual(expect.objectContaining({ error: 'NOT_FOUND' }));
    await t.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(404);
  });

  it("still records metrics, the Stripe circuit breaker's state among them", async () => {
    const text = await t.app.get(MetricsRegistry).metrics();
    expect(sample(text, 'stripe_circuit_state', { state: 'closed' })).toBe(1);
    expect(sample(text, 'stripe_circuit_state', { state: 'open' })).toBe(0);
    expect(sample(text, 'stripe_circuit_state', { state: 'half_open' })).toBe(0);
    expect(sample(text, 'http_requests_total', { method: 'GET', route: '/metrics', status: '404' })).toBe(2);
  });

  it('serves every metric deploy/alerts.yml uses, and docs/operations.md lists every metric and alert', async () => {
    const text = await t.app.get(MetricsRegistry).metrics();
    const served = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({ name, type }));
    const series = new Set(
      served.flatMap(({ name, type }) => (type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name])),
    );
    const rules = (
      parseYaml(readFileSync('deploy/alerts.yml', 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }
    ).groups.flatMap((group) => group.rules);
    // A metric name in PromQL is followed by its label matchers or its range.
    const used = rules.flatMap((rule) => [...rule.expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)].map((m) => m[1]));
    expect(used.length).toBeGreaterThan(20);
    expect(used.filter((name) => name !== 'up' && !series.has(name))).toEqual([]); // `up` is Prometheus's own

    const docs = readFileSync('docs/operations.md', 'utf8');
    expect(served.map(({ name }) => name).filter((name) => !docs.includes(`\`${name}\``))).toEqual([]);
    expect(rules.map((rule) => rule.alert).filter((alert) => !docs.includes(`\`${alert}\``))).toEqual([]);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let t: TestApp;
  let alice: string;
  const scrape = async (): Promise<string> =>
    (await t.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text;
  const hold = (body: object) =>
    t.http
      .post('/v1/reservations/hold')
      .set('Authorization', `Bearer ${alice}`)
      .set('X-Idempotency-Key', randomUUID())
      .send({ ...guest, ...body });
  const backdate = (id: string) =>
    t.dataSource.query(`UPDATE reservations SET hold_expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
  const status = async (id: string) =>
    ((await t.dataSource.query('SELECT status FROM reservations WHERE id = $1', [id])) as { status: string }[])[0].status;

  beforeAll(async () => {
    t = await createTestApp({
      env: { METRICS_TOKEN, PAYMENT_PROVIDER: 'simulated', HOLD_SWEEP_INTERVAL_SECONDS: '3600' },
    });
    alice = t.token('alice');
  });
  afterAll(async () => t.close());

  it('refuses a missing, wrong or non-bearer token with 401 UNAUTHORIZED', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token-of-some-length',
      `Bearer ${METRICS_TOKEN}x`,
      `Basic ${METRICS_TOKEN}`,
      t.token('alice'), // no scheme
      `Bearer ${t.token('root', ['admin'])}`, // a user JWT is not the metrics token
    ]) {
      const req = t.http.get('/metrics');
      if (authorization) req.set('Authorization', authorization);
      const res = await req.expect(401);
      expect(res.body).toEqual(expect.objectContaining({ error: 'UNAUTHORIZED' }));
      expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    }
  });

  it('serves the Prometheus text format with the token, outside /v1 and outside the OpenAPI document', async () => {
    const res = await t.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
    expect(res.text).toMatch(/^# HELP http_requests_total /m);
    expect(res.text).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
    await t.http.get('/v1/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(404);
    const document = (await t.http.get('/docs-json').expect(200)).body as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).filter((path) => path.includes('metrics'))).toEqual([]);
  });

  it('counts requests by route template and status, never by raw URL', async () => {
    const requests = (text: string, method: string, route: string, status: string) =>
      sample(text, 'http_requests_total', { method, route, status }) ?? 0;
    const before = await scrape();
    const offering = await createOffering(t.dataSource);
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 5 });
    const held = await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1 }).expect(200);
    const id = held.body.reservation.id as string;
    const missing = randomUUID();
    await t.http.get(`/v1/reservations/${missing}`).set('Authorization', `Bearer ${alice}`).expect(404);
    await t.http.get(`/v1/no-such-route/${missing}`).expect(404);
    await t.http.get(`/no-such-route/${missing}`).expect(404);
    await t.http.get('/health/live').expect(200);
    await t.http.get('/metrics').expect(401);
    // Refused by the JSON parser before any route matched.
    await t.http.post('/v1/reservations/hold').set('Content-Type', 'application/json').send('{"not json').expect(400);

    const text = await scrape();
    const delta = (method: string, route: string, status: string) =>
      requests(text, method, route, status) - requests(before, method, route, status);
    expect({
      hold: delta('POST', '/v1/reservations/hold', '200'),
      reservation404: delta('GET', '/v1/reservations/:id', '404'),
      unmatched404: delta('GET', 'unmatched', '404'),
      malformed400: delta('POST', 'unmatched', '400'),
      live: delta('GET', '/health/live', '200'),
      metrics401: delta('GET', '/metrics', '401'),
      metrics200: delta('GET', '/metrics', '200'), // the first scrape, counted once it was answered
    }).toEqual({ hold: 1, reservation404: 1, unmatched404: 2, malformed400: 1, live: 1, metrics401: 1, metrics200: 1 });
    const latency = { method: 'POST', route: '/v1/reservations/hold', status: '200' };
    expect(sample(text, 'http_request_duration_seconds_count', latency)).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_bucket', { ...latency, le: '+Inf' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_sum', latency)).toBeGreaterThan(0);

    const values = labelValues(text);
    for (const value of [id, missing, offering.id, slot.id]) expect(values.filter((v) => v.includes(value))).toEqual([]);
    expect(values.filter((v) => v.includes('no-such-route') || v.includes('*'))).toEqual([]);
  });

  it('counts holds created, expired and converted once each, and only when their transaction commits', async () => {
    const count = async (name: string) => sample(await scrape(), name) ?? 0;
    const before = {
      created: await count('holds_created_total'),
      expired: await count('holds_expired_total'),
      converted: await count('holds_converted_total'),
    };
    const delta = async () => ({
      created: (await count('holds_created_total')) - before.created,
      expired: (await count('holds_expired_total')) - before.expired,
      converted: (await count('holds_converted_total')) - before.converted,
    });

    const offering = await createOffering(t.dataSource);
    const slot = await createSlot(t.dataSource, offering.id, { capacity: 1 });
    const a = (await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1 }).expect(200)).body.reservation
      .id as string;
    await backdate(a);
    // Too many guests: the hold expires A to free its place, is still short, and rolls back
    // whole, A's expiry included. Nothing may be counted for it.
    expect((await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 2 }).expect(409)).body.error).toBe(
      'NOT_ENOUGH_CAPACITY',
    );
    expect(await status(a)).toBe('held');
    expect(await delta()).toEqual({ created: 1, expired: 0, converted: 0 });

    // This one fits once A's place comes back: A's expiry commits with it.
    const b = (await hold({ experienceId: offering.id, timeSlotId: slot.id, numberOfGuests: 1 }).expect(200)).body.reservation
      .id as string;
    expect(await status(a)).toBe('expired');
    expect(await delta()).toEqual({ created: 2, expired: 1, converted: 0 });

    // Converted once, however many times the client converts the same hold.
    const convert = () =>
      t.http
        .post('/v1/reservations/hold/convert')
        .set('Authorization', `Bearer ${alice}`)
        .set('X-Idempotency-Key', randomUUID())
        .send({ holdId: b })
        .expect(200);
    await convert();
    await convert();
    expect(await delta()).toEqual({ created: 2, expired: 1, converted: 1 });

    // The sweep expires the unpaid reservation once its time is up; a second sweep finds nothing.
    await backdate(b);
    expect(await t.app.get(HoldExpiryJob).sweep()).toBe(1);
    expect(await t.app.get(HoldExpiryJob).sweep()).toBe(0);
    expect(await status(b)).toBe('expired');
    expect(await delta()).toEqual({ created: 2, expired: 2, converted: 1 });
  });

  it("exposes the payment metrics PaymentMetrics records, the convert's among them", async () => {
    const metrics = t.app.get(PaymentMetrics);
    metrics.observe(METRIC.webhookDelaySeconds, 42, { type: 'payment_intent.succeeded' });
    metrics.observe(METRIC.webhookDelaySeconds, 400, { type: 'payment_intent.succeeded' });
    metrics.increment(METRIC.webhookSignatureFailures);
    metrics.increment(METRIC.paymentOutcome, { result: 'declined' });

    const text = await scrape();
    const succeeded = { type: 'payment_intent.succeeded' };
    expect(sample(text, 'webhook_processing_delay_seconds_count', succeeded)).toBe(2);
    expect(sample(text, 'webhook_processing_delay_seconds_sum', succeeded)).toBe(442);
    expect(sample(text, 'webhook_processing_delay_seconds_bucket', { ...succeeded, le: '300' })).toBe(1);
    expect(sample(text, 'webhook_signature_failures_total')).toBe(1);
    expect(sample(text, 'payment_outcomes_total', { result: 'declined' })).toBe(1);
    // The previous test's two converts created intents with the simulated provider.
    expect(sample(text, 'payment_intent_creation_seconds_count', { provider: 'simulated' })).toBeGreaterThanOrEqual(1);
    // snapshot() still reads the same numbers.
    expect(metrics.snapshot().counters[METRIC.webhookSignatureFailures]).toBe(1);
    // The simulated provider has no circuit breaker, so no breaker gauge.
    expect(text).not.toMatch(/^stripe_circuit_state/m);
  });

  it('reports the database pool: open, idle and waiting connections, and its size', async () => {
    const text = await scrape();
    const open = sample(text, 'db_pool_connections');
    const idle = sample(text, 'db_pool_idle_connections');
    expect(open).toBeGreaterThanOrEqual(1);
    expect(idle).toBeGreaterThanOrEqual(0);
    expect(idle).toBeLessThanOrEqual(open!);
    expect(sample(text, 'db_pool_waiting_clients')).toBe(0);
    expect(sample(text, 'db_pool_max_connections')).toBe(t.config.DB_POOL_SIZE);
  });
});
