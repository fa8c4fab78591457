import { describe, expect, it } from '@jest/globals';
import { TestClock } from '@holdfast/clock';
import { BreakerOpenError } from '@holdfast/resilience';
import { MetricsRegistry } from '../metrics/metrics.registry';
import { IntegrationMetrics } from './integration-metrics';
import { IntegrationsService } from './integrations.service';

function setup() {
  const registry = new MetricsRegistry();
  const clock = new TestClock();
  const service = new IntegrationsService(new IntegrationMetrics(registry), clock);
  return { registry, clock, service };
}

const value = (text: string, series: string) =>
  Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

describe('IntegrationsService', () => {
  it('observes its policies: outcomes, last error (message only), fallbacks, breaker and quota', async () => {
    const { registry, clock, service } = setup();
    const policy = service.register(
      { name: 'tax', kind: 'tax', dailyQuota: 100 },
      { timeoutMs: 1000, breaker: { threshold: 2, halfOpenAfterMs: 60_000 } },
    );
    expect(await registry.metrics()).toMatch(/^integration_requests_total\{integration="tax",outcome="timeout"\} 0$/m);

    await policy.execute(async () => 'ok');
    for (let i = 0; i < 2; i++) await policy.execute(() => Promise.reject(new Error('HTTP 503'))).catch(() => undefined);
    await expect(policy.execute(async () => 'x')).rejects.toBeInstanceOf(BreakerOpenError);
    service.recordFallback('tax');

    const [state] = service.states();
    expect(state).toMatchObject({
      name: 'tax',
      kind: 'tax',
      breakerState: 'open',
      window: {
        calls: 4,
        outcomes: { success: 1, failure: 2, timeout: 0, breaker_open: 1, rate_limited: 0 },
        successRate: 0.25,
        fallbacks: 1,
        fallbackRate: 0.25,
      },
      quota: { limit: 100, used: 3, ratio: 0.03 },
    });
    expect(state.lastError?.message).toBe('BreakerOpenError: tax is unavailable (circuit breaker open)');

    const text = await registry.metrics();
    expect(value(text, 'integration_requests_total{integration="tax",outcome="failure"}')).toBe(2);
    expect(value(text, 'integration_breaker_open{integration="tax"}')).toBe(1);
    expect(value(text, 'integration_breaker_trips_total{integration="tax"}')).toBe(1);
    expect(value(text, 'integration_fallbacks_total{integration="tax"}')).toBe(1);
    expect(value(text, 'integration_quota_used_ratio{integration="tax"}')).toBe(0.03);
    expect(value(text, 'integration_request_duration_seconds_count{integration="tax"}')).toBe(3); // not the refused call

    clock.advance(86_400_000); // a new UTC day
    expect(service.states()[0].quota).toEqual({ limit: 100, used: 0, ratio: 0 });
    expect(value(await registry.metrics(), 'integration_quota_used_ratio{integration="tax"}')).toBe(0);
  });

  it('refuses a bad or duplicate name and fallbacks of an unknown integration', () => {
    const { service } = setup();
    const options = { timeoutMs: 1000, breaker: { threshold: 1, halfOpenAfterMs: 1000 } };
    service.register({ name: 'ims', kind: 'inventory' }, options);
    expect(() => service.register({ name: 'ims', kind: 'inventory' }, options)).toThrow(/already/);
    expect(() => service.register({ name: 'Bad Name', kind: 'x' }, options)).toThrow(/lowercase/);
    expect(() => service.recordFallback('nope')).toThrow(/No integration/);
    expect(service.states()[0].quota).toBeNull();
  });
});
