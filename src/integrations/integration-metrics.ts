import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { INTEGRATION_OUTCOMES, type IntegrationOutcome } from '@holdfast/resilience';
import { LATENCY_BUCKETS, MetricsRegistry } from '../metrics/metrics.registry';

/**
 * Seed 003's integration dashboard as Prometheus metrics, labelled by integration
 * (docs/integrations.md; alerts in deploy/alerts.yml). Per replica: each has its own
 * breakers, rate limiters and quota count, so dashboards sum over instances.
 */
@Injectable()
export class IntegrationMetrics {
  private readonly requests: Counter<'integration' | 'outcome'>;
  private readonly duration: Histogram<'integration'>;
  private readonly fallbacks: Counter<'integration'>;
  private readonly breakerOpen: Gauge<'integration'>;
  private readonly breakerTrips: Counter<'integration'>;
  private readonly quotaUsed: Gauge<'integration'>;
  /** Read at scrape time, so the ratio drops to 0 at midnight UTC without a call. */
  private readonly quotaReaders = new Map<string, () => number>();

  constructor(registry: MetricsRegistry) {
    this.requests = new Counter({
      name: 'integration_requests_total',
      help: 'Calls to an external integration by outcome (success, failure, timeout, breaker_open, rate_limited); a call may span retries',
      labelNames: ['integration', 'outcome'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'integration_request_duration_seconds',
      help: 'Duration of calls to an external integration that reached it (success, failure, timeout), retries included',
      labelNames: ['integration'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.fallbacks = new Counter({
      name: 'integration_fallbacks_total',
      help: 'Answers served from a fallback (rate table, stale cache) because the integration failed or was switched off',
      labelNames: ['integration'],
      registers: [registry],
    });
    this.breakerOpen = new Gauge({
      name: 'integration_breaker_open',
      help: 'Whether the integration circuit breaker is not closed (1: open or half-open, 0: closed)',
      labelNames: ['integration'],
      registers: [registry],
    });
    this.breakerTrips = new Counter({
      name: 'integration_breaker_trips_total',
      help: 'Times the integration circuit breaker opened from closed',
      labelNames: ['integration'],
      registers: [registry],
    });
    const readers = this.quotaReaders;
    this.quotaUsed = new Gauge({
      name: 'integration_quota_used_ratio',
      help: "Share of the provider's daily request quota this replica used today (UTC); sum over replicas",
      labelNames: ['integration'],
      registers: [registry],
      collect() {
        for (const [integration, read] of readers) this.set({ integration }, read());
      },
    });
  }

  /** Starts an integration's series at zero, so dashboards and alerts see it before its first call. */
  register(integration: string, quotaRatio?: () => number): void {
    for (const outcome of INTEGRATION_OUTCOMES) this.requests.inc({ integration, outcome }, 0);
    this.fallbacks.inc({ integration }, 0);
    this.breakerTrips.inc({ integration }, 0);
    this.breakerOpen.set({ integration }, 0);
    if (quotaRatio) this.quotaReaders.set(integration, quotaRatio);
  }

  outcome(integration: string, outcome: IntegrationOutcome, durationMs: number, attempts: number): void {
    this.requests.inc({ integration, outcome });
    if (attempts > 0) this.duration.observe({ integration }, durationMs / 1000);
  }

  fallback(integration: string): void {
    this.fallbacks.inc({ integration });
  }

  breaker(integration: string, open: boolean, tripped: boolean): void {
    this.breakerOpen.set({ integration }, open ? 1 : 0);
    if (tripped) this.breakerTrips.inc({ integration });
  }
}
