import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { TransactionHost } from '@holdfast/database';
import { MetricsRegistry } from '../metrics/metrics.registry';

/**
 * Counters of the hold lifecycle. Each counts when the caller's transaction commits
 * (`TransactionHost.afterCommit`), so work that rolls back (an expiry inside a hold that
 * then fails, a deadlock retry) is never counted, and a retried attempt counts once.
 */
@Injectable()
export class ReservationMetrics {
  private readonly createdTotal: Counter;
  private readonly expiredTotal: Counter;
  private readonly convertedTotal: Counter;

  constructor(
    registry: MetricsRegistry,
    private readonly txHost: TransactionHost,
  ) {
    const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] });
    this.createdTotal = counter('holds_created_total', 'Holds created (inventory taken for HOLD_TTL_SECONDS)');
    this.expiredTotal = counter(
      'holds_expired_total',
      'Holds (and unpaid reservations) expired after their time ran out, their places released',
    );
    this.convertedTotal = counter('holds_converted_total', 'Holds converted into a payment attempt (held -> pending)');
  }

  holdCreated(): void {
    this.txHost.afterCommit(() => this.createdTotal.inc());
  }

  holdsExpired(count: number): void {
    if (count > 0) this.txHost.afterCommit(() => this.expiredTotal.inc(count));
  }

  holdConverted(): void {
    this.txHost.afterCommit(() => this.convertedTotal.inc());
  }
}
