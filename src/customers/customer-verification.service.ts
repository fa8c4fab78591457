import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@holdfast/clock';
import { BreakerOpenError, IntegrationTimeoutError, RateLimitedError, type IntegrationPolicy } from '@holdfast/resilience';
import { MAX_CUSTOMER_ID_LENGTH, type AuthUser } from '../auth/auth-user';
import { IntegrationsService } from '../integrations/integrations.service';
import { CustomerVerificationMetrics } from './customer-verification-metrics';
import {
  CustomerNotFoundError,
  CustomerServiceError,
  CustomerVerificationPort,
  type CustomerProfile,
} from './customer-verification.port';
import { CustomerVerificationsRepository, type CachedVerification } from './customer-verifications.repository';
import { CustomersConfig } from './customers.config';
import { CustomerNotVerifiedError, CustomerVerificationUnavailableError } from './customers.errors';
import { CUSTOMER_VERIFICATION_INTEGRATION, type CustomerVerification, type VerificationSource } from './customers.types';
import { failedChecks, KYC_NOT_FOUND } from './verification-rules';

/** Seed 002: a result is cached 24 h. Younger, a passing result is served without asking; older, it is never served. */
export const VERIFICATION_CACHE_TTL_MS = 24 * 3_600_000;
/**
 * A failing result is asked again once it is this old (when the service is down, it still
 * serves up to 24 h): a customer whose KYC was just approved must not wait a day, and an
 * app polling GET /v1/customers/me/verification must not call the service on every poll.
 */
export const NOT_VERIFIED_RECHECK_MS = 60_000;
/** A retry is made only when at least this much of the call's budget (CUSTOMER_SERVICE_TIMEOUT_MS) is left. */
const MIN_RETRY_BUDGET_MS = 100;
/** A result stamped up to this far ahead (another replica's clock) counts as just checked; further, as stale. */
const CLOCK_SKEW_MS = 60_000;
/** Retry-After when the service failed and its breaker is still closed. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Customer verification before a vehicle hold (DESIGN.md section 12; docs/customers.md):
 * seed 002's Customer Management Service, asked through the port (HTTP or simulated) behind
 * libs/resilience (500 ms budget, one retry when time is left, a circuit breaker),
 * registered as the `customer_verification` integration, with the answers cached 24 h in
 * Postgres (`customer_verifications`). Exported for the reservations module.
 */
@Injectable()
export class CustomerVerificationService {
  private readonly logger = new Logger(CustomerVerificationService.name);
  private readonly policy: IntegrationPolicy;
  /** Checks in flight per customer id: concurrent checks of one customer share one call. */
  private readonly inFlight = new Map<string, Promise<CustomerVerification>>();

  constructor(
    private readonly config: CustomersConfig,
    private readonly port: CustomerVerificationPort,
    private readonly repository: CustomerVerificationsRepository,
    private readonly integrations: IntegrationsService,
    private readonly metrics: CustomerVerificationMetrics,
    private readonly clock: Clock,
  ) {
    this.policy = integrations.register(
      { name: CUSTOMER_VERIFICATION_INTEGRATION, kind: 'customers' },
      {
        timeoutMs: config.timeoutMs,
        retries: 1,
        backoff: { initialDelayMs: 20, maxDelayMs: 50 },
        breaker: { threshold: config.breakerThreshold, halfOpenAfterMs: config.breakerHalfOpenMs },
        rateLimit: { perSecond: 50, burst: 50, maxWaitMs: 100 },
        // A 404 (unknown customer) or a 400 (our request) is the service answering: not its failure.
        isFailure: (error) =>
          !(error instanceof CustomerNotFoundError) && !(error instanceof CustomerServiceError && error.reason === 'bad_request'),
        isRetryable: (error) => error instanceof CustomerServiceError && error.retryable,
      },
    );
  }

  /** The id the service knows the user by: the token's `custom:customerId` where set, else its `sub`. */
  customerIdOf(user: AuthUser): string {
    return user.customerId ?? user.sub;
  }

  /**
   * The user's verification, passing or not. In order: a cached result under 24 h old
   * (a failing one only under NOT_VERIFIED_RECHECK_MS) without a call; else the service,
   * whose answer is cached; when it fails, a cached result under 24 h old (counted as a
   * fallback); else CustomerVerificationUnavailableError. Nothing older than 24 h is served.
   *
   * @throws CustomerVerificationUnavailableError (503 CUSTOMER_VERIFICATION_UNAVAILABLE, Retry-After).
   */
  async check(user: AuthUser): Promise<CustomerVerification> {
    const customerId = this.customerIdOf(user);
    const running = this.inFlight.get(customerId);
    const result =
      running ??
      this.checkCustomer(customerId).finally(() => {
        this.inFlight.delete(customerId);
      });
    if (!running) this.inFlight.set(customerId, result);
    const shared = await result;
    return { ...shared, reasons: [...shared.reasons] };
  }

