import { describe, expect, it } from '@jest/globals';
import { MetricsRegistry } from '../metrics/metrics.registry';
import { METRIC, PaymentMetrics } from './metrics.service';
import type { PaymentGateway } from './payment-gateway';

describe('PaymentMetrics', () => {
  it('keeps snapshot() as it was and records the same numbers into the Prometheus registry', async () => {
    const registry = new MetricsRegistry();
    const metrics = new PaymentMetrics(registry);
    metrics.increment(METRIC.paymentOutcome, { result: 'succeeded' });
    metrics.increment(METRIC.paymentOutcome, { result: 'succeeded' });
    metrics.observe(METRIC.paymentCreationSeconds, 0.2, { provider: 'stripe' });
    metrics.observe(METRIC.paymentCreationSeconds, 0.6, { provider: 'stripe' });

    expect(metrics.snapshot()).toEqual({
      counters: { 'payment_outcomes_total{result="succeeded"}': 2 },
      histograms: { 'payment_intent_creation_seconds{provider="stripe"}': { count: 2, sum: 0.8, max: 0.6 } },
    });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE payment_outcomes_total counter');
    expect(text).toContain('payment_outcomes_total{result="succeeded"} 2');
    expect(text).toContain('# TYPE payment_intent_creation_seconds histogram');
    expect(text).toContain('payment_intent_creation_seconds_count{provider="stripe"} 2');
    expect(text).toContain('payment_intent_creation_seconds_bucket{le="0.25",provider="stripe"} 1');
  });

  it('drops a label the metric does not declare instead of throwing, and registers an unknown metric on first use', async () => {
    const registry = new MetricsRegistry();
    const metrics = new PaymentMetrics(registry);
    metrics.increment(METRIC.paymentOutcome, { result: 'error', reservationId: 'r-1' });
    metrics.increment('payments_custom_total', { reason: 'x' });
    const text = await registry.metrics();
    expect(text).toContain('payment_outcomes_total{result="error"} 1');
    expect(text).not.toContain('r-1');
    expect(text).toContain('payments_custom_total{reason="x"} 1');
  });

  it('never throws at a caller that uses a metric against its type, and lists every payment metric before its first event', async () => {
    const registry = new MetricsRegistry();
    const metrics = new PaymentMetrics(registry);
    expect(() => metrics.increment(METRIC.refundSeconds)).not.toThrow();
    expect(() => metrics.observe(METRIC.paymentOutcome, 1)).not.toThrow();
    const text = await registry.metrics();
    for (const name of [...Object.values(METRIC), 'stripe_call_seconds', 'stripe_call_errors_total']) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name} (counter|histogram)$`, 'm'));
    }
    expect(text).toContain('refund_seconds_count 0');
    expect(text).toContain('webhook_signature_failures_total 0');
  });

  it('works without an injected registry (a gateway built by hand in a test)', () => {
    const metrics = new PaymentMetrics();
    metrics.increment(METRIC.webhookSignatureFailures);
    expect(metrics.snapshot().counters[METRIC.webhookSignatureFailures]).toBe(1);
  });

  it("shows a gateway's circuit breaker as a gauge read at scrape time, and nothing for a gateway without one", async () => {
    const registry = new MetricsRegistry();
    const metrics = new PaymentMetrics(registry);
    metrics.watchGateway({ name: 'simulated' } as PaymentGateway);
    expect(await registry.metrics()).not.toContain('stripe_circuit_state');

    let state = 'closed';
    metrics.watchGateway({ name: 'stripe', breakerState: () => state } as unknown as PaymentGateway);
    expect(await registry.metrics()).toContain('stripe_circuit_state{state="closed"} 1');
    state = 'open';
    const text = await registry.metrics();
    expect(text).toContain('stripe_circuit_state{state="closed"} 0');
    expect(text).toContain('stripe_circuit_state{state="open"} 1');
    expect(text).toContain('stripe_circuit_state{state="half_open"} 0');
  });
});
