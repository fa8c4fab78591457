import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics.registry';

/** A check's result: passed, failed a rule, or could not be made (503 CUSTOMER_VERIFICATION_UNAVAILABLE). */
export type CheckResult = 'verified' | 'not_verified' | 'unavailable';
/** Where its answer came from: the service now, the cache, or nowhere (unavailable). */
export type CheckSource = 'service' | 'cache' | 'none';

const SERIES: [CheckResult, CheckSource][] = [
  ['verified', 'service'],
  ['verified', 'cache'],
  ['not_verified', 'service'],
  ['not_verified', 'cache'],
  ['unavailable', 'none'],
];

/**
 * `customer_verification_checks_total{result,source}`, counted by this replica; the calls
 * to the service themselves are the `integration_*` metrics of `customer_verification`.
 */
@Injectable()
export class CustomerVerificationMetrics {
  private readonly checks: Counter<'result' | 'source'>;

  constructor(registry: MetricsRegistry) {
    this.checks = new Counter({
      name: 'customer_verification_checks_total',
      help: 'Customer verifications (vehicle holds, GET /v1/customers/me/verification) by result (verified, not_verified, unavailable: answered 503) and source (service, cache, none)',
      labelNames: ['result', 'source'],
      registers: [registry],
    });
    // Every series from the start, so a rate or an alert sees the first unavailable check.
    for (const [result, source] of SERIES) this.checks.inc({ result, source }, 0);
  }

  count(result: CheckResult, source: CheckSource): void {
    this.checks.inc({ result, source });
  }
}
