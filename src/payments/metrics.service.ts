import { Injectable } from '@nestjs/common';

interface Histogram {
  count: number;
  sum: number;
  max: number;
}

/**
 * Payment metrics named in seed 003 (payment creation latency, success rate, webhook
 * processing delay, refund time, signature failures), kept in memory. The operations
 * issue exposes them on /metrics; until then `snapshot()` reads them.
 */
@Injectable()
export class PaymentMetrics {
  private readonly counters = new Map<string, number>();
  private readonly histograms = new Map<string, Histogram>();

  increment(name: string, labels: Record<string, string> = {}): void {
    const key = keyOf(name, labels);
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }

  observe(name: string, value: number, labels: Record<string, string> = {}): void {
    const key = keyOf(name, labels);
    const h = this.histograms.get(key) ?? { count: 0, sum: 0, max: 0 };
    h.count++;
    h.sum += value;
    h.max = Math.max(h.max, value);
    this.histograms.set(key, h);
  }

  snapshot(): { counters: Record<string, number>; histograms: Record<string, Histogram> } {
    return { counters: Object.fromEntries(this.counters), histograms: Object.fromEntries(this.histograms) };
  }
}

function keyOf(name: string, labels: Record<string, string>): string {
  const parts = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

/** Metric names, in one place. */
export const METRIC = {
  paymentCreationSeconds: 'payment_intent_creation_seconds',
  paymentOutcome: 'payment_outcomes_total',
  webhookDelaySeconds: 'webhook_processing_delay_seconds',
  webhookSignatureFailures: 'webhook_signature_failures_total',
  refundSeconds: 'refund_seconds',
} as const;
