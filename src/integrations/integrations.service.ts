import { Injectable } from '@nestjs/common';
import { Clock } from '@holdfast/clock';
import {
  createIntegrationPolicy,
  INTEGRATION_OUTCOMES,
  type BreakerState,
  type BreakerStateEvent,
  type IntegrationObserver,
  type IntegrationOutcome,
  type IntegrationOutcomeEvent,
  type IntegrationPolicy,
  type IntegrationPolicyOptions,
} from '@holdfast/resilience';
import { IntegrationMetrics } from './integration-metrics';
import { INTEGRATION_WINDOW_SECONDS, type IntegrationSpec, type IntegrationState } from './integrations.types';

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** Events kept per integration for the window (a busy integration's older events drop first). */
const MAX_EVENTS = 20_000;
const MAX_ERROR_LENGTH = 300;
const DAY_MS = 86_400_000;

interface Registered {
  spec: IntegrationSpec;
  /** Its breaker's state, read for the admin view. */
  policy: { readonly breakerState: BreakerState };
  /** Recent calls (`at` in ms, system clock) and fallbacks, oldest first. */
  calls: { at: number; outcome: IntegrationOutcome }[];
  fallbacks: number[];
  lastError: { message: string; at: Date } | null;
  quotaDay: number;
  quotaUsed: number;
}

/**
 * The registry of outbound integrations (tax, IMS, carriers...): each registers once and
 * gets its resilience policy (libs/resilience) with this service as its observer, which
 * turns outcomes into the `integration_*` metrics, remembers the last error (its message
 * only: adapters keep request bodies, addresses and keys out of their error messages) and
 * keeps a short window of outcomes and fallbacks for `GET /v1/admin/integrations`.
 * Everything here is this replica's view.
 */
@Injectable()
export class IntegrationsService implements IntegrationObserver {
  private readonly integrations = new Map<string, Registered>();

  constructor(
    private readonly metrics: IntegrationMetrics,
    private readonly clock: Clock,
  ) {}

  /**
   * Registers an integration and builds its policy: every call to the provider goes
   * through `policy.execute(...)`. Call once per integration (at construction of its adapter).
   *
   * @throws Error for a name that is not a short machine word or is already registered.
   */
  register(spec: IntegrationSpec, options: Omit<IntegrationPolicyOptions, 'name'>): IntegrationPolicy {
    let policy: IntegrationPolicy | null = null;
    const observer = this.track(spec, () => policy?.breakerState ?? 'closed');
    policy = createIntegrationPolicy({ ...options, name: spec.name }, observer);
    return policy;
  }

  /**
   * Registers an integration whose adapter keeps its own resilience policy (the IMS
   * client, the carriers): the returned observer takes its outcomes and breaker changes
   * (metrics, last error, the admin view); `breakerState` reads its breaker (a constant
   * `closed` for one without).
   */
  track(spec: IntegrationSpec, breakerState: () => BreakerState): IntegrationObserver {
    if (!NAME.test(spec.name))
      throw new Error(`An integration name is a short lowercase word (got ${JSON.stringify(spec.name)})`);
    if (this.integrations.has(spec.name)) throw new Error(`Integration ${spec.name} is already registered`);
    const entry: Registered = {
      spec,
      policy: {
        get breakerState() {
          return breakerState();
        },
      },
      calls: [],
      fallbacks: [],
      lastError: null,
      quotaDay: this.today(),
      quotaUsed: 0,
    };
    this.integrations.set(spec.name, entry);
    this.metrics.register(spec.name, spec.dailyQuota ? () => this.quota(entry)!.ratio : undefined);
    return this;
  }

  /** Whether an integration of this name is registered. */
  has(name: string): boolean {
    return this.integrations.has(name);
  }

  /** Records that an answer came from a fallback instead of the provider (`integration_fallbacks_total`). */
  recordFallback(name: string): void {
    const entry = this.entry(name);
    this.metrics.fallback(name);
    entry.fallbacks.push(Date.now());
    trim(entry.fallbacks, (at) => at);
  }

  /** Every registered integration's state, by name. */
  states(): IntegrationState[] {
    return [...this.integrations.values()]
      .sort((a, b) => a.spec.name.localeCompare(b.spec.name))
      .map((entry) => this.state(entry));
  }

  /** @internal the policy's observer */
  outcome(event: IntegrationOutcomeEvent): void {
    const entry = this.integrations.get(event.integration);
    if (!entry) return;
    this.metrics.outcome(event.integration, event.outcome, event.durationMs, event.attempts);
    entry.calls.push({ at: Date.now(), outcome: event.outcome });
    trim(entry.calls, (call) => call.at);
    if (event.attempts > 0) {
      this.rollQuotaDay(entry);
      entry.quotaUsed += event.attempts;
    }
    if (event.outcome !== 'success' && event.error !== undefined) {
      entry.lastError = { message: messageOf(event.error), at: this.clock.now() };
    }
  }

  /** @internal the policy's observer */
  breakerStateChanged(event: BreakerStateEvent): void {
    if (!this.integrations.has(event.integration)) return;
    this.metrics.breaker(event.integration, event.to !== 'closed', event.from === 'closed' && event.to === 'open');
  }

  private state(entry: Registered): IntegrationState {
    const since = Date.now() - INTEGRATION_WINDOW_SECONDS * 1000;
    const calls = entry.calls.filter((call) => call.at >= since);
    const outcomes = Object.fromEntries(INTEGRATION_OUTCOMES.map((o) => [o, 0])) as Record<IntegrationOutcome, number>;
    for (const call of calls) outcomes[call.outcome]++;
    const fallbacks = entry.fallbacks.filter((at) => at >= since).length;
    const rate = (n: number) => (calls.length === 0 ? null : Math.min(1, n / calls.length));
    return {
      name: entry.spec.name,
      kind: entry.spec.kind,
      breakerState: entry.policy.breakerState,
      lastError: entry.lastError,
      window: {
        seconds: INTEGRATION_WINDOW_SECONDS,
        calls: calls.length,
        outcomes,
        successRate: rate(outcomes.success),
        fallbacks,
        fallbackRate: rate(fallbacks),
      },
      quota: this.quota(entry),
    };
  }

  private quota(entry: Registered): IntegrationState['quota'] {
    const limit = entry.spec.dailyQuota;
    if (!limit) return null;
    this.rollQuotaDay(entry);
    return { limit, used: entry.quotaUsed, ratio: entry.quotaUsed / limit };
  }

  /** The quota counts requests per UTC day, on the app's clock (a test moves it). */
  private rollQuotaDay(entry: Registered): void {
    const today = this.today();
    if (today !== entry.quotaDay) {
      entry.quotaDay = today;
      entry.quotaUsed = 0;
    }
  }

  private today(): number {
    return Math.floor(this.clock.nowMs() / DAY_MS);
  }

  private entry(name: string): Registered {
    const entry = this.integrations.get(name);
    if (!entry) throw new Error(`No integration ${name} is registered`);
    return entry;
  }
}

/** Drops entries older than the window, and the oldest beyond MAX_EVENTS. */
function trim<T>(list: T[], at: (item: T) => number): void {
  const since = Date.now() - INTEGRATION_WINDOW_SECONDS * 1000;
  let drop = 0;
  while (drop < list.length && (at(list[drop]) < since || list.length - drop > MAX_EVENTS)) drop++;
  if (drop > 0) list.splice(0, drop);
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH)}...` : message;
}
