import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics.registry';
import type { FleetEventOutcome, FleetEventSourceName } from './fleet.types';

const SOURCES: FleetEventSourceName[] = ['http', 'nats', 'reconcile'];
const OUTCOMES: (FleetEventOutcome | 'failed' | 'rejected')[] = [
  'applied',
  'stale',
  'duplicate',
  'unknown_vehicle',
  'malformed',
  'failed',
  'rejected',
];

/** The fleet events' counters (docs/operations.md, "Fleet events"). */
@Injectable()
export class FleetMetrics {
  private readonly events: Counter<'source' | 'outcome'>;
  private readonly impacts: Counter<'effect'>;
  private readonly reconciles: Counter<'result'>;
  private pendingReader: () => Promise<number | null> = async () => null;

  constructor(registry: MetricsRegistry) {
    this.events = new Counter({
      name: 'fleet_events_total',
      help: 'Fleet events received, by source (http, nats, reconcile) and outcome (applied, stale, duplicate, unknown_vehicle, malformed, failed: retried later, rejected: bad signature)',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    });
    for (const source of SOURCES) for (const outcome of OUTCOMES) this.events.inc({ source, outcome }, 0);
    this.impacts = new Counter({
      name: 'fleet_maintenance_impacts_total',
      help: 'Bookings a maintenance block landed on: moved to another unit, displaced (flagged), or an unpaid hold expired',
      labelNames: ['effect'],
      registers: [registry],
    });
    for (const effect of ['moved', 'displaced', 'expired']) this.impacts.inc({ effect }, 0);
    this.reconciles = new Counter({
      name: 'fleet_reconcile_runs_total',
      help: 'Pulls of the fleet API that repair missed events, by result (ok, failed)',
      labelNames: ['result'],
      registers: [registry],
    });
    for (const result of ['ok', 'failed']) this.reconciles.inc({ result }, 0);
    const read = () => this.pendingReader();
    new Gauge({
      name: 'fleet_consumer_pending',
      help: 'Fleet stream messages the durable consumer has not yet had acknowledged (0 without NATS): the consumer lag',
      registers: [registry],
      async collect() {
        this.set((await read().catch(() => null)) ?? 0);
      },
    });
  }

  received(source: FleetEventSourceName, outcome: FleetEventOutcome | 'failed' | 'rejected'): void {
    this.events.inc({ source, outcome });
  }

  impact(effect: 'moved' | 'displaced' | 'expired'): void {
    this.impacts.inc({ effect });
  }

  reconciled(result: 'ok' | 'failed'): void {
    this.reconciles.inc({ result });
  }

  /** Where the lag gauge reads from at scrape time (the consumer, when there is one). */
  readPendingFrom(reader: () => Promise<number | null>): void {
    this.pendingReader = reader;
  }
}
