import { Injectable } from '@nestjs/common';
import type { IntegrationObserver } from '@holdfast/resilience';
import { IntegrationsService } from '../integrations/integrations.service';
import { LoggingCarrierObserver } from './carrier-call-observer';
import type { CarrierCallObserver } from './carrier-call-observer.port';

/**
 * Carrier calls as integrations: each carrier is `carrier_<name>` in the `integration_*`
 * metrics and GET /v1/admin/integrations (kind `shipping`; carriers have no breaker, a
 * slow one is simply cut at SHIPPING_QUOTE_TIMEOUT_MS). A quote that fell back to the
 * flat rates because no carrier answered counts as a fallback of every carrier asked so far.
 * Every call is also logged and counted by LoggingCarrierObserver.
 */
@Injectable()
export class IntegrationCarrierObserver implements CarrierCallObserver {
  private readonly tracked = new Map<string, IntegrationObserver>();

  constructor(
    private readonly integrations: IntegrationsService,
    private readonly logging: LoggingCarrierObserver,
  ) {}

  succeeded(carrier: string, durationMs: number, rateCount: number): void {
    this.logging.succeeded(carrier, durationMs, rateCount);
    const name = this.nameOf(carrier);
    this.observer(carrier).outcome({ integration: name, outcome: 'success', durationMs, attempts: 1 });
  }

  failed(carrier: string, durationMs: number, error: Error): void {
    this.logging.failed(carrier, durationMs, error);
    const name = this.nameOf(carrier);
    this.observer(carrier).outcome({ integration: name, outcome: 'failure', durationMs, attempts: 1, error });
  }

  timedOut(carrier: string, durationMs: number): void {
    this.logging.timedOut(carrier, durationMs);
    const name = this.nameOf(carrier);
    this.observer(carrier).outcome({
      integration: name,
      outcome: 'timeout',
      durationMs,
      attempts: 1,
      error: new Error(`no answer within ${Math.round(durationMs)} ms`),
    });
  }

  fellBack(reason: 'no_carrier_answered' | 'no_carrier_enabled'): void {
    this.logging.fellBack(reason);
    if (reason === 'no_carrier_enabled') return;
    for (const carrier of this.tracked.keys()) this.integrations.recordFallback(this.nameOf(carrier));
  }

  private observer(carrier: string): IntegrationObserver {
    let observer = this.tracked.get(carrier);
    if (!observer) {
      const name = this.nameOf(carrier);
      observer = this.integrations.has(name)
        ? this.integrations
        : this.integrations.track({ name, kind: 'shipping' }, () => 'closed');
      this.tracked.set(carrier, observer);
    }
    return observer;
  }

  /** A metric label: `carrier_` and the carrier's name in lowercase letters, digits and underscores. */
  private nameOf(carrier: string): string {
    return `carrier_${carrier.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
  }
}
