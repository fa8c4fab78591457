import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics.registry';
import { EventsConfig } from './events.config';
import { EventsRepository } from './events.repository';

/**
 * The relay's lag, read from the outbox at scrape time (only with a relay configured:
 * without one nothing is ever published and there is no lag to speak of), and its counters.
 */
@Injectable()
export class EventMetrics {
  private readonly publishedTotal: Counter;
  private readonly failuresTotal: Counter;

  constructor(registry: MetricsRegistry, repo: EventsRepository, config: EventsConfig) {
    let lag: Promise<{ count: number; oldestSeconds: number }> | null = null;
    // One query per scrape for both gauges.
    const read = () => (lag ??= repo.lag().finally(() => setImmediate(() => (lag = null))));
    const gauge = (name: string, help: string, pick: (l: { count: number; oldestSeconds: number }) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          this.set(config.natsUrl ? pick(await read()) : 0);
        },
      });
    gauge('events_unpublished', 'Outbox events the relay has not yet published to NATS', (l) => l.count);
    gauge(
      'events_oldest_unpublished_seconds',
      'Age of the oldest outbox event not yet published to NATS (0 when none): the relay lag',
      (l) => l.oldestSeconds,
    );
    this.publishedTotal = new Counter({
      name: 'events_published_total',
      help: 'Outbox events published to NATS and acknowledged by JetStream',
      registers: [registry],
    });
    this.failuresTotal = new Counter({
      name: 'events_relay_failures_total',
      help: 'Relay passes that stopped on an error (broker unreachable, publish not acknowledged)',
      registers: [registry],
    });
  }

  published(count: number): void {
    if (count > 0) this.publishedTotal.inc(count);
  }

  failed(): void {
    this.failuresTotal.inc();
  }
}
