import { Injectable, Logger } from '@nestjs/common';
import type { CarrierCallObserver } from './carrier-call-observer.port';

/** Per carrier, since the process started. */
export interface CarrierCallCounts {
  succeeded: number;
  failed: number;
  timedOut: number;
  /** The last failure's message (never a key or an address), or null. */
  lastError: string | null;
}

/**
 * The default observer until the shared integration metrics exist: logs failures and
 * timeouts (carrier, duration, the error's message) and keeps counts in memory, which
 * tests read. Logs never carry the address or the key.
 */
@Injectable()
export class LoggingCarrierObserver implements CarrierCallObserver {
  private readonly logger = new Logger('ShippingCarriers');
  private readonly counts = new Map<string, CarrierCallCounts>();
  private fallbacks = 0;

  succeeded(carrier: string, durationMs: number, rateCount: number): void {
    this.of(carrier).succeeded++;
    this.logger.debug({ carrier, durationMs, rateCount }, 'Carrier quoted');
  }

  failed(carrier: string, durationMs: number, error: Error): void {
    const counts = this.of(carrier);
    counts.failed++;
    counts.lastError = error.message;
    this.logger.warn({ carrier, durationMs, error: error.message }, 'Carrier quote failed');
  }

  timedOut(carrier: string, durationMs: number): void {
    const counts = this.of(carrier);
    counts.timedOut++;
    counts.lastError = `timed out after ${durationMs} ms`;
    this.logger.warn({ carrier, durationMs }, 'Carrier quote timed out');
  }

  fellBack(reason: 'no_carrier_answered' | 'no_carrier_enabled'): void {
    this.fallbacks++;
    this.logger.warn({ reason }, 'Shipping quote fell back to the flat-rate table');
  }

  /** A copy of the counts, by carrier, and how many quotes fell back. */
  snapshot(): { carriers: Record<string, CarrierCallCounts>; fallbacks: number } {
    return {
      carriers: Object.fromEntries([...this.counts].map(([name, c]) => [name, { ...c }])),
      fallbacks: this.fallbacks,
    };
  }

  private of(carrier: string): CarrierCallCounts {
    let counts = this.counts.get(carrier);
    if (!counts) this.counts.set(carrier, (counts = { succeeded: 0, failed: 0, timedOut: 0, lastError: null }));
    return counts;
  }
}
