/**
 * Where the outcome of every carrier call goes: one seam, so the shared per-integration
 * metrics (success rate, latency histogram, timeouts, fallback use; issue 13 item 13) can
 * be wired in by providing another implementation under `CARRIER_CALL_OBSERVER`, with no
 * change to the shipping code. ShippingService reports exactly one outcome per call.
 * Implementations must not throw and must not block (they run on the quote's path).
 */
export interface CarrierCallObserver {
  /** The carrier answered valid rates within its time. */
  succeeded(carrier: string, durationMs: number, rateCount: number): void;
  /** The carrier answered an error, an invalid body, or could not be reached. */
  failed(carrier: string, durationMs: number, error: Error): void;
  /** The carrier did not answer within SHIPPING_QUOTE_TIMEOUT_MS. */
  timedOut(carrier: string, durationMs: number): void;
  /** A quote answered the flat-rate table: no carrier answered in time, or none was enabled. */
  fellBack(reason: 'no_carrier_answered' | 'no_carrier_enabled'): void;
}

/** DI token of the observer (the shipping module provides a logging one by default). */
export const CARRIER_CALL_OBSERVER = Symbol('CARRIER_CALL_OBSERVER');