  /**
   * The user's verification when it passes; what a vehicle hold calls first, before its
   * own transaction (the service call is not made inside one).
   *
   * @throws CustomerNotVerifiedError (403 CUSTOMER_NOT_VERIFIED: the message names the failed checks, `details` lists them).
   * @throws CustomerVerificationUnavailableError (503 CUSTOMER_VERIFICATION_UNAVAILABLE, Retry-After).
   */
  async requireVerified(user: AuthUser): Promise<CustomerVerification> {
    const verification = await this.check(user);
    if (!verification.verified) throw new CustomerNotVerifiedError(verification);
    return verification;
  }

  private async checkCustomer(customerId: string): Promise<CustomerVerification> {
    if (!lookable(customerId)) {
      // No customer of the service can have this id: unknown, without a call or a cache row.
      return this.counted(this.result(customerId, notFound(this.clock.now()), 'service'));
    }
    const source = this.port.name;
    const cached = await this.repository.find(source, customerId);
    const age = cached ? Math.max(0, this.clock.nowMs() - cached.checkedAt.getTime()) : Infinity;
    const servable =
      cached && age < VERIFICATION_CACHE_TTL_MS && cached.checkedAt.getTime() - this.clock.nowMs() <= CLOCK_SKEW_MS
        ? this.result(customerId, cached, 'cache')
        : null;
    if (servable && (servable.verified || age < NOT_VERIFIED_RECHECK_MS)) return this.counted(servable);

    let answer: CachedVerification;
    try {
      const profile = await this.ask(customerId);
      answer = profile === null ? notFound(this.clock.now()) : { ...profile, checkedAt: this.clock.now() };
    } catch (error) {
      this.logger.warn({ err: error, integration: CUSTOMER_VERIFICATION_INTEGRATION }, 'Customer verification call failed');
      if (servable) {
        this.integrations.recordFallback(CUSTOMER_VERIFICATION_INTEGRATION);
        return this.counted(servable);
      }
      this.metrics.count('unavailable', 'none');
      throw this.unavailable(error);
    }
    await this.repository
      .save(source, customerId, answer)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'Could not cache a customer verification'));
    return this.counted(this.result(customerId, answer, 'service'));
  }

  /**
   * Asks the service through the policy: null when it does not know the customer. The
   * whole call, a retry included, keeps within CUSTOMER_SERVICE_TIMEOUT_MS (seed 002's
   * SLA): the first attempt has all of it, a retry (a GET, so safe) is made only after a
   * quick failure and only with what is left.
   */
  private async ask(customerId: string): Promise<CustomerProfile | null> {
    const deadline = performance.now() + this.config.timeoutMs;
    let attempts = 0;
    try {
      return await this.policy.execute(
        async (signal) => {
          const first = attempts++ === 0;
          const left = Math.max(1, Math.floor(deadline - performance.now()));
          const bounded = first ? signal : AbortSignal.any([signal, AbortSignal.timeout(left)]);
          try {
            return await this.port.verify(customerId, bounded);
          } catch (error) {
            if (signal.aborted) throw error; // the policy's own timeout
            if (bounded.aborted) throw new IntegrationTimeoutError(CUSTOMER_VERIFICATION_INTEGRATION, this.config.timeoutMs);
            if (error instanceof CustomerServiceError && deadline - performance.now() < MIN_RETRY_BUDGET_MS) throw error.final();
            throw error;
          }
        },
        { idempotent: true },
      );
    } catch (error) {
      if (error instanceof CustomerNotFoundError) return null;
      throw error;
    }
  }

  private result(customerId: string, answer: CachedVerification, source: VerificationSource): CustomerVerification {
    const reasons = failedChecks(answer, this.config.minCreditScore);
    return {
      customerId,
      verified: reasons.length === 0,
      reasons,
      kycStatus: answer.kycStatus,
      drivingLicenseValid: answer.drivingLicenseValid,
      ...(answer.creditScore === null ? {} : { creditScore: answer.creditScore }),
      checkedAt: answer.checkedAt,
      source,
    };
  }

  private counted(result: CustomerVerification): CustomerVerification {
    this.metrics.count(result.verified ? 'verified' : 'not_verified', result.source);
    return result;
  }

  private unavailable(error: unknown): CustomerVerificationUnavailableError {
    const message = 'Customer verification is unavailable right now: the customer service did not answer';
    if (error instanceof BreakerOpenError) {
      return new CustomerVerificationUnavailableError(
        `${message} (it is failing; calls are paused)`,
        Math.min(300, Math.max(1, Math.ceil(this.config.breakerHalfOpenMs / 1000))),
      );
    }
    if (error instanceof RateLimitedError) {
      return new CustomerVerificationUnavailableError(message, Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    }
    return new CustomerVerificationUnavailableError(message, RETRY_AFTER_SECONDS);
  }
}

/** Whether the id can be looked up at all: one the URL path keeps (not `.` or `..`), of a sane length. */
function lookable(customerId: string): boolean {
  return (
    customerId.length > 0 &&
    customerId.length <= MAX_CUSTOMER_ID_LENGTH &&
    customerId !== '.' &&
    customerId !== '..' &&
    !customerId.includes('\u0000')
  );
}

/** What is known of a customer the service does not know: no check passes. */
function notFound(checkedAt: Date): CachedVerification {
  return { kycStatus: KYC_NOT_FOUND, drivingLicenseValid: false, creditScore: null, checkedAt };
}
